package flowstore

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// rec is a record from src to dst with n bytes, at seconds [a, b] after t0.
func rec(exp, src string, sp uint16, dst string, dp uint16, proto uint8, n uint64, a, b int) flow.Record {
	return flow.Record{
		Received: t0.Add(time.Duration(b) * time.Second), Exporter: netip.MustParseAddr(exp),
		Start: t0.Add(time.Duration(a) * time.Second), End: t0.Add(time.Duration(b) * time.Second),
		SrcAddr: netip.MustParseAddr(src), DstAddr: netip.MustParseAddr(dst), SrcPort: sp, DstPort: dp,
		Proto: proto, Bytes: n, Packets: n / 100, SamplingRate: 1, InIf: 1, OutIf: 2,
	}
}

func withFlags(r flow.Record, f uint8) flow.Record { r.TCPFlags = f; return r }

func withRev(r flow.Record, n uint64) flow.Record { r.RevBytes, r.RevPackets = n, n/100; return r }

func build(t *testing.T, cfg BuilderConfig, recs ...flow.Record) []Session {
	t.Helper()
	b, err := NewBuilder(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Records(recs)
	b.FlushAll()
	return b.Drain()
}

func TestClientServerRule(t *testing.T) {
	const e = "192.0.2.1"
	cases := []struct {
		name           string
		recs           []flow.Record
		client, server string
		cport, sport   uint16
		bcs, bsc       uint64
	}{
		{"well-known server port", []flow.Record{
			rec(e, "10.0.0.1", 40000, "10.0.0.2", 22, 6, 1000, 0, 1),
			rec(e, "10.0.0.2", 22, "10.0.0.1", 40000, 6, 5000, 0, 1),
		}, "10.0.0.1", "10.0.0.2", 40000, 22, 1000, 5000},
		{"reply seen first", []flow.Record{
			rec(e, "10.0.0.2", 443, "10.0.0.9", 50000, 6, 7000, 0, 1),
		}, "10.0.0.9", "10.0.0.2", 50000, 443, 0, 7000},
		{"listed port beats lower port", []flow.Record{
			rec(e, "10.0.0.1", 1000, "10.0.0.2", 3306, 6, 100, 0, 1),
		}, "10.0.0.1", "10.0.0.2", 1000, 3306, 100, 0},
		{"lower port when none listed", []flow.Record{
			rec(e, "10.0.0.2", 30000, "10.0.0.1", 40001, 17, 100, 0, 1),
			rec(e, "10.0.0.1", 40001, "10.0.0.2", 30000, 17, 300, 0, 1),
		}, "10.0.0.1", "10.0.0.2", 40001, 30000, 300, 100},
		{"SYN without ACK decides first", []flow.Record{
			withFlags(rec(e, "10.0.0.1", 443, "10.0.0.2", 50000, 6, 60, 0, 0), 0x02),
			withFlags(rec(e, "10.0.0.2", 50000, "10.0.0.1", 443, 6, 60, 0, 0), 0x12),
		}, "10.0.0.1", "10.0.0.2", 443, 50000, 60, 60},
		{"SYN+ACK says nothing", []flow.Record{
			withFlags(rec(e, "10.0.0.2", 80, "10.0.0.1", 51000, 6, 60, 0, 0), 0x12),
		}, "10.0.0.1", "10.0.0.2", 51000, 80, 0, 60},
		{"biflow fills both directions", []flow.Record{
			withRev(rec(e, "10.0.0.1", 51000, "10.0.0.2", 443, 6, 800, 0, 5), 90000),
		}, "10.0.0.1", "10.0.0.2", 51000, 443, 800, 90000},
		{"biflow recorded from the server side", []flow.Record{
			withRev(rec(e, "10.0.0.2", 443, "10.0.0.1", 51000, 6, 90000, 0, 5), 800),
		}, "10.0.0.1", "10.0.0.2", 51000, 443, 800, 90000},
		{"equal ports: first sender is client", []flow.Record{
			rec(e, "10.0.0.5", 5000, "10.0.0.1", 5000, 17, 10, 0, 1),
		}, "10.0.0.5", "10.0.0.1", 5000, 5000, 10, 0},
		{"ICMP: ports ignored, first sender is client", []flow.Record{
			rec(e, "10.0.0.7", 0, "10.0.0.1", 2048, 1, 84, 0, 1),
			rec(e, "10.0.0.1", 0, "10.0.0.7", 0, 1, 84, 0, 1),
		}, "10.0.0.7", "10.0.0.1", 0, 0, 84, 84},
		{"IPv6", []flow.Record{
			rec(e, "2001:db8::2", 53, "2001:db8::1", 33000, 17, 512, 0, 0),
			rec(e, "2001:db8::1", 33000, "2001:db8::2", 53, 17, 64, 0, 0),
		}, "2001:db8::1", "2001:db8::2", 33000, 53, 64, 512},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ss := build(t, DefaultBuilderConfig(), c.recs...)
			if len(ss) != 1 {
				t.Fatalf("got %d sessions, want 1: %+v", len(ss), ss)
			}
			s := ss[0]
			if s.Client.String() != c.client || s.Server.String() != c.server || s.ClientPort != c.cport || s.ServerPort != c.sport {
				t.Errorf("client %s:%d server %s:%d, want %s:%d and %s:%d", s.Client, s.ClientPort, s.Server, s.ServerPort, c.client, c.cport, c.server, c.sport)
			}
			if s.BytesCS != c.bcs || s.BytesSC != c.bsc {
				t.Errorf("bytes c→s %d s→c %d, want %d and %d", s.BytesCS, s.BytesSC, c.bcs, c.bsc)
			}
			if s.Flows != uint32(len(c.recs)) {
				t.Errorf("flows %d, want %d", s.Flows, len(c.recs))
			}
		})
	}
}

