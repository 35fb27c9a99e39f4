package flow

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"
)

// Fixed layouts of the NetFlow versions before templates (Cisco NetFlow
// Export Datagram Format): header size, record size and the most records
// an exporter puts in one datagram. Cisco caps v1 at 24 records, but
// softflowd sends more (26 in one datagram), so for v1 only the datagram
// size bounds the count.
const (
	v1Header, v1Record, v1Max = 16, 48, 0
	v5Header, v5Record, v5Max = 24, 48, 30
	v7Header, v7Record, v7Max = 24, 52, 27
)

// legacyHeader is what sequence tracking needs from a v1/v5/v7 header.
type legacyHeader struct {
	count    int
	sequence uint32 // flows exported before this datagram (v5, v7)
	domain   uint32 // engine type << 8 | engine id (v5)
}

// checkLegacyCount rejects a header count that cannot be true: more
// records than the version allows, or more than the datagram holds. A
// corrupt count (55582 in a 1464-byte datagram) would otherwise make
// decoders produce tens of thousands of empty records.
func checkLegacyCount(version string, count, size, header, record, most int) error {
	if (most > 0 && count > most) || header+record*count > size {
		return fmt.Errorf("%s: header count %d does not fit a %d-byte datagram (at most %d records of %d bytes): %w",
			version, count, size, most, record, ErrMalformed)
	}
	return nil
}

// legacyTimes turns the uptime-relative first/last of a record into wall
// clock times using the header's export time and uptime.
func legacyTimes(unixSecs, unixNsecs, uptime, first, last uint32) (time.Time, time.Time) {
	export := time.Unix(int64(unixSecs), int64(unixNsecs))
	boot := export.Add(-time.Duration(uptime) * time.Millisecond)
	return boot.Add(time.Duration(first) * time.Millisecond), boot.Add(time.Duration(last) * time.Millisecond)
}

// decodeV1 decodes a NetFlow v1 datagram (16-byte header, 48-byte
// records); goflow2 has no v1 decoder.
func decodeV1(b []byte, p packetInfo, out []Record) ([]Record, legacyHeader, error) {
	c := cursor{b: b}
	c.skip(2)
	count := int(c.u16())
	uptime, secs, nsecs := c.u32(), c.u32(), c.u32()
	if c.short {
		return out, legacyHeader{}, fmt.Errorf("netflow1: short header: %w", ErrMalformed)
	}
	if err := checkLegacyCount("netflow1", count, len(b), v1Header, v1Record, v1Max); err != nil {
		return out, legacyHeader{}, err
	}
	for range count {
		r := Record{Received: p.received, Exporter: p.from, Version: "netflow1", SamplingRate: 1}
		r.SrcAddr, r.DstAddr, r.NextHop = c.ip4(), c.ip4(), nonZero(c.ip4())
		r.InIf, r.OutIf = uint32(c.u16()), uint32(c.u16())
		r.Packets, r.Bytes = uint64(c.u32()), uint64(c.u32())
		first, last := c.u32(), c.u32()
		r.SrcPort, r.DstPort = c.u16(), c.u16()
		c.skip(2)
		r.Proto, r.ToS, r.TCPFlags = c.u8(), c.u8(), c.u8()
		c.skip(7)
		r.Start, r.End = legacyTimes(secs, nsecs, uptime, first, last)
		out = append(out, r)
	}
	return out, legacyHeader{count: count}, nil
}

