package netmap

import (
	"fmt"
	"net/netip"
	"strings"
)

// AutoLinks returns the device–network links implied by addresses, as
// InterMapper draws them: a device is linked to every network one of whose
// CIDRs contains its address, IPv4 or IPv6. Devices known by DNS name get
// none; see AutoLinksResolved. The links have Auto set.
func (m *Map) AutoLinks() []Link { return m.AutoLinksResolved(nil) }

// AutoLinksResolved is AutoLinks with the addresses of DNS-name devices
// supplied by resolve (e.g. from the poller's last lookup). resolve may be
// nil, and may return nil for a name it does not know yet.
func (m *Map) AutoLinksResolved(resolve func(name string) []netip.Addr) []Link {
	var out []Link
	for _, d := range m.Devices {
		addrs := m.addrs(d, resolve)
		if len(addrs) == 0 {
			continue
		}
		for _, n := range m.Networks {
			for _, a := range addrs {
				if n.Contains(a) {
					out = append(out, Link{From: d.Name, To: n.Name, Auto: true})
					break
				}
			}
		}
	}
	return out
}

func (m *Map) addrs(d Device, resolve func(string) []netip.Addr) []netip.Addr {
	if a, ok := d.Addr(); ok {
		return []netip.Addr{a}
	}
	if resolve != nil && d.Address != "" {
		return resolve(d.Address)
	}
	return nil
}

// AllLinks returns the explicit links followed by the auto links that no
// explicit link already covers (in either direction).
func (m *Map) AllLinks() []Link { return m.AllLinksResolved(nil) }

// AllLinksResolved is AllLinks with DNS-name devices resolved by resolve.
func (m *Map) AllLinksResolved(resolve func(name string) []netip.Addr) []Link {
	out := make([]Link, 0, len(m.Links))
	seen := map[[2]string]bool{}
	add := func(l Link) {
		k := linkKey(l)
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	for _, l := range m.Links {
		l.Auto = false
		add(l)
	}
	for _, l := range m.AutoLinksResolved(resolve) {
		add(l)
	}
	return out
}

// linkKey identifies a link regardless of direction.
func linkKey(l Link) [2]string {
	if l.From > l.To {
		return [2]string{l.To, l.From}
	}
	return [2]string{l.From, l.To}
}

// CheckLink reports why l cannot be drawn on m: an endpoint that is neither
// a device nor a network, a link to itself, or a device–network link whose
// network contains none of the device's addresses (InterMapper makes such a
// link "jump back"). A device known by DNS name, a network without CIDRs
// (an unnumbered cloud), and a link naming the device's interface (a
// router's other subnets) may be linked freely. Duplicates are not
// checked here. The error is a *FileError without file or line.
func (m *Map) CheckLink(l Link) error {
	if reason := checkLink(l, m.endpoint); reason != "" {
		return &FileError{Reason: reason}
	}
	return nil
}

func (m *Map) endpoint(name string) (*Device, *Network) {
	if d := m.FindDevice(name); d != nil {
		return d, nil
	}
	return nil, m.FindNetwork(name)
}

// checkLink is CheckLink over any endpoint lookup, so validation can use
// an index on large maps. It returns the reason, or "".
func checkLink(l Link, find func(string) (*Device, *Network)) string {
	var devs [2]*Device
	var nets [2]*Network
	for i, name := range []string{l.From, l.To} {
		if name == "" {
			return "link endpoint is missing"
		}
		devs[i], nets[i] = find(name)
		if devs[i] == nil && nets[i] == nil {
			return fmt.Sprintf("unknown link endpoint %q", name)
		}
	}
	if l.From == l.To {
		return fmt.Sprintf("link from %q to itself", l.From)
	}
	d, n, iface := devs[0], nets[1], l.FromInterface
	if d == nil {
		d, n, iface = devs[1], nets[0], l.ToInterface
	}
	if d == nil || n == nil || len(n.CIDRs) == 0 || iface != "" {
		// A link that names the device's interface says how the device
		// reaches the network (a router's other interfaces, learnt by
		// SNMP), whatever address the device is polled at.
		return ""
	}
	a, ok := d.Addr()
	if !ok || n.Contains(a) {
		return ""
	}
	return fmt.Sprintf("device %q (%s) is not in network %q (%s)", d.Name, d.Address, n.Name, strings.Join(n.CIDRs, ", "))
}

// MaskMismatch compares a device's own mask, when set, with the prefix
// length of every network CIDR containing its address, and describes each
// disagreement, e.g. `device mask /25 disagrees with network "lan"
// 192.0.2.0/24`. A wrong mask on one side is why a device will not stay in
// the oval the user expects, so the status window shows these.
func (m *Map) MaskMismatch(d Device) []string {
	if d.Mask == "" {
		return nil
	}
	ones, _, err := parseMask(d.Mask)
	a, ok := d.Addr()
	if err != nil || !ok {
		return nil
	}
	a = plain(a)
	var out []string
	for _, n := range m.Networks {
		for _, p := range n.Prefixes() {
			if p.Contains(a) && p.Bits() != ones {
				out = append(out, fmt.Sprintf("device mask /%d disagrees with network %q %s", ones, n.Name, p))
			}
		}
	}
	return out
}
