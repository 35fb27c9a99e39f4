package flow

import (
	"fmt"
	"net/netip"
)

// sFlow v2/v4 (RFC 3176) tags. Unlike v5, samples and extended data carry
// no length, so every structure must be parsed to find the next one.
const (
	sflowV4FlowSample    = 1
	sflowV4CounterSample = 2

	sflowV4PacketHeader = 1
	sflowV4PacketIPv4   = 2
	sflowV4PacketIPv6   = 3

	sflowV4ExtSwitch  = 1
	sflowV4ExtRouter  = 2
	sflowV4ExtGateway = 3
	sflowV4ExtUser    = 4
	sflowV4ExtURL     = 5

	sflowV4CountersGeneric   = 1
	sflowV4CountersEthernet  = 2
	sflowV4CountersTokenRing = 3
	sflowV4CountersFDDI      = 4
	sflowV4CountersVG        = 5
	sflowV4CountersWAN       = 6
	sflowV4CountersVLAN      = 7
)

// maxSFlowList bounds the element counts read from a datagram (samples,
// extended records, AS path entries, communities); the datagram's own
// size bounds them further.
const maxSFlowList = 1024

// decodeSFlowLegacy decodes an sFlow v2 or v4 datagram: flow samples (a
// sampled header, or the IPv4/IPv6 summary) with their extended data, and
// counter samples. v2 and v4 differ only in the extended gateway record.
func decodeSFlowLegacy(b []byte, p packetInfo, out *output) (sflowHeader, error) {
	c := cursor{b: b}
	version := c.u32()
	name := fmt.Sprintf("sflow%d", version)
	agent := sflowAddress(&c)
	h := sflowHeader{agent: agent, sequence: c.u32()}
	c.skip(4) // uptime
	n := c.u32()
	if c.short || !agent.IsValid() {
		return h, fmt.Errorf("%s: short or bad header: %w", name, ErrMalformed)
	}
	if n > maxSFlowList || uint64(n)*8 > uint64(c.left()) {
		return h, fmt.Errorf("%s: %d samples do not fit a %d-byte datagram: %w", name, n, len(b), ErrMalformed)
	}
	base := Record{Received: p.received, Start: p.received, End: p.received, Exporter: p.from, Version: name}
	for i := range n {
		switch t := c.u32(); t {
		case sflowV4FlowSample:
			r, ok := readV4FlowSample(&c, base, version)
			if c.short {
				return h, fmt.Errorf("%s: flow sample %d truncated: %w", name, i, ErrMalformed)
			}
			if ok {
				out.records = append(out.records, r)
			}
		case sflowV4CounterSample:
			ic, ok, err := readV4CounterSample(&c)
			if err != nil || c.short {
				return h, fmt.Errorf("%s: counter sample %d: %w", name, i, ErrMalformed)
			}
			if ok {
				ic.Exporter, ic.Agent, ic.Version, ic.Received = p.from, agent, name, p.received
				out.counters = append(out.counters, ic)
			}
		default:
			return h, fmt.Errorf("%s: sample %d has unknown type %d: %w", name, i, t, ErrMalformed)
		}
	}
	return h, nil
}

// sflowAddress reads an address_type-prefixed address.
func sflowAddress(c *cursor) netip.Addr {
	switch c.u32() {
	case 1:
		return c.ip4()
	case 2:
		return c.ip6().Unmap()
	}
	return netip.Addr{}
}