func TestEditedServerPorts(t *testing.T) {
	cfg := DefaultBuilderConfig()
	cfg.Ports = NewPorts(map[uint16]string{9999: "mysvc"}, []uint16{3306})
	ss := build(t, cfg,
		rec("192.0.2.1", "10.0.0.1", 3306, "10.0.0.2", 9999, 6, 10, 0, 1))
	if s := ss[0]; s.Server.String() != "10.0.0.2" || s.ServerPort != 9999 {
		t.Errorf("server %s:%d, want the added port 9999 to make 10.0.0.2 the server", s.Server, s.ServerPort)
	}
	if got := cfg.Ports.Application(6, 9999); got != "mysvc" {
		t.Errorf("application name %q, want mysvc", got)
	}
}

func TestDuplicateExporters(t *testing.T) {
	r1 := rec("192.0.2.1", "10.0.0.1", 40000, "10.0.0.2", 80, 6, 1000, 0, 10)
	r2 := rec("192.0.2.2", "10.0.0.1", 40000, "10.0.0.2", 80, 6, 1000, 1, 10)
	r2.InIf, r2.OutIf = 7, 8
	other := rec("192.0.2.2", "10.0.0.3", 40000, "10.0.0.2", 80, 6, 500, 1, 10)
	ss := build(t, DefaultBuilderConfig(), r1, r2, other)
	var dups, bytes int
	for _, s := range ss {
		if s.Duplicate {
			dups++
			if s.Exporter.String() != "192.0.2.2" || s.InIf != 7 {
				t.Errorf("the duplicate should keep the second exporter and its interfaces: %+v", s)
			}
		} else {
			bytes += int(s.Bytes())
		}
	}
	if len(ss) != 3 || dups != 1 || bytes != 1500 {
		t.Errorf("%d sessions, %d duplicates, %d bytes counted once; want 3, 1, 1500: %+v", len(ss), dups, bytes, ss)
	}
	// Later, after the first has finished, the second exporter's session is
	// its own again.
	late := rec("192.0.2.2", "10.0.0.1", 40000, "10.0.0.2", 80, 6, 1000, 3600, 3601)
	ss = build(t, DefaultBuilderConfig(), r1, late)
	for _, s := range ss {
		if s.Duplicate {
			t.Errorf("sessions an hour apart are not duplicates: %+v", s)
		}
	}
}

func TestLongSessionPieces(t *testing.T) {
	cfg := DefaultBuilderConfig()
	cfg.Active = 2 * time.Minute
	var recs []flow.Record
	for m := 0; m < 10; m++ { // a 10-minute transfer reported each minute
		recs = append(recs, rec("192.0.2.1", "10.0.0.1", 40000, "10.0.0.2", 443, 6, 6000, m*60, m*60+60))
	}
	ss := build(t, cfg, recs...)
	if len(ss) < 4 {
		t.Fatalf("%d pieces, want a 10-minute session cut into 2-minute pieces", len(ss))
	}
	var total uint64
	for i, s := range ss {
		total += s.Bytes()
		if s.Continued != (i > 0) {
			t.Errorf("piece %d continued=%v", i, s.Continued)
		}
		if i > 0 && !s.Start.Equal(ss[i-1].End) {
			t.Errorf("piece %d starts %v, previous ends %v: pieces must be contiguous", i, s.Start, ss[i-1].End)
		}
		if s.End.Sub(s.Start) > 3*time.Minute {
			t.Errorf("piece %d lasts %v", i, s.End.Sub(s.Start))
		}
	}
	if total != 60000 || !ss[0].Start.Equal(t0) || !ss[len(ss)-1].End.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("pieces hold %d bytes over %v–%v, want 60000 over the 10 minutes", total, ss[0].Start, ss[len(ss)-1].End)
	}
}

func TestExpireAndEvict(t *testing.T) {
	cfg := DefaultBuilderConfig()
	cfg.MaxOpen = 2
	b, err := NewBuilder(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Records([]flow.Record{
		rec("192.0.2.1", "10.0.0.1", 1, "10.0.0.2", 80, 6, 1, 0, 1),
		rec("192.0.2.1", "10.0.0.1", 2, "10.0.0.2", 80, 6, 1, 0, 2),
		rec("192.0.2.1", "10.0.0.1", 3, "10.0.0.2", 80, 6, 1, 0, 3),
	})
	st := b.Stats()
	if st.Evicted != 1 || st.Open != 2 || len(b.Drain()) != 1 {
		t.Fatalf("stats %+v: want one evicted, two open", st)
	}
	b.Expire(t0.Add(2*time.Second + cfg.Inactive))
	if got := len(b.Drain()); got != 1 || b.Stats().Open != 1 {
		t.Errorf("expired %d, open %d; want the idle one expired and one open", got, b.Stats().Open)
	}
}
