package discover

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// The MIB objects discovery reads.
const (
	oidSysDescr    = "1.3.6.1.2.1.1.1.0"
	oidSysObjectID = "1.3.6.1.2.1.1.2.0"
	oidSysName     = "1.3.6.1.2.1.1.5.0"

	// ipAddrTable (RFC 1213): the IPv4 addresses and masks of an agent.
	oidIPAdEntAddr    = "1.3.6.1.2.1.4.20.1.1"
	oidIPAdEntIfIndex = "1.3.6.1.2.1.4.20.1.2"
	oidIPAdEntNetMask = "1.3.6.1.2.1.4.20.1.3"
	// ipAddressTable (RFC 4293): addresses of both families, the prefix
	// as a pointer into ipAddressPrefixTable whose index ends in the length.
	oidIPAddressIfIndex = "1.3.6.1.2.1.4.34.1.3"
	oidIPAddressPrefix  = "1.3.6.1.2.1.4.34.1.5"
	// ifDescr (ifTable) and ifName (ifXTable).
	oidIfDescr = "1.3.6.1.2.1.2.2.1.2"
	oidIfName  = "1.3.6.1.2.1.31.1.1.1.1"
	// LLDP-MIB lldpRemTable and lldpRemManAddrTable.
	oidLldpRemPortID    = "1.0.8802.1.1.2.1.4.1.1.7"
	oidLldpRemSysName   = "1.0.8802.1.1.2.1.4.1.1.9"
	oidLldpRemManAddrIf = "1.0.8802.1.1.2.1.4.2.1.4"
	// CISCO-CDP-MIB cdpCacheTable.
	oidCdpCacheAddress    = "1.3.6.1.4.1.9.9.23.1.2.1.1.4"
	oidCdpCacheDeviceID   = "1.3.6.1.4.1.9.9.23.1.2.1.1.6"
	oidCdpCacheDevicePort = "1.3.6.1.4.1.9.9.23.1.2.1.1.7"
)

// SNMPInfo is what an agent told about itself.
type SNMPInfo struct {
	// Creds are the credentials that worked; never shown (see Version).
	Creds       snmp.Credentials `json:"-"`
	Version     string           `json:"version"` // "v2c community=<secret>", "v3 user=…"
	SysName     string           `json:"sys_name,omitempty"`
	SysDescr    string           `json:"sys_descr,omitempty"`
	SysObjectID string           `json:"sys_object_id,omitempty"`
	// Addrs are the agent's own addresses with their prefixes and the
	// interface each is on.
	Addrs []IfAddr `json:"addrs,omitempty"`
	// Neighbors are LLDP and CDP neighbours.
	Neighbors []Neighbor `json:"neighbors,omitempty"`
	// Partial says which tables could not be read.
	Partial []string `json:"partial,omitempty"`
}

// IfAddr is one address of an agent (ipAddrTable or ipAddressTable).
type IfAddr struct {
	Prefix  netip.Prefix `json:"prefix"` // the address with its mask
	IfIndex int          `json:"if_index,omitempty"`
	IfName  string       `json:"if_name,omitempty"`
}

// Neighbor is a device an agent sees on one of its ports.
type Neighbor struct {
	Protocol   string     `json:"protocol"` // "lldp" or "cdp"
	LocalIf    string     `json:"local_if,omitempty"`
	RemoteName string     `json:"remote_name,omitempty"`
	RemotePort string     `json:"remote_port,omitempty"`
	RemoteAddr netip.Addr `json:"remote_addr,omitzero"`
}

