package discover

import (
	"net/netip"
	"slices"
	"strings"
)

// Link sources.
const (
	HowIPAddrTable = "ipAddrTable"
	HowLLDP        = "lldp"
	HowCDP         = "cdp"
)

// topology fills r.Subnets and r.Links from the hosts, and each host's
// Subnet and Mask.
//
// Subnets are the prefixes the agents report for their own addresses
// (ipAddrTable masks, ipAddressTable prefixes) that overlap a scanned
// range: a router's other networks outside the ranges are left off the
// map, as nothing there was scanned. A host no agent describes is put in
// the most specific known subnet holding it, else in the range it was
// found in (its real mask unknown). Host routes (/32, /128), loopback and
// link-local prefixes are never subnets.
//
// Links: an agent with an address in a subnet is linked to it through
// that address's interface (so a router joins every subnet it has an
// address in); LLDP and CDP neighbours that are hosts of this scan are
// linked to the agent, port to port. ARP and bridge tables are not read:
// on the scanned subnets they add no link the ovals do not already draw.
func topology(r *Result) {
	known := map[netip.Prefix]bool{}
	for _, h := range r.Hosts {
		if h.SNMP == nil {
			continue
		}
		for _, ia := range h.SNMP.Addrs {
			if p, ok := subnetOf(ia.Prefix, r.Ranges); ok {
				known[p] = true
			}
		}
	}
	byAddr := map[netip.Addr]int{}
	bySysName := map[string]int{}
	for i := range r.Hosts {
		h := &r.Hosts[i]
		byAddr[h.Addr] = i
		if h.SNMP != nil && h.SNMP.SysName != "" {
			bySysName[strings.ToLower(h.SNMP.SysName)] = i
		}
		if ia, ok := h.ownAddr(); ok {
			h.Mask = ia.Prefix.Bits()
		}
		h.Subnet = mostSpecific(h.Addr, known)
		if !h.Subnet.IsValid() {
			for _, p := range r.Ranges {
				if p.Contains(h.Addr) {
					h.Subnet = p
				}
			}
		}
	}
	for p := range known {
		r.Subnets = append(r.Subnets, Subnet{Prefix: p, Source: "snmp"})
	}
	for _, h := range r.Hosts {
		if !known[h.Subnet] && h.Subnet.IsValid() && !slices.ContainsFunc(r.Subnets, func(s Subnet) bool { return s.Prefix == h.Subnet }) {
			r.Subnets = append(r.Subnets, Subnet{Prefix: h.Subnet, Source: "scan"})
		}
	}
	slices.SortFunc(r.Subnets, func(a, b Subnet) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) })

	seen := map[string]bool{}
	add := func(l FoundLink) {
		k := l.From.String() + " " + l.ToSubnet.String() + " " + l.ToHost.String()
		rk := l.ToHost.String() + " " + l.ToSubnet.String() + " " + l.From.String()
		if !seen[k] && !seen[rk] {
			seen[k] = true
			r.Links = append(r.Links, l)
		}
	}
	for _, h := range r.Hosts {
		if h.SNMP == nil {
			continue
		}
		for _, ia := range h.SNMP.Addrs {
			if p, ok := subnetOf(ia.Prefix, r.Ranges); ok && known[p] {
				add(FoundLink{From: h.Addr, ToSubnet: p, FromInterface: ifLabel(map[int]string{ia.IfIndex: ia.IfName}, ia.IfIndex), How: HowIPAddrTable})
			}
		}
		for _, n := range h.SNMP.Neighbors {
			j, ok := byAddr[n.RemoteAddr]
			if !ok && n.RemoteName != "" {
				j, ok = bySysName[strings.ToLower(n.RemoteName)]
			}
			if ok && r.Hosts[j].Addr != h.Addr {
				add(FoundLink{From: h.Addr, ToHost: r.Hosts[j].Addr, FromInterface: n.LocalIf, ToInterface: n.RemotePort, How: n.Protocol})
			}
		}
	}
}

// ownAddr is the agent's ipAddrTable entry for the address it was found at.
func (h Host) ownAddr() (IfAddr, bool) {
	if h.SNMP == nil {
		return IfAddr{}, false
	}
	for _, ia := range h.SNMP.Addrs {
		if ia.Prefix.Addr() == h.Addr {
			return ia, true
		}
	}
	return IfAddr{}, false
}

// subnetOf is the network of an interface address, when it is a subnet
// worth an oval and overlaps a scanned range.
func subnetOf(ia netip.Prefix, ranges []netip.Prefix) (netip.Prefix, bool) {
	a := ia.Addr()
	if a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || ia.Bits() >= a.BitLen() || ia.Bits() == 0 {
		return netip.Prefix{}, false
	}
	p := ia.Masked()
	for _, r := range ranges {
		if r.Overlaps(p) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func mostSpecific(a netip.Addr, known map[netip.Prefix]bool) netip.Prefix {
	var best netip.Prefix
	for p := range known {
		if p.Contains(a) && (!best.IsValid() || p.Bits() > best.Bits()) {
			best = p
		}
	}
	return best
}
