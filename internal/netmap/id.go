package netmap

import (
	"fmt"
	"net/url"
	"strings"
)

// DeviceID returns an identifier of a device usable as one URL path segment
// or query value: the map name and the device name, each percent-encoded
// (every byte but ASCII letters, digits, "-", "." and "_"), joined by "~".
// "~" itself is encoded inside names, so the one bare "~" is the separator:
//
//	DeviceID("campus", "gw")        == "campus~gw"
//	DeviceID("Campus A", "core/1")  == "Campus%20A~core%2F1"
//
// ParseDeviceID reverses it.
func DeviceID(mapName, devName string) string {
	return escapeID(mapName) + "~" + escapeID(devName)
}

// ParseDeviceID splits an identifier made by DeviceID into the map and
// device names.
func ParseDeviceID(id string) (mapName, devName string, err error) {
	m, d, ok := strings.Cut(id, "~")
	if !ok || m == "" || d == "" || strings.Contains(d, "~") {
		return "", "", fmt.Errorf("invalid device id %q: want MAP~DEVICE", id)
	}
	if mapName, err = url.PathUnescape(m); err == nil {
		devName, err = url.PathUnescape(d)
	}
	if err != nil {
		return "", "", fmt.Errorf("invalid device id %q: %w", id, err)
	}
	return mapName, devName, nil
}

func escapeID(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