// identify finds the first credentials the agent at addr answers, and
// reads sysName, sysDescr and sysObjectID with them.
func identify(ctx context.Context, c SNMPClient, addr netip.Addr, creds []snmp.Credentials, lim *limiter, p Plan) (*SNMPInfo, error) {
	var last error
	for _, cr := range creds {
		if err := lim.wait(ctx); err != nil {
			return nil, err
		}
		// Twice the answer wait: the client retries once on its own.
		cctx, cancel := context.WithTimeout(ctx, 2*p.Timeout)
		vals, err := c.Get(cctx, snmp.Target{Address: addr.String(), Creds: cr}, oidSysName, oidSysDescr, oidSysObjectID)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			last = err
			continue
		}
		info := &SNMPInfo{Creds: cr, Version: cr.String()}
		for _, v := range vals {
			if !v.Exists() {
				continue
			}
			switch v.OID {
			case oidSysName:
				info.SysName = cleanText(v.AsString())
			case oidSysDescr:
				info.SysDescr = cleanText(v.AsString())
			case oidSysObjectID:
				info.SysObjectID = v.AsString()
			}
		}
		return info, nil
	}
	if last == nil {
		last = errors.New("no credentials to try")
	}
	return nil, last
}

// readTables reads the agent's addresses, interface names and neighbours
// into info. A table the agent lacks or refuses is noted in Partial.
func readTables(ctx context.Context, c SNMPClient, addr netip.Addr, info *SNMPInfo) {
	t := snmp.Target{Address: addr.String(), Creds: info.Creds}
	table := func(what string, cols ...string) map[string]map[string]snmp.Value {
		rows, err := c.Table(ctx, t, cols...)
		if err != nil {
			info.Partial = append(info.Partial, fmt.Sprintf("%s: %v", what, err))
			return nil
		}
		return rows
	}
	ifNames := map[int]string{}
	for idx, row := range table("ifTable", oidIfDescr) {
		if n, err := strconv.Atoi(idx); err == nil {
			ifNames[n] = cleanText(row[oidIfDescr].AsString())
		}
	}
	for idx, row := range table("ifXTable", oidIfName) {
		if n, err := strconv.Atoi(idx); err == nil && row[oidIfName].Exists() {
			if s := cleanText(row[oidIfName].AsString()); s != "" {
				ifNames[n] = s
			}
		}
	}
	seen := map[netip.Addr]bool{}
	for _, row := range table("ipAddrTable", oidIPAdEntAddr, oidIPAdEntIfIndex, oidIPAdEntNetMask) {
		a, err1 := netip.ParseAddr(row[oidIPAdEntAddr].Text)
		m, err2 := netip.ParseAddr(row[oidIPAdEntNetMask].Text)
		if err1 != nil || err2 != nil || !a.Is4() || !m.Is4() {
			continue
		}
		bits, ok := maskBits(m)
		if !ok {
			continue
		}
		ifi, _ := row[oidIPAdEntIfIndex].AsInt()
		info.Addrs = append(info.Addrs, IfAddr{Prefix: netip.PrefixFrom(a, bits), IfIndex: int(ifi), IfName: ifNames[int(ifi)]})
		seen[a] = true
	}
	for idx, row := range table("ipAddressTable", oidIPAddressIfIndex, oidIPAddressPrefix) {
		a, ok := inetAddressIndex(idx)
		if !ok || seen[a] {
			continue
		}
		bits, ok := prefixLenFromPointer(row[oidIPAddressPrefix].Text)
		if !ok || bits > a.BitLen() {
			continue
		}
		ifi, _ := row[oidIPAddressIfIndex].AsInt()
		info.Addrs = append(info.Addrs, IfAddr{Prefix: netip.PrefixFrom(a, bits), IfIndex: int(ifi), IfName: ifNames[int(ifi)]})
		seen[a] = true
	}
	readNeighbors(table, ifNames, info)
}

