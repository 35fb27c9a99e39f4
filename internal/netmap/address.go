package netmap

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// Addr returns the device's address when it is an IP literal; a DNS name
// has no address until resolved.
func (d Device) Addr() (netip.Addr, bool) {
	a, err := netip.ParseAddr(d.Address)
	return a, err == nil
}

// plain strips what must not affect subnet membership: an IPv6 zone, and
// the IPv4-mapped form (::ffff:192.0.2.1 is in 192.0.2.0/24).
func plain(a netip.Addr) netip.Addr { return a.WithZone("").Unmap() }

// checkAddress accepts an IPv4 or IPv6 literal or a syntactically valid DNS
// name. Anything that looks like an IP literal must be one: "300.1.1.1" is
// a bad address, not a host name.
func checkAddress(s string) error {
	if _, err := netip.ParseAddr(s); err == nil {
		return nil
	}
	if strings.HasPrefix(s, `\`) {
		if _, ok := NetBIOSName(s); !ok {
			return fmt.Errorf(`invalid NetBIOS name %q: \NAME with 1 to 15 characters, none of \ / : * ? " < > | . or spaces`, s)
		}
		return nil
	}
	if strings.Contains(s, ":") || !validHostname(s) {
		return fmt.Errorf("invalid address %q", s)
	}
	return nil
}

// validHostname checks RFC 1123 host name syntax, also allowing "_" (found
// in real Windows and service names) and one trailing dot. The last label
// must not be all digits (RFC 3696 §2), which refuses "300.1.1.1" and "10.1".
func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// parseMask reads a device mask written as a prefix length ("/25" or "25")
// or as a netmask ("255.255.255.128", "ffff:ffff:ffff:ffff::"). fam is 4 or
// 6 for a netmask and 0 for a bare length, whose family is the address's.
func parseMask(s string) (ones, fam int, err error) {
	bad := fmt.Errorf("invalid mask %q", s)
	if digits := strings.TrimPrefix(s, "/"); digits != "" && strings.Trim(digits, "0123456789") == "" {
		n, err := strconv.Atoi(digits)
		if err != nil || n > 128 {
			return 0, 0, bad
		}
		return n, 0, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return 0, 0, bad
	}
	zeros := false
	for _, b := range a.AsSlice() {
		n := bits.LeadingZeros8(^b) // leading one bits of b
		if zeros && b != 0 || b<<n != 0 {
			return 0, 0, fmt.Errorf("invalid mask %q: the one bits must be contiguous", s)
		}
		ones += n
		zeros = zeros || n < 8
	}
	if a.Is4() {
		return ones, 4, nil
	}
	return ones, 6, nil
}

// checkMask validates a device mask against the family of its address.
func checkMask(mask, address string) error {
	n, fam, err := parseMask(mask)
	if err != nil {
		return err
	}
	a, ok := Device{Address: address}.Addr()
	if !ok {
		return nil // a DNS name's family is unknown until resolved
	}
	a = a.Unmap()
	if a.Is4() && (n > 32 || fam == 6) || a.Is6() && fam == 4 {
		return fmt.Errorf("invalid mask %q for address %s", mask, address)
	}
	return nil
}

// checkCIDR accepts a prefix in canonical form. Host bits are refused
// rather than masked: "192.0.2.1/24" is more often a typo than a network.
func checkCIDR(s string) error {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return fmt.Errorf("bad CIDR %q", s)
	}
	if p.Masked() != p {
		return fmt.Errorf("bad CIDR %q: host bits are set (did you mean %s?)", s, p.Masked())
	}
	return nil
}

// Prefixes returns the network's valid CIDRs; invalid ones (only possible in
// a map that failed validation) are skipped.
func (n Network) Prefixes() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(n.CIDRs))
	for _, c := range n.CIDRs {
		if p, err := netip.ParsePrefix(c); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// Contains reports whether one of the network's CIDRs contains a.
func (n Network) Contains(a netip.Addr) bool {
	a = plain(a)
	for _, p := range n.Prefixes() {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// NetBIOSName returns NAME for an address written \NAME: a device known
// only by its Windows (NetBIOS) name, resolved by a NetBIOS name query on
// the local networks, never by DNS.
func NetBIOSName(addr string) (string, bool) {
	name, ok := strings.CutPrefix(addr, `\`)
	if !ok || name == "" || len(name) > 15 || strings.ContainsAny(name, `\/:*?"<>|. `) {
		return "", false
	}
	for _, c := range name {
		if c < 0x21 || c > 0x7e {
			return "", false
		}
	}
	return strings.ToUpper(name), true
}
