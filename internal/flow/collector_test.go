package flow

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"
)

// startCollector runs a collector with a capturing sink until the test
// ends.
func startCollector(t *testing.T) (*Collector, *captureSink) {
	t.Helper()
	sink := &captureSink{}
	cfg := DefaultConfig()
	cfg.Workers, cfg.Readers = 2, 2
	c, err := New(cfg, Deps{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return c, sink
}

// waitRecords polls the sink until it holds n records; the deadline only
// keeps a broken test from hanging.
func waitRecords(t *testing.T, s *captureSink, n int) []Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := s.snapshot()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("sink has %d records, want %d", len(got), n)
			}
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestListenUDP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, sink := startCollector(t)
	dual, err := c.ListenUDP(ctx, ":0")
	if err != nil {
		t.Fatal(err)
	}
	v4only, err := c.ListenUDP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	send := func(to string, payload []byte) {
		t.Helper()
		conn, err := net.Dial("udp", to)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write(payload); err != nil {
			t.Fatal(err)
		}
	}
	port := itoa(dual.Port())
	send("127.0.0.1:"+port, buildV5(0, 0, testFlows))
	send("[::1]:"+port, buildV1(testFlows))
	send("127.0.0.1:"+itoa(v4only.Port()), buildSFlowV4(4, 1, []sflowV4Flow{{rate: 1, frameLen: 64, src: "192.0.2.1", dst: "192.0.2.2"}}, nil))
	send("127.0.0.1:"+port, []byte("not a flow export"))
	recs := waitRecords(t, sink, 5)
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.Version+" "+r.Exporter.String()] = true
	}
	for _, k := range []string{"netflow5 127.0.0.1", "netflow1 ::1", "sflow4 127.0.0.1"} {
		if !seen[k] {
			t.Errorf("no %s record; got %v", k, seen)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Malformed == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	s := c.Stats()
	want(t, s.Packets, uint64(4))
	want(t, s.Malformed, uint64(1))
	want(t, s.Exporters, 2)
}

func TestListenTCPFraming(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, sink := startCollector(t)
	addr, err := c.ListenTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tmpl := buildIPFIX(0, 1, set(2, templateRecord(300, v4Fields)))
	d1 := buildIPFIX(0, 1, v4Data(300, 1, 2))
	d2 := buildIPFIX(2, 1, v4Data(300, 3))
	stream := append(append(append([]byte(nil), tmpl...), d1...), d2...)
	// Written in pieces that cut messages and headers anywhere.
	for _, n := range []int{3, 20, 50, len(stream)} {
		if n > len(stream) {
			n = len(stream)
		}
		conn.Write(stream[:n])
		stream = stream[n:]
		time.Sleep(time.Millisecond)
	}
	recs := waitRecords(t, sink, 3)
	want(t, recs[2].Bytes, uint64(3))
	want(t, recs[0].Exporter, netip.MustParseAddr("127.0.0.1"))

	// A stream that is not IPFIX is counted and closed.
	bad, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	bad.Write(buildV5(0, 0, testFlows))
	bad.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := bad.Read(make([]byte, 1)); err == nil {
		t.Error("collector kept a non-IPFIX stream open")
	}
	want(t, c.Stats().Malformed, uint64(1))
}

func TestStopIsIdempotentAndFlushes(t *testing.T) {
	sink := &captureSink{}
	cfg := DefaultConfig()
	cfg.Workers, cfg.Readers, cfg.BatchSize = 1, 1, 1000
	c, _ := New(cfg, Deps{Sink: sink})
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		c.enqueue(datagram{b: buildV5(0, 0, testFlows), from: exporterAddr, at: t0})
	}
	c.Stop()
	c.Stop()
	want(t, len(sink.snapshot()), 20)
	if _, err := c.ListenUDP(context.Background(), "127.0.0.1:0"); err == nil {
		t.Error("ListenUDP after Stop must fail")
	}
}

func itoa(p uint16) string {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), p).String()[len("0.0.0.0:"):]
}