func readV4FlowSample(c *cursor, base Record, version uint32) (Record, bool) {
	r := base
	c.skip(8) // sequence, source id
	rate := c.u32()
	c.skip(8) // pool, drops
	r.InIf = c.u32()
	if out := c.u32(); out&0x80000000 == 0 { // top bit: several outputs
		r.OutIf = out
	}
	if rate == 0 {
		rate = 1
	}
	r.SamplingRate = rate
	var length uint64
	switch c.u32() {
	case sflowV4PacketHeader:
		proto, frame, hlen := c.u32(), c.u32(), c.u32()
		hdr := c.take(pad4(hlen))
		if hdr != nil {
			parseSampledHeader(proto, hdr[:hlen], &r)
		}
		length = uint64(frame)
	case sflowV4PacketIPv4:
		length = uint64(c.u32())
		r.Proto = uint8(c.u32())
		r.SrcAddr, r.DstAddr = c.ip4(), c.ip4()
		r.SrcPort, r.DstPort = uint16(c.u32()), uint16(c.u32())
		r.TCPFlags, r.ToS = uint8(c.u32()), uint8(c.u32())
	case sflowV4PacketIPv6:
		length = uint64(c.u32())
		r.Proto = uint8(c.u32())
		r.SrcAddr, r.DstAddr = c.ip6(), c.ip6()
		r.SrcPort, r.DstPort = uint16(c.u32()), uint16(c.u32())
		r.TCPFlags, r.ToS = uint8(c.u32()), uint8(c.u32())
	default:
		c.short = true // without a length there is no way past it
		return r, false
	}
	n := c.u32()
	if n > maxSFlowList {
		c.short = true
		return r, false
	}
	for range n {
		if c.short {
			return r, false
		}
		readV4Extended(c, &r, version)
	}
	if !r.SrcAddr.IsValid() {
		return r, false
	}
	r.Bytes = length * uint64(rate)
	r.Packets = uint64(rate)
	return r, true
}

// readV4Extended reads one extended data record into r (or past it).
func readV4Extended(c *cursor, r *Record, version uint32) {
	switch c.u32() {
	case sflowV4ExtSwitch:
		c.skip(16)
	case sflowV4ExtRouter:
		r.NextHop = sflowAddress(c)
		c.skip(8) // masks
	case sflowV4ExtGateway:
		c.skip(4) // this router's AS
		r.SrcAS = c.u32()
		c.skip(4)         // source peer AS
		if version == 2 { // a flat AS path
			n := c.u32()
			if n > maxSFlowList {
				c.short = true
				return
			}
			for range n {
				r.DstAS = c.u32()
			}
			return
		}
		segs := c.u32()
		if segs > maxSFlowList {
			c.short = true
			return
		}
		for range segs {
			c.skip(4) // segment type
			n := c.u32()
			if n > maxSFlowList {
				c.short = true
				return
			}
			for range n {
				r.DstAS = c.u32()
			}
		}
		n := c.u32() // communities
		if n > maxSFlowList {
			c.short = true
			return
		}
		c.skip(int(n)*4 + 4) // communities, local preference
	case sflowV4ExtUser:
		skipString(c)
		skipString(c)
	case sflowV4ExtURL:
		c.skip(4) // direction
		skipString(c)
	default:
		c.short = true // unknown and unsized
	}
}

func skipString(c *cursor) {
	n := c.u32()
	if n > 1<<16 {
		c.short = true
		return
	}
	c.skip(pad4(n))
}

func pad4(n uint32) int { return int((uint64(n) + 3) &^ 3) }

// readV4CounterSample reads a v2/v4 counter sample; ok is false for the
// VLAN counters, which have no interface.
func readV4CounterSample(c *cursor) (InterfaceCounters, bool, error) {
	var ic InterfaceCounters
	c.skip(12) // sequence, source id, sampling interval
	switch t := c.u32(); t {
	case sflowV4CountersGeneric, sflowV4CountersFDDI, sflowV4CountersWAN:
		readIfCounters(c, &ic)
	case sflowV4CountersEthernet:
		readIfCounters(c, &ic)
		c.skip(13 * 4)
	case sflowV4CountersTokenRing:
		readIfCounters(c, &ic)
		c.skip(18 * 4)
	case sflowV4CountersVG:
		readIfCounters(c, &ic)
		c.skip(80)
	case sflowV4CountersVLAN:
		c.skip(28)
		return ic, false, nil
	default:
		return ic, false, fmt.Errorf("unknown counters type %d", t)
	}
	return ic, true, nil
}