// readNeighbors adds the LLDP and CDP neighbours. Missing MIBs are the
// rule (net-snmp has neither), so their absence is not noted.
func readNeighbors(table func(string, ...string) map[string]map[string]snmp.Value, ifNames map[int]string, info *SNMPInfo) {
	partial := len(info.Partial)
	// lldpRemTable index: timeMark.localPortNum.remIndex.
	lldp := map[string]*Neighbor{}
	for idx, row := range table("lldpRemTable", oidLldpRemSysName, oidLldpRemPortID) {
		parts := strings.Split(idx, ".")
		if len(parts) != 3 {
			continue
		}
		port, _ := strconv.Atoi(parts[1])
		n := &Neighbor{Protocol: "lldp", LocalIf: ifLabel(ifNames, port), RemoteName: cleanText(row[oidLldpRemSysName].AsString()),
			RemotePort: cleanText(row[oidLldpRemPortID].AsString())}
		lldp[idx] = n
	}
	// lldpRemManAddrTable index: timeMark.localPortNum.remIndex.subtype.len.addr…
	for idx := range table("lldpRemManAddrTable", oidLldpRemManAddrIf) {
		parts := strings.SplitN(idx, ".", 4)
		if len(parts) != 4 {
			continue
		}
		if n := lldp[strings.Join(parts[:3], ".")]; n != nil && !n.RemoteAddr.IsValid() {
			if a, ok := inetAddressIndex(parts[3]); ok {
				n.RemoteAddr = a
			}
		}
	}
	for _, n := range lldp {
		info.Neighbors = append(info.Neighbors, *n)
	}
	// cdpCacheTable index: ifIndex.deviceIndex.
	for idx, row := range table("cdpCacheTable", oidCdpCacheAddress, oidCdpCacheDeviceID, oidCdpCacheDevicePort) {
		port, _, _ := strings.Cut(idx, ".")
		p, _ := strconv.Atoi(port)
		n := Neighbor{Protocol: "cdp", LocalIf: ifLabel(ifNames, p), RemoteName: cleanText(row[oidCdpCacheDeviceID].AsString()),
			RemotePort: cleanText(row[oidCdpCacheDevicePort].AsString())}
		if b := row[oidCdpCacheAddress].Bytes; len(b) == 4 {
			n.RemoteAddr = netip.AddrFrom4([4]byte(b))
		}
		info.Neighbors = append(info.Neighbors, n)
	}
	info.Partial = info.Partial[:partial]
}

func ifLabel(names map[int]string, idx int) string {
	if s := names[idx]; s != "" {
		return s
	}
	if idx > 0 {
		return strconv.Itoa(idx)
	}
	return ""
}

// maskBits is the prefix length of a contiguous netmask.
func maskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&0x80000000 != 0 {
		ones++
		v <<= 1
	}
	return ones, v == 0
}

// inetAddressIndex decodes an InetAddressType.InetAddress index suffix:
// "1.4.a.b.c.d" (IPv4) or "2.16.x…" (IPv6). Zoned types are skipped.
func inetAddressIndex(idx string) (netip.Addr, bool) {
	parts := strings.Split(idx, ".")
	if len(parts) < 2 {
		return netip.Addr{}, false
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || (parts[0] != "1" || n != 4) && (parts[0] != "2" || n != 16) || len(parts) != 2+n {
		return netip.Addr{}, false
	}
	b := make([]byte, n)
	for i := range n {
		v, err := strconv.Atoi(parts[2+i])
		if err != nil || v < 0 || v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	a, ok := netip.AddrFromSlice(b)
	return a, ok
}

// prefixLenFromPointer reads the prefix length at the end of an
// ipAddressPrefix value: ipAddressPrefixOrigin.ifIndex.type.len.addr….length.
func prefixLenFromPointer(oid string) (int, bool) {
	i := strings.LastIndexByte(oid, '.')
	if i < 0 || !strings.HasPrefix(oid, "1.3.6.1.2.1.4.32.1.") {
		return 0, false
	}
	n, err := strconv.Atoi(oid[i+1:])
	return n, err == nil && n >= 0 && n <= 128
}

// cleanText keeps what an agent says printable and short enough for a
// name, note or label.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > 255 {
		s = s[:255]
	}
	return strings.ToValidUTF8(s, "")
}
