package flow

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"time"
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
	boot := bootTime(unixSecs, unixNsecs, uptime)
	return boot.Add(time.Duration(first) * time.Millisecond), boot.Add(time.Duration(last) * time.Millisecond)
}

// bootTime is when the exporter's uptime clock was zero, from a header's
// export time and uptime.
func bootTime(unixSecs, unixNsecs, uptime uint32) time.Time {
	return time.Unix(int64(unixSecs), int64(unixNsecs)).Add(-time.Duration(uptime) * time.Millisecond)
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

// decodeV5 decodes a NetFlow v5 datagram (24-byte header, 48-byte
// records). The layout is fixed, so it is read in place: goflow2's
// reflection-based reader took a third of the collector's time per record
// at a million records a second (bench/flows BenchmarkPipelineCycling).
// The sampling interval is the low 14 bits of the header field; the top
// two are the sampling mode.
func decodeV5(b []byte, p packetInfo, out []Record) ([]Record, legacyHeader, error) {
	if len(b) < v5Header {
		return out, legacyHeader{}, fmt.Errorf("netflow5: short header: %w", ErrMalformed)
	}
	be := binary.BigEndian
	count := int(be.Uint16(b[2:]))
	if err := checkLegacyCount("netflow5", count, len(b), v5Header, v5Record, v5Max); err != nil {
		return out, legacyHeader{}, err
	}
	uptime, secs, nsecs, seq := be.Uint32(b[4:]), be.Uint32(b[8:]), be.Uint32(b[12:]), be.Uint32(b[16:])
	domain := uint32(b[20])<<8 | uint32(b[21])
	rate := uint32(be.Uint16(b[22:]) & 0x3fff)
	if rate == 0 {
		rate = 1
	}
	boot := bootTime(secs, nsecs, uptime)
	out = slices.Grow(out, count)
	for i := range count {
		f := b[v5Header+i*v5Record : v5Header+(i+1)*v5Record]
		out = append(out, Record{
			Received: p.received, Exporter: p.from, Domain: domain, Version: "netflow5",
			SrcAddr: v4(be.Uint32(f[0:])), DstAddr: v4(be.Uint32(f[4:])), NextHop: nonZero(v4(be.Uint32(f[8:]))),
			InIf: uint32(be.Uint16(f[12:])), OutIf: uint32(be.Uint16(f[14:])),
			Packets: uint64(be.Uint32(f[16:])) * uint64(rate), Bytes: uint64(be.Uint32(f[20:])) * uint64(rate),
			Start:   boot.Add(time.Duration(be.Uint32(f[24:])) * time.Millisecond),
			End:     boot.Add(time.Duration(be.Uint32(f[28:])) * time.Millisecond),
			SrcPort: be.Uint16(f[32:]), DstPort: be.Uint16(f[34:]),
			TCPFlags: f[37], Proto: f[38], ToS: f[39],
			SrcAS: uint32(be.Uint16(f[40:])), DstAS: uint32(be.Uint16(f[42:])),
			SamplingRate: rate,
		})
	}
	return out, legacyHeader{count: count, sequence: seq, domain: domain}, nil
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