// decodeV7 decodes a NetFlow v7 datagram (Catalyst switches: 24-byte
// header with a reserved word, 52-byte records that add flags and the
// bypassed router's address to the v5 layout); goflow2 has no v7 decoder.
func decodeV7(b []byte, p packetInfo, out []Record) ([]Record, legacyHeader, error) {
	c := cursor{b: b}
	c.skip(2)
	count := int(c.u16())
	uptime, secs, nsecs, seq := c.u32(), c.u32(), c.u32(), c.u32()
	c.skip(4)
	if c.short {
		return out, legacyHeader{}, fmt.Errorf("netflow7: short header: %w", ErrMalformed)
	}
	if err := checkLegacyCount("netflow7", count, len(b), v7Header, v7Record, v7Max); err != nil {
		return out, legacyHeader{}, err
	}
	for range count {
		r := Record{Received: p.received, Exporter: p.from, Version: "netflow7", SamplingRate: 1}
		r.SrcAddr, r.DstAddr, r.NextHop = c.ip4(), c.ip4(), nonZero(c.ip4())
		r.InIf, r.OutIf = uint32(c.u16()), uint32(c.u16())
		r.Packets, r.Bytes = uint64(c.u32()), uint64(c.u32())
		first, last := c.u32(), c.u32()
		r.SrcPort, r.DstPort = c.u16(), c.u16()
		c.skip(1) // flags: which fields are valid
		r.TCPFlags, r.Proto, r.ToS = c.u8(), c.u8(), c.u8()
		r.SrcAS, r.DstAS = uint32(c.u16()), uint32(c.u16())
		c.skip(2 + 2 + 4) // masks, flags, router_sc
		r.Start, r.End = legacyTimes(secs, nsecs, uptime, first, last)
		out = append(out, r)
	}
	return out, legacyHeader{count: count, sequence: seq}, nil
}

// decodeV5 decodes NetFlow v5 with goflow2 after checking the header
// count against the datagram size (goflow2 allocates count records and
// leaves the missing ones zero). The sampling interval is the low 14 bits
// of the header field; the top two are the sampling mode.
func decodeV5(b []byte, p packetInfo, out []Record) ([]Record, legacyHeader, error) {
	if len(b) < v5Header {
		return out, legacyHeader{}, fmt.Errorf("netflow5: short header: %w", ErrMalformed)
	}
	count := int(b[2])<<8 | int(b[3])
	if err := checkLegacyCount("netflow5", count, len(b), v5Header, v5Record, v5Max); err != nil {
		return out, legacyHeader{}, err
	}
	var pkt netflowlegacy.PacketNetFlowV5
	if err := netflowlegacy.DecodeMessageVersion(bytes.NewBuffer(b), &pkt); err != nil {
		return out, legacyHeader{}, fmt.Errorf("netflow5: %w: %w", err, ErrMalformed)
	}
	rate := uint32(pkt.SamplingInterval & 0x3fff)
	if rate == 0 {
		rate = 1
	}
	domain := uint32(pkt.EngineType)<<8 | uint32(pkt.EngineId)
	for _, f := range pkt.Records {
		r := Record{
			Received: p.received, Exporter: p.from, Domain: domain, Version: "netflow5",
			SrcAddr: v4(uint32(f.SrcAddr)), DstAddr: v4(uint32(f.DstAddr)), NextHop: nonZero(v4(uint32(f.NextHop))),
			SrcPort: f.SrcPort, DstPort: f.DstPort, Proto: f.Proto, TCPFlags: f.TCPFlags, ToS: f.Tos,
			Bytes: uint64(f.DOctets) * uint64(rate), Packets: uint64(f.DPkts) * uint64(rate),
			SamplingRate: rate, InIf: uint32(f.Input), OutIf: uint32(f.Output),
			SrcAS: uint32(f.SrcAS), DstAS: uint32(f.DstAS),
		}
		r.Start, r.End = legacyTimes(pkt.UnixSecs, pkt.UnixNSecs, pkt.SysUptime, f.First, f.Last)
		out = append(out, r)
	}
	return out, legacyHeader{count: count, sequence: pkt.FlowSequence, domain: domain}, nil
}

func v4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// nonZero maps 0.0.0.0 and :: (what exporters send for "no next hop")
// to the zero Addr.
func nonZero(a netip.Addr) netip.Addr {
	if a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}
