package flow

import (
	"encoding/binary"
	"net/netip"
)

// Byte-exact export builders for tests and fuzz seeds, following the
// Cisco NetFlow export formats, RFC 3954, RFC 7011 and RFC 3176 (sFlow v4).

type be []byte

func (b be) u8(v uint8) be   { return append(b, v) }
func (b be) u16(v uint16) be { return binary.BigEndian.AppendUint16(b, v) }
func (b be) u32(v uint32) be { return binary.BigEndian.AppendUint32(b, v) }
func (b be) u64(v uint64) be { return binary.BigEndian.AppendUint64(b, v) }
func (b be) ip(a string) be  { return append(b, netip.MustParseAddr(a).AsSlice()...) }
func (b be) raw(p []byte) be { return append(b, p...) }
func (b be) zeros(n int) be  { return append(b, make([]byte, n)...) }

// legacyFlow is one flow for the v1/v5/v7 builders.
type legacyFlow struct {
	src, dst, nexthop string
	in, out           uint16
	packets, bytes    uint32
	first, last       uint32
	sport, dport      uint16
	flags, proto, tos uint8
	srcAS, dstAS      uint16
}

// legacyHeaderTimes: uptime 100 s, export at 2024-01-01T00:00:00Z + 0.5 s.
const (
	testUptime   = 100000
	testUnixSecs = 1704067200
	testNsecs    = 500000000
)

func buildV1(flows []legacyFlow) []byte {
	b := be{}.u16(1).u16(uint16(len(flows))).u32(testUptime).u32(testUnixSecs).u32(testNsecs)
	for _, f := range flows {
		b = b.ip(f.src).ip(f.dst).ip(f.nexthop).u16(f.in).u16(f.out).u32(f.packets).u32(f.bytes).
			u32(f.first).u32(f.last).u16(f.sport).u16(f.dport).u16(0).u8(f.proto).u8(f.tos).u8(f.flags).zeros(7)
	}
	return b
}

func buildV5(seq uint32, sampling uint16, flows []legacyFlow) []byte {
	b := be{}.u16(5).u16(uint16(len(flows))).u32(testUptime).u32(testUnixSecs).u32(testNsecs).u32(seq).
		u8(1).u8(2).u16(sampling)
	for _, f := range flows {
		b = b.ip(f.src).ip(f.dst).ip(f.nexthop).u16(f.in).u16(f.out).u32(f.packets).u32(f.bytes).
			u32(f.first).u32(f.last).u16(f.sport).u16(f.dport).u8(0).u8(f.flags).u8(f.proto).u8(f.tos).
			u16(f.srcAS).u16(f.dstAS).u8(24).u8(16).u16(0)
	}
	return b
}

// buildV7 follows the Catalyst v7 layout: a reserved word ends the header;
// records are v5's with a flags byte in the first pad, a flags word after
// the masks and the bypassed router's address at the end.
func buildV7(seq uint32, flows []legacyFlow) []byte {
	b := be{}.u16(7).u16(uint16(len(flows))).u32(testUptime).u32(testUnixSecs).u32(testNsecs).u32(seq).u32(0)
	for _, f := range flows {
		b = b.ip(f.src).ip(f.dst).ip(f.nexthop).u16(f.in).u16(f.out).u32(f.packets).u32(f.bytes).
			u32(f.first).u32(f.last).u16(f.sport).u16(f.dport).u8(0xff).u8(f.flags).u8(f.proto).u8(f.tos).
			u16(f.srcAS).u16(f.dstAS).u8(24).u8(16).u16(0).ip("198.51.100.254")
	}
	return b
}

// field is a template field: IE id, length and (IPFIX) enterprise number.
type field struct {
	id, length uint16
	pen        uint32
}

// templateRecord encodes a template record (id, count, fields).
func templateRecord(id uint16, fields []field) be {
	b := be{}.u16(id).u16(uint16(len(fields)))
	for _, f := range fields {
		if f.pen != 0 {
			b = b.u16(f.id | 0x8000).u16(f.length).u32(f.pen)
		} else {
			b = b.u16(f.id).u16(f.length)
		}
	}
	return b
}

