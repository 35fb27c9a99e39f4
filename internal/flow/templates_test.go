package flow

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var (
	exporterAddr = netip.MustParseAddrPort("192.0.2.50:2055")
	t0           = time.Unix(testUnixSecs, 0)
	v4Fields     = []field{{8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {1, 4, 0}, {2, 4, 0}}
)

// v4Data encodes records for v4Fields.
func v4Data(id uint16, bytes ...uint32) []byte {
	b := be{}
	for i, n := range bytes {
		b = b.ip("192.0.2.1").ip("198.51.100.1").u16(uint16(40000 + i)).u16(80).u8(6).u32(n).u32(1)
	}
	return set(id, b)
}

func decodeOK(t *testing.T, c *Collector, at time.Time, b []byte) []Record {
	t.Helper()
	recs, _, err := c.Decode(exporterAddr, at, b)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestTemplateLifecycle(t *testing.T) {
	t.Run("ipfix withdrawal", func(t *testing.T) {
		c := newTestCollector(t)
		decodeOK(t, c, t0, buildIPFIX(0, 5, set(2, templateRecord(300, ipfixFields(v4Fields)))))
		want(t, len(decodeOK(t, c, t0, buildIPFIX(0, 5, v4Data(300, 10)))), 1)
		decodeOK(t, c, t0, buildIPFIX(1, 5, set(2, be{}.u16(300).u16(0))))
		want(t, len(c.Exporters()[0].Templates), 0)
		want(t, len(decodeOK(t, c, t0, buildIPFIX(1, 5, v4Data(300, 10)))), 0)
		want(t, c.Stats().WaitingForTemplate, 1)
	})
	t.Run("ipfix options template withdrawal", func(t *testing.T) {
		c := newTestCollector(t)
		decodeOK(t, c, t0, buildIPFIX(0, 5, set(3, be{}.u16(400).u16(2).u16(1).u16(302).u16(4).u16(34).u16(4))))
		want(t, len(c.Exporters()[0].Templates), 1)
		decodeOK(t, c, t0, buildIPFIX(0, 5, set(3, be{}.u16(400).u16(0))))
		want(t, len(c.Exporters()[0].Templates), 0)
	})
	t.Run("redefinition", func(t *testing.T) {
		c := newTestCollector(t)
		decodeOK(t, c, t0, buildV9(1, 0, set(0, templateRecord(300, v4Fields))))
		// The same id now puts the byte count first.
		swapped := append([]field{{1, 4, 0}}, v4Fields[:5]...)
		swapped = append(swapped, field{2, 4, 0})
		decodeOK(t, c, t0, buildV9(2, 0, set(0, templateRecord(300, swapped))))
		want(t, c.Exporters()[0].Templates[0].Redefined, uint64(1))
		b := be{}.u32(777).ip("192.0.2.1").ip("198.51.100.1").u16(1).u16(2).u8(17).u32(3)
		recs := decodeOK(t, c, t0, buildV9(3, 0, set(300, b)))
		want(t, recs[0].Bytes, uint64(777))
		want(t, recs[0].Packets, uint64(3))
	})
	t.Run("refresh is not a redefinition", func(t *testing.T) {
		c := newTestCollector(t)
		for i := range 3 {
			decodeOK(t, c, t0.Add(time.Duration(i)*time.Minute), buildV9(uint32(i), 0, set(0, templateRecord(300, v4Fields))))
		}
		tp := c.Exporters()[0].Templates[0]
		want(t, tp.Redefined, uint64(0))
		want(t, tp.LastSeen, t0.Add(2*time.Minute))
		want(t, tp.Fields, len(v4Fields))
	})
	t.Run("zero-length template is refused", func(t *testing.T) {
		c := newTestCollector(t)
		decodeOK(t, c, t0, buildV9(1, 0, set(0, templateRecord(300, []field{{1, 0, 0}, {2, 0, 0}}))))
		want(t, len(c.Exporters()[0].Templates), 0)
		want(t, c.Exporters()[0].BadTemplates, uint64(1))
		want(t, len(decodeOK(t, c, t0, buildV9(2, 0, set(300, make([]byte, 8))))), 0) // and no endless loop
	})
	t.Run("domains are apart", func(t *testing.T) {
		c := newTestCollector(t)
		decodeOK(t, c, t0, buildV9(1, 1, set(0, templateRecord(300, v4Fields))))
		want(t, len(decodeOK(t, c, t0, buildV9(1, 2, v4Data(300, 5)))), 0)
		want(t, len(decodeOK(t, c, t0, buildV9(2, 1, v4Data(300, 5)))), 1)
	})
	t.Run("source port change keeps templates", func(t *testing.T) {
		c := newTestCollector(t)
		decodeOK(t, c, t0, buildIPFIX(0, 9, set(2, templateRecord(300, ipfixFields(v4Fields)))))
		recs, _, err := c.Decode(netip.AddrPortFrom(exporterAddr.Addr(), 61000), t0, buildIPFIX(0, 9, v4Data(300, 1, 2)))
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
	})
}

func ipfixFields(fs []field) []field { return fs }

func TestPendingDataSets(t *testing.T) {
	tmpl := buildV9(2, 0, set(0, templateRecord(300, v4Fields)))
	t.Run("held and decoded in arrival order", func(t *testing.T) {
		c := newTestCollector(t)
		want(t, len(decodeOK(t, c, t0, buildV9(1, 0, v4Data(300, 1, 2)))), 0)
		recs := decodeOK(t, c, t0.Add(time.Second), append(tmpl, v4Data(300, 3)...))
		want(t, len(recs), 3)
		want(t, recs[0].Bytes, uint64(1))
		want(t, recs[2].Bytes, uint64(3))
		want(t, recs[0].Received, t0) // as received, not as replayed
	})
	t.Run("dropped after the ttl", func(t *testing.T) {
		c := newTestCollector(t)
		c.cfg.PendingTTL = 30 * time.Second
		decodeOK(t, c, t0, buildV9(1, 0, v4Data(300, 1)))
		want(t, len(decodeOK(t, c, t0.Add(time.Minute), tmpl)), 0)
		s := c.Stats()
		want(t, s.PendingDropped, uint64(1))
		want(t, s.WaitingForTemplate, 0)
		want(t, s.TemplateMisses, uint64(1))
	})
	t.Run("bounded in sets", func(t *testing.T) {
		c := newTestCollector(t)
		c.cfg.PendingSets = 2
		for i := range 5 {
			decodeOK(t, c, t0, buildV9(uint32(i), 0, v4Data(300, uint32(i))))
		}
		want(t, c.Stats().PendingDropped, uint64(3))
		recs := decodeOK(t, c, t0, tmpl)
		want(t, len(recs), 2)
		want(t, recs[0].Bytes, uint64(3)) // the newest are kept
	})
	t.Run("bounded in bytes", func(t *testing.T) {
		c := newTestCollector(t)
		c.cfg.PendingBytes = 30
		decodeOK(t, c, t0, buildV9(1, 0, v4Data(300, 1, 2, 3)))
		want(t, c.Stats().PendingDropped, uint64(1))
		want(t, c.Stats().WaitingForTemplate, 0)
	})
}

func TestOptionsSampling(t *testing.T) {
	// NetFlow v9 options template: scope System (4 bytes), sampler id (IE
	// 48) and sampling interval (IE 34).
	ot := set(1, be{}.u16(257).u16(4).u16(8).u16(1).u16(4).u16(48).u16(2).u16(34).u16(4))
	od := set(257, be{}.u32(0).u16(1).u32(10).u32(0).u16(2).u32(100))
	withSampler := append(append([]field(nil), v4Fields...), field{48, 2, 0})
	dt := set(0, templateRecord(310, withSampler))
	data := func(sampler uint16) []byte {
		return set(310, be{}.ip("192.0.2.1").ip("198.51.100.1").u16(1).u16(2).u8(6).u32(1500).u32(1).u16(sampler))
	}
	c := newTestCollector(t)
	decodeOK(t, c, t0, buildV9(1, 3, ot, od, dt))
	for _, tc := range []struct {
		sampler uint16
		rate    uint32
	}{{1, 10}, {2, 100}, {9, 1}} {
		recs := decodeOK(t, c, t0, buildV9(2, 3, data(tc.sampler)))
		want(t, recs[0].SamplingRate, tc.rate)
		want(t, recs[0].Bytes, uint64(1500)*uint64(tc.rate))
	}
	// Interface names: options scoped by interface (v9 scope type 2).
	names := set(1, be{}.u16(258).u16(4).u16(8).u16(2).u16(4).u16(82).u16(8).u16(83).u16(8))
	nd := set(258, be{}.u32(12).raw([]byte("Gi0/1\x00\x00\x00")).raw([]byte("uplink\x00\x00")))
	decodeOK(t, c, t0, buildV9(3, 3, names, nd))
	want(t, c.Exporters()[0].Interfaces["12"], InterfaceName{Name: "Gi0/1", Description: "uplink"})
}

func TestNSELEvents(t *testing.T) {
	fields := []field{{148, 4, 0}, {8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {233, 1, 0},
		{231, 8, 0}, {232, 8, 0}, {298, 8, 0}, {299, 8, 0}, {152, 8, 0}, {323, 8, 0}}
	rec := func(event uint8, init, resp uint64) be {
		return be{}.u32(1).ip("192.0.2.5").ip("203.0.113.80").u16(51000).u16(443).u8(6).u8(event).
			u64(init).u64(resp).u64(init / 100).u64(resp / 100).u64(1704067100000).u64(1704067190000)
	}
	body := append(append(append(rec(1, 0, 0), rec(2, 4000, 120000)...), rec(3, 0, 0)...), rec(5, 100, 200)...)
	c := newTestCollector(t)
	recs := decodeOK(t, c, t0, buildV9(1, 0, set(0, templateRecord(263, fields)), set(263, body)))
	// Created (1) and denied (3) events carry no bytes: the teardown (2)
	// or update (5) of the same connection reports them, so counting the
	// creation too would add zero-byte sessions.
	want(t, len(recs), 2)
	want(t, recs[0].Bytes, uint64(4000))
	want(t, recs[0].RevBytes, uint64(120000))
	want(t, recs[0].Packets, uint64(40))
	want(t, recs[0].RevPackets, uint64(1200))
	want(t, recs[0].Start, time.UnixMilli(1704067100000))
	want(t, recs[0].End, time.UnixMilli(1704067190000))
	want(t, c.Exporters()[0].EventsSkipped, uint64(2))
}

func TestIPFIXBiflowAndTimes(t *testing.T) {
	fields := []field{{8, 4, 0}, {12, 4, 0}, {4, 1, 0}, {1, 8, 0}, {2, 8, 0}, {1, 8, penReverse}, {2, 8, penReverse},
		{152, 8, 0}, {153, 8, 0}}
	body := be{}.ip("192.0.2.5").ip("203.0.113.80").u8(17).u64(5000).u64(5).u64(70000).u64(60).
		u64(1704067100123).u64(1704067190456)
	c := newTestCollector(t)
	recs := decodeOK(t, c, t0, buildIPFIX(0, 1, set(2, templateRecord(400, fields)), set(400, body)))
	want(t, len(recs), 1)
	want(t, recs[0].Bytes, uint64(5000))
	want(t, recs[0].RevBytes, uint64(70000))
	want(t, recs[0].RevPackets, uint64(60))
	want(t, recs[0].Start, time.UnixMilli(1704067100123))
	want(t, recs[0].End, time.UnixMilli(1704067190456))
	want(t, recs[0].Version, "ipfix")
}

// TestTemplatePersistence restarts a collector on its template file: the
// data sets of the exporter decode at once, scaled by the saved rate.
func TestTemplatePersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flows", "templates.json")
	newC := func() *Collector {
		cfg := DefaultConfig()
		cfg.Workers, cfg.Readers, cfg.TemplateFile = 1, 1, path
		cfg.TemplateMaxAge = 0
		c, err := New(cfg, Deps{Sink: &captureSink{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return c
	}
	ot := set(1, be{}.u16(257).u16(4).u16(4).u16(1).u16(4).u16(34).u16(4))
	od := set(257, be{}.u32(0).u32(64))
	a := newC()
	decodeOK(t, a, t0, buildV9(1, 7, ot, od, set(0, templateRecord(300, v4Fields))))
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	b := newC()
	defer b.Stop()
	recs := decodeOK(t, b, t0.Add(time.Hour), buildV9(2, 7, v4Data(300, 10)))
	want(t, len(recs), 1)
	want(t, recs[0].SamplingRate, uint32(64))
	want(t, recs[0].Bytes, uint64(640))
	want(t, b.Stats().Templates, 2)

	// Templates not announced for TemplateMaxAge are not loaded.
	b.Stop()
	cfg := DefaultConfig()
	cfg.TemplateFile, cfg.TemplateMaxAge = path, time.Minute
	old, _ := New(cfg, Deps{Sink: &captureSink{}, Now: func() time.Time { return t0.Add(48 * time.Hour) }})
	if err := old.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer old.Stop()
	want(t, old.Stats().Templates, 0)
}

func TestTemplateFileErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.json")
	os.WriteFile(path, []byte("{not json"), 0o644)
	cfg := DefaultConfig()
	cfg.TemplateFile = path
	c, _ := New(cfg, Deps{Sink: &captureSink{}})
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("a damaged template file must not stop the collector: %v", err)
	}
	defer c.Stop()
	if _, err := os.Stat(path + ".bad"); err != nil {
		t.Errorf("damaged file not set aside: %v", err)
	}
}
