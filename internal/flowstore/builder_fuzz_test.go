package flowstore

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
)

// FuzzBuilder feeds random records: the builder never panics, and every
// byte and packet received comes out in exactly one session (duplicates
// included), with client and server the record's two ends. A second
// builder whose key hashes collide nearly always (chained sessions) must
// give the very same sessions.
func FuzzBuilder(f *testing.F) {
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20"), uint8(3))
	f.Add(make([]byte, 96), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, maxOpen uint8) {
		cfg := DefaultBuilderConfig()
		cfg.MaxOpen = int(maxOpen%8) + 1
		cfg.Active = 30 * time.Second
		b, err := NewBuilder(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		collide, _ := NewBuilder(cfg, nil)
		collide.hashKey = func(pk packedKey) uint64 { return uint64(pk[len(pk)-1] & 1) }
		var recs []flow.Record
		var bytes, packets uint64
		for len(data) >= 24 {
			c := data[:24]
			data = data[24:]
			addr := func(v byte) netip.Addr {
				if v&0x80 != 0 {
					return netip.AddrFrom16([16]byte{0x20, 0x01, 15: v & 3})
				}
				return netip.AddrFrom4([4]byte{10, 0, 0, v & 3})
			}
			start := t0.Add(time.Duration(int16(binary.BigEndian.Uint16(c[6:]))) * time.Second)
			r := flow.Record{
				Received: t0.Add(time.Duration(c[0]) * time.Second),
				Exporter: netip.AddrFrom4([4]byte{192, 0, 2, c[1] & 1}),
				SrcAddr:  addr(c[2]), DstAddr: addr(c[3]),
				SrcPort: uint16(c[4] & 7), DstPort: uint16(c[5]&7) * 20,
				Start: start, End: start.Add(time.Duration(c[8]) * time.Second),
				Proto: []uint8{6, 17, 1, 0}[c[9]&3], TCPFlags: c[10],
				Bytes: uint64(binary.BigEndian.Uint16(c[11:])), Packets: uint64(c[13]),
				RevBytes: uint64(c[14]) * uint64(c[15]&1), RevPackets: uint64(c[16] & 1),
				SamplingRate: uint32(c[17]), InIf: uint32(c[18]), OutIf: uint32(c[19]),
			}
			bytes += r.Bytes + r.RevBytes
			packets += r.Packets + r.RevPackets
			recs = append(recs, r)
			if c[20]&3 == 0 {
				for _, x := range []*Builder{b, collide} {
					x.Records(recs)
					x.Expire(t0.Add(time.Duration(c[21]) * time.Second))
				}
				recs = recs[:0]
			}
		}
		for _, x := range []*Builder{b, collide} {
			x.Records(recs)
			x.FlushAll()
		}
		got := b.Drain()
		if other := collide.Drain(); !slices.EqualFunc(got, other, func(x, y Session) bool { return x == y }) {
			t.Fatalf("with colliding hashes the sessions differ:\n%v\n%v", got, other)
		}
		var gotB, gotP uint64
		for _, s := range got {
			gotB += s.Bytes()
			gotP += s.Packets()
			if s.End.Before(s.Start) || !s.Client.IsValid() || !s.Server.IsValid() {
				t.Fatalf("bad session %+v", s)
			}
		}
		if gotB != bytes || gotP != packets {
			t.Fatalf("sessions hold %d bytes %d packets, records had %d and %d", gotB, gotP, bytes, packets)
		}
		if st := b.Stats(); st.Open != 0 {
			t.Fatalf("%d sessions still open after FlushAll", st.Open)
		}
	})
}