// set wraps a body in a set header, padding to 4 bytes.
func set(id uint16, body []byte) be {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	return be{}.u16(id).u16(uint16(len(body) + 4)).raw(body)
}

func buildV9(seq, sourceID uint32, sets ...[]byte) []byte {
	b := be{}.u16(9).u16(uint16(len(sets))).u32(testUptime).u32(testUnixSecs).u32(seq).u32(sourceID)
	for _, s := range sets {
		b = b.raw(s)
	}
	return b
}

func buildIPFIX(seq, domain uint32, sets ...[]byte) []byte {
	b := be{}.u16(10).u16(0).u32(testUnixSecs).u32(seq).u32(domain)
	for _, s := range sets {
		b = b.raw(s)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	return b
}

// sampledFrame is an Ethernet frame with an 802.1Q tag, IPv4 and TCP (or
// UDP) headers, as an sFlow agent would sample it.
func sampledFrame(src, dst string, proto uint8, sport, dport uint16, tcpFlags uint8) []byte {
	b := be{}.raw([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}).u16(0x8100).u16(100).u16(0x0800)
	b = b.u8(0x45).u8(0x10).u16(1500).u16(1).u16(0x4000).u8(64).u8(proto).u16(0).ip(src).ip(dst)
	b = b.u16(sport).u16(dport)
	if proto == 6 {
		b = b.u32(1).u32(0).u8(0x50).u8(tcpFlags).u16(1024).u32(0)
	} else {
		b = b.u16(1480).u16(0)
	}
	return b
}

// sflowV4Flow is a flow sample for buildSFlowV4.
type sflowV4Flow struct {
	rate, in, out uint32
	header        []byte // raw header (packet type 1); nil: an IPv4 summary
	frameLen      uint32
	src, dst      string
	gateway       bool // add an extended gateway record
}

// buildSFlowV4 builds an sFlow v2 or v4 datagram (RFC 3176): no sub-agent,
// and no lengths on samples or extended records.
func buildSFlowV4(version, seq uint32, flows []sflowV4Flow, counters []InterfaceCounters) []byte {
	b := be{}.u32(version).u32(1).ip("192.0.2.10").u32(seq).u32(123456).u32(uint32(len(flows) + len(counters)))
	for i, f := range flows {
		b = b.u32(1).u32(uint32(i)).u32(5).u32(f.rate).u32(1000).u32(0).u32(f.in).u32(f.out)
		if f.header != nil {
			b = b.u32(1).u32(1).u32(f.frameLen).u32(uint32(len(f.header))).raw(f.header)
			for len(f.header)%4 != 0 {
				f.header = append(f.header, 0)
				b = b.u8(0)
			}
		} else {
			b = b.u32(2).u32(f.frameLen).u32(17).ip(f.src).ip(f.dst).u32(53).u32(5353).u32(0).u32(0)
		}
		n := uint32(2)
		if f.gateway {
			n = 3
		}
		b = b.u32(n)
		b = b.u32(1).u32(100).u32(0).u32(200).u32(0)        // switch
		b = b.u32(2).u32(1).ip("192.0.2.1").u32(24).u32(16) // router
		if f.gateway {
			b = b.u32(3).u32(65000).u32(64512)
			if version == 2 {
				b = b.u32(64513).u32(2).u32(64600).u32(64601) // flat AS path
			} else {
				b = b.u32(64513).u32(1).u32(2).u32(2).u32(64600).u32(64601).u32(1).u32(0x12345678).u32(100)
			}
		}
	}
	for i, c := range counters {
		b = b.u32(2).u32(uint32(i)).u32(c.IfIndex).u32(30).u32(2) // ethernet counters
		b = b.u32(c.IfIndex).u32(c.IfType).u64(c.Speed).u32(c.Direction).u32(c.Status).
			u64(c.InOctets).u32(c.InUnicast).u32(c.InMulticast).u32(c.InBroadcast).u32(c.InDiscards).
			u32(c.InErrors).u32(c.InUnknownProtos).u64(c.OutOctets).u32(c.OutUnicast).u32(c.OutMulticast).
			u32(c.OutBroadcast).u32(c.OutDiscards).u32(c.OutErrors).u32(0).zeros(13 * 4)
	}
	return b
}
