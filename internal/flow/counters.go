package flow

import (
	"net/netip"
	"time"
)

// InterfaceCounters is one sFlow counter sample's generic interface
// counters (RFC 2233 ifTable values as the agent read them), kept per
// exporter and ifIndex so interface utilisation is known even where SNMP is
// not polled. Counters are running totals: rates come from two samples.
type InterfaceCounters struct {
	Exporter netip.Addr `json:"exporter"`
	// Agent is the agent address inside the datagram, which may differ
	// from the address it came from.
	Agent    netip.Addr `json:"agent"`
	Version  string     `json:"version"`
	Received time.Time  `json:"time"`
	IfIndex  uint32     `json:"if_index"`
	IfType   uint32     `json:"if_type"`
	// Speed is in bits per second.
	Speed uint64 `json:"speed"`
	// Direction is 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out.
	Direction uint32 `json:"direction"`
	// Status: bit 0 is ifAdminStatus up, bit 1 ifOperStatus up.
	Status      uint32 `json:"status"`
	Promiscuous bool   `json:"promiscuous"`

	InOctets        uint64 `json:"in_octets"`
	InUnicast       uint32 `json:"in_unicast"`
	InMulticast     uint32 `json:"in_multicast"`
	InBroadcast     uint32 `json:"in_broadcast"`
	InDiscards      uint32 `json:"in_discards"`
	InErrors        uint32 `json:"in_errors"`
	InUnknownProtos uint32 `json:"in_unknown_protos"`
	OutOctets       uint64 `json:"out_octets"`
	OutUnicast      uint32 `json:"out_unicast"`
	OutMulticast    uint32 `json:"out_multicast"`
	OutBroadcast    uint32 `json:"out_broadcast"`
	OutDiscards     uint32 `json:"out_discards"`
	OutErrors       uint32 `json:"out_errors"`
}

// unknownCounter is what sFlow agents send for a counter they do not keep.
const unknownCounter = 0xffffffff

// InPackets is the sum of the inbound packet counters the agent keeps.
func (c InterfaceCounters) InPackets() uint64 {
	return known(c.InUnicast) + known(c.InMulticast) + known(c.InBroadcast)
}

// OutPackets is the sum of the outbound packet counters the agent keeps.
func (c InterfaceCounters) OutPackets() uint64 {
	return known(c.OutUnicast) + known(c.OutMulticast) + known(c.OutBroadcast)
}

func known(v uint32) uint64 {
	if v == unknownCounter {
		return 0
	}
	return uint64(v)
}

// readIfCounters reads sFlow's generic interface counters structure (88
// bytes, the same in v2, v4 and v5).
func readIfCounters(c *cursor, ic *InterfaceCounters) {
	ic.IfIndex, ic.IfType, ic.Speed = c.u32(), c.u32(), c.u64()
	ic.Direction, ic.Status = c.u32(), c.u32()
	ic.InOctets = c.u64()
	ic.InUnicast, ic.InMulticast, ic.InBroadcast = c.u32(), c.u32(), c.u32()
	ic.InDiscards, ic.InErrors, ic.InUnknownProtos = c.u32(), c.u32(), c.u32()
	ic.OutOctets = c.u64()
	ic.OutUnicast, ic.OutMulticast, ic.OutBroadcast = c.u32(), c.u32(), c.u32()
	ic.OutDiscards, ic.OutErrors = c.u32(), c.u32()
	ic.Promiscuous = c.u32() == 1
}
