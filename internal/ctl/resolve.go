package ctl

import "strings"

// Sep separates a map from a device in a reference: "Campus~gw". A tilde
// is rare in names, unlike ':' (IPv6 addresses) and '/' (subnets).
const Sep = "~"

// Ref names a device on a map.
func Ref(mapName, device string) string { return mapName + Sep + device }

// Resolve finds a device by "MAP~DEVICE", or by its name alone when that
// name is on exactly one map (names may repeat across maps).
func Resolve(b Backend, ref string) (Device, error) {
	if m, d, ok := strings.Cut(ref, Sep); ok {
		dev, found := b.Status(m, d)
		if !found {
			return Device{}, errorf(ErrNotFound, "no device %q on map %q", d, m)
		}
		return dev, nil
	}
	var hits []Device
	for _, m := range b.Maps() {
		if d, ok := b.Status(m.Name, ref); ok {
			hits = append(hits, d)
		}
	}
	switch len(hits) {
	case 0:
		return Device{}, errorf(ErrNotFound, "no device %q on any map", ref)
	case 1:
		return hits[0], nil
	}
	var refs []string
	for _, d := range hits {
		refs = append(refs, Ref(d.Map, d.Name))
	}
	return Device{}, errorf(ErrUsage, "%q is on several maps; say which: %s", ref, strings.Join(refs, ", "))
}
