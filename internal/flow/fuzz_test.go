package flow

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzDecode decodes b and fails on a decoder panic (which the collector
// recovers from in production, counting the datagram malformed) or on
// records no datagram of that size could hold.
func fuzzDecode(t *testing.T, c *Collector, b []byte) []Record {
	recs, _, err := c.Decode(exporterAddr, t0, b)
	if err != nil && strings.Contains(err.Error(), "decoder panic") {
		t.Fatalf("decoder panic: %v", err)
	}
	if len(recs) > len(b)+c.cfg.PendingBytes {
		t.Fatalf("%d records from %d bytes", len(recs), len(b))
	}
	return recs
}

func addCaptureSeeds(f *testing.F, match func(name string, payload []byte) bool) {
	files, _ := filepath.Glob(filepath.Join(capturesDir, "*"))
	for _, file := range files {
		var payloads [][]byte
		switch {
		case strings.HasSuffix(file, ".pcap"):
			ds, _ := readPcap(file)
			for _, d := range ds {
				payloads = append(payloads, d.payload)
			}
		case strings.HasSuffix(file, ".dat"), strings.HasSuffix(file, ".bin"):
			b, _ := os.ReadFile(file)
			payloads = append(payloads, b)
		}
		for _, p := range payloads {
			if match(filepath.Base(file), p) {
				f.Add(p)
			}
		}
	}
}

func fuzzLegacy(f *testing.F, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
		f.Add(countTo(s, 0xffff))
		f.Add(s[:len(s)/2])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := newTestCollector(t)
		recs := fuzzDecode(t, c, b)
		if len(recs) > 0 && 16+len(recs)*48 > len(b) {
			t.Fatalf("%d records from a %d-byte datagram", len(recs), len(b))
		}
	})
}

func FuzzNetFlowV1(f *testing.F) { fuzzLegacy(f, buildV1(testFlows), buildV1(nil)) }

func FuzzNetFlowV5(f *testing.F) {
	addCaptureSeeds(f, func(_ string, p []byte) bool { return sniff(p) == "netflow5" })
	fuzzLegacy(f, buildV5(1, 0x4000|10, testFlows))
}

func FuzzNetFlowV7(f *testing.F) { fuzzLegacy(f, buildV7(1, testFlows)) }

// FuzzV9IPFIX decodes inputs against a collector that already holds the
// templates of every capture, so data sets reach the record decoders.
func FuzzV9IPFIX(f *testing.F) {
	var all [][]byte
	addCaptureSeeds(f, func(_ string, p []byte) bool {
		s := sniff(p)
		if s == "netflow9" || s == "ipfix" {
			all = append(all, p)
			return true
		}
		return false
	})
	f.Add(buildV9(1, 0, set(0, templateRecord(300, v4Fields)), v4Data(300, 1, 2)))
	f.Add(buildIPFIX(1, 0, set(2, be{}.u16(300).u16(0)), v4Data(300, 1)))
	proto := newTestCollector(f)
	for _, p := range all {
		proto.Decode(exporterAddr, t0, p)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := newTestCollector(t)
		cloneTemplates(c, proto)
		fuzzDecode(t, c, b)
		c.Exporters()
	})
}

func FuzzSFlow(f *testing.F) {
	addCaptureSeeds(f, func(_ string, p []byte) bool { return strings.HasPrefix(sniff(p), "sflow") })
	flows := []sflowV4Flow{{rate: 10, header: sampledFrame("192.0.2.1", "192.0.2.2", 6, 1, 2, 2), frameLen: 60, gateway: true},
		{rate: 1, frameLen: 60, src: "192.0.2.1", dst: "192.0.2.2"}}
	f.Add(buildSFlowV4(2, 1, flows, []InterfaceCounters{{IfIndex: 1}}))
	f.Add(buildSFlowV4(4, 1, flows, []InterfaceCounters{{IfIndex: 1}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzDecode(t, newTestCollector(t), b)
	})
}

// FuzzIPFIXTCPFraming reads a byte stream as IPFIX over TCP: every message
// returned is exactly as long as its header says, the stream is consumed
// in order, and decoding them never panics.
func FuzzIPFIXTCPFraming(f *testing.F) {
	tmpl := buildIPFIX(0, 1, set(2, templateRecord(300, v4Fields)))
	f.Add(append(tmpl, buildIPFIX(0, 1, v4Data(300, 1))...))
	f.Add(tmpl[:10])
	f.Add([]byte{0, 10, 0, 3, 1, 2, 3})
	f.Fuzz(func(t *testing.T, stream []byte) {
		c := newTestCollector(t)
		r := bufio.NewReader(bytes.NewReader(stream))
		consumed := 0
		for range 1000 {
			msg, err := readIPFIXMessage(r, nil)
			if err != nil {
				if errors.Is(err, io.EOF) && consumed != len(stream) {
					t.Fatalf("clean EOF after %d of %d bytes", consumed, len(stream))
				}
				return
			}
			if len(msg) < ipfixHeaderLen || int(msg[2])<<8|int(msg[3]) != len(msg) || !bytes.Equal(msg, stream[consumed:consumed+len(msg)]) {
				t.Fatalf("message of %d bytes does not match its header or the stream", len(msg))
			}
			consumed += len(msg)
			fuzzDecode(t, c, msg)
		}
	})
}

// FuzzTemplateCache sends template, withdrawal and data sets in any order
// and checks the cache survives a save and reload unchanged.
func FuzzTemplateCache(f *testing.F) {
	f.Add(buildV9(1, 0, set(0, templateRecord(300, v4Fields)), set(1, be{}.u16(257).u16(4).u16(4).u16(1).u16(4).u16(34).u16(4))))
	f.Add(buildIPFIX(1, 2, set(2, templateRecord(300, v4Fields)), set(2, be{}.u16(300).u16(0)), set(3, be{}.u16(301).u16(1).u16(1).u16(302).u16(2))))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "templates.json")
		cfg := DefaultConfig()
		cfg.TemplateFile, cfg.TemplateMaxAge = path, 0
		a, _ := New(cfg, Deps{Sink: &captureSink{}, Now: func() time.Time { return t0 }})
		if err := a.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The input is cut into datagrams at every 0xff 0xfe marker.
		for _, d := range bytes.Split(b, []byte{0xff, 0xfe}) {
			fuzzDecode(t, a, d)
		}
		before := a.Exporters()
		if err := a.SaveTemplates(); err != nil {
			t.Fatal(err)
		}
		a.Stop()
		r, _ := New(cfg, Deps{Sink: &captureSink{}, Now: func() time.Time { return t0 }})
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer r.Stop()
		after := r.Exporters()
		count := func(es []ExporterInfo) (n int) {
			for _, e := range es {
				n += len(e.Templates)
			}
			return n
		}
		if count(before) != count(after) {
			t.Fatalf("%d templates before the restart, %d after", count(before), count(after))
		}
	})
}

// cloneTemplates copies src's templates and sampling rates into dst, so a
// fuzz run starts from a prepared cache without decoding it again.
func cloneTemplates(dst, src *Collector) {
	for a, e := range src.exporters {
		d := dst.exporter(a)
		for k, t := range e.templates {
			cp := *t
			d.templates[k] = &cp
		}
		for k, r := range e.sampling.bySampler {
			d.sampling.bySampler[k] = r
		}
		for k, r := range e.sampling.byDomain {
			d.sampling.byDomain[k] = r
		}
	}
}
