package netmap

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// PollKey returns the key under which the poller shares one poll among
// identical devices, on one map or several (InterMapper's "shared polling":
// a device on two maps is polled, and licensed, once). Two devices share a
// key when they poll the same address with the same probe and parameters:
//
//	com.dartware.tcp.http@192.0.2.1?path=%2F&port=80
//
// The address is normalised: IP literals through net/netip (IPv6
// compressed and lower-cased, IPv4-mapped IPv6 unmapped, zones kept as they
// change the route), DNS names lower-cased without a trailing dot.
// Parameters are sorted by name and escaped, so no two parameter sets
// collide. probeID must already be canonical (aliases resolved), and params
// must hold everything that changes the poll's answer: probe defaults
// filled in the same way for every device, and the settings that
// Device.PollParams adds.
func PollKey(address, probeID string, params map[string]string) string {
	key := probeID + "@" + normalAddress(address)
	if len(params) > 0 {
		v := make(url.Values, len(params))
		for k, val := range params {
			v.Set(k, val)
		}
		key += "?" + v.Encode() // Encode sorts by key
	}
	return key
}

func normalAddress(s string) string {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Is4In6() {
			a = a.Unmap()
		}
		return a.String()
	}
	return strings.ToLower(strings.TrimSuffix(s, "."))
}

// PollParams returns the device's probe parameters plus the per-device
// settings that change what a poll returns, under names no probe parameter
// uses (":snmp.community", ":timeout" …), so that PollKey never shares an
// SNMP poll between two communities or two timeouts. Probe-file defaults
// are the caller's to add.
func (d Device) PollParams() map[string]string {
	out := make(map[string]string, len(d.Params)+2)
	for k, v := range d.Params {
		out[k] = v
	}
	if d.Timeout != 0 {
		out[":timeout"] = d.Timeout.String()
	}
	if s := d.SNMP; s != nil {
		for k, v := range map[string]string{
			"version": s.Version, "community": s.Community, "user": s.User,
			"auth": strings.ToUpper(s.Auth), "auth_key": s.AuthKey,
			"priv": strings.ToUpper(s.Priv), "priv_key": s.PrivKey, "context": s.Context,
		} {
			if v != "" {
				out[":snmp."+k] = v
			}
		}
		if s.Port != 0 {
			out[":snmp.port"] = strconv.Itoa(s.Port)
		}
	}
	return out
}
