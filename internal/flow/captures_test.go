package flow

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// capture is a file from ../shared/testdata/flows: a pcap, or (.dat/.bin)
// one raw UDP payload.
func loadCapture(t *testing.T, name string) []capturedDatagram {
	t.Helper()
	path := filepath.Join(capturesDir, name)
	if strings.HasSuffix(name, ".pcap") {
		ds, err := readPcap(path)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return []capturedDatagram{{from: netip.MustParseAddrPort("192.0.2.7:2055"), at: time.Unix(1700000000, 0), payload: b}}
}

const (
	akv  = "akvorado__akvorado__outlet__flow__decoder__"
	tlg  = "influxdata__telegraf__plugins__inputs__netflow__testcases__"
	lgs  = "logstash-plugins__logstash-codec-netflow__spec__codecs__"
	pmac = "pmacct__pmacct__tests__"
)

// decodeAll feeds the files' datagrams, in order, to one collector (all
// from the first file's exporter address when they are raw payloads) and
// returns the records decoded from the last file.
func decodeAll(t *testing.T, c *Collector, files ...string) (recs []Record, cs []InterfaceCounters, errs int) {
	t.Helper()
	for i, f := range files {
		for _, d := range loadCapture(t, f) {
			r, ic, err := c.Decode(d.from, d.at, d.payload)
			if i == len(files)-1 {
				recs = append(recs, r...)
				cs = append(cs, ic...)
				if err != nil {
					errs++
				}
			}
		}
	}
	return recs, cs, errs
}

func TestCaptures(t *testing.T) {
	a := netip.MustParseAddr
	cases := []struct {
		name    string
		files   []string // earlier files carry templates
		records int
		errors  int
		check   func(t *testing.T, c *Collector, recs []Record)
	}{
		{name: "nfv5 akvorado", files: []string{akv + "netflow__testdata__nfv5.pcap"}, records: 29,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[0].SrcAddr, a("161.202.212.212"))
				want(t, r[0].SamplingRate, uint32(1))
				want(t, r[0].Version, "netflow5")
			}},
		{name: "nfv5 juniper sampled 1:1000", files: []string{lgs + "netflow5_test_juniper_mx80.dat"}, records: 29,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[0].SamplingRate, uint32(1000))
				want(t, r[0].Packets, uint64(1000)) // one packet sampled 1:1000
				want(t, r[0].SrcAS, uint32(64497))
			}},
		{name: "nfv5 mikrotik", files: []string{lgs + "netflow5_test_microtik.dat"}, records: 30},
		{name: "nfv5 invalid count rejected", files: []string{lgs + "netflow5_test_invalid01.dat"}, records: 0, errors: 1,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, c.Exporters()[0].Malformed, uint64(1))
			}},
		{name: "nfv9 template then data", files: []string{akv + "netflow__testdata__template.pcap", akv + "netflow__testdata__data.pcap"}, records: 4},
		{name: "nfv9 data before template is held", files: []string{akv + "netflow__testdata__data.pcap", akv + "netflow__testdata__template.pcap"}, records: 4,
			check: func(t *testing.T, c *Collector, r []Record) {
				e := c.Exporters()[0]
				want(t, e.TemplateMisses, uint64(1))
				want(t, e.Replayed, uint64(1))
				want(t, e.WaitingForTemplate, 0)
			}},
		{name: "nfv9 options give the sampler's rate", files: []string{
			akv + "netflow__testdata__options-template.pcap", akv + "netflow__testdata__options-data.pcap",
			akv + "netflow__testdata__template.pcap", akv + "netflow__testdata__data.pcap"}, records: 4,
			check: func(t *testing.T, c *Collector, r []Record) {
				for _, x := range r {
					want(t, x.SamplingRate, uint32(30000))
				}
				want(t, c.Exporters()[0].SamplingRates["0/1"], uint32(30000))
			}},
		{name: "nfv9 D257 before T257 in one datagram", files: []string{akv + "netflow__testdata__data+templates.pcap"}, records: 21,
			check: func(t *testing.T, c *Collector, r []Record) {
				for _, x := range r {
					want(t, x.SamplingRate, uint32(100))
				}
				want(t, r[0].Bytes, uint64(4800))
				want(t, c.Exporters()[0].Replayed, uint64(1))
			}},
		{name: "nfv9 cisco 101", files: []string{pmac + "101-NFv9-CISCO-cust_primitives__traffic-00.pcap"}, records: 51},
		{name: "nfv9 two source ids on one address", files: []string{pmac + "102-NFv9-CISCO-f2rd-pretag-sampling-reload__traffic-00.pcap"}, records: 35,
			check: func(t *testing.T, c *Collector, r []Record) {
				doms := map[uint32]int{}
				for _, x := range r {
					doms[x.Domain]++
				}
				if doms[2081] == 0 || doms[2193] == 0 {
					t.Errorf("domains %v, want records from 2081 and 2193", doms)
				}
				want(t, len(c.Exporters()[0].Templates), 4)
			}},
		{name: "nfv9 softflowd v4 and v6", files: []string{lgs + "netflow9_test_softflowd_tpl_data.dat"}, records: 7,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[6].SrcAddr.Is6(), true)
			}},
		{name: "nfv9 cisco asa nsel teardowns", files: []string{lgs + "netflow9_test_cisco_asa_1_tpl.dat", lgs + "netflow9_test_cisco_asa_1_data.dat"}, records: 14,
			check: func(t *testing.T, c *Collector, r []Record) {
				for _, x := range r {
					if x.Bytes == 0 { // IE 85, as the ASA has no 231/232 in this release
						t.Errorf("zero-byte NSEL record: %+v", x)
					}
				}
				want(t, r[0].Bytes, uint64(56))
				want(t, r[0].Start.UnixMilli(), int64(0x1504bffcff1)) // IE 152, flow create time
				want(t, r[0].End.UnixMilli(), int64(0x1504bffd7df))   // IE 323, event time
				want(t, c.Exporters()[0].EventsSkipped, uint64(0))
			}},
		{name: "ipfix biflow", files: []string{akv + "netflow__testdata__ipfixprobe-templates.pcap", akv + "netflow__testdata__ipfixprobe-data.pcap"}, records: 4,
			check: func(t *testing.T, c *Collector, r []Record) {
				rev := 0
				for _, x := range r {
					if x.RevBytes > 0 && x.RevPackets > 0 {
						rev++
					}
					// ipfixprobe exported an old trace: its packets' own times.
					if x.End.Before(x.Start) || x.Start.Year() != 2009 {
						t.Errorf("times %v..%v", x.Start, x.End)
					}
				}
				if rev == 0 {
					t.Error("no biflow record has reverse counters")
				}
			}},
		{name: "ipfix mpls with psamp 1:10", files: []string{akv + "netflow__testdata__mpls.pcap"}, records: 2,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[0].SamplingRate, uint32(10))
				want(t, r[0].SrcAddr.Is6(), true)
			}},
		{name: "ipfix two domains", files: []string{pmac + "100-IPFIXv10-CISCO__traffic-00.pcap"}, records: 12},
		{name: "ipfix ipv6 exporter 1:256", files: []string{pmac + "104-IPFIXv10-IPv6-CISCO-sampling_option__traffic-00.pcap"}, records: 3,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, c.Exporters()[0].Address, "2a02:a90:4007:700::54")
				for _, x := range r {
					want(t, x.SamplingRate, uint32(256))
				}
			}},
		{name: "ipfix sll, restart, missing templates", files: []string{pmac + "112-IPFIXv10-CISCO-options-map-reassignment__traffic-00.pcap"}, records: 9,
			check: func(t *testing.T, c *Collector, r []Record) {
				e := c.Exporters()[0]
				want(t, e.TemplateMisses, uint64(4))
				want(t, e.WaitingForTemplate, 4)
				want(t, e.SamplingRates["33312/6"], uint32(4096))
				want(t, e.Interfaces["55"].Name, "HundredGigE0_0_0_11")
			}},
		{name: "ipfix mikrotik", files: []string{lgs + "ipfix_test_mikrotik_tpl.dat", lgs + "ipfix_test_mikrotik_data258.dat"}, records: 28},
		{name: "sflow5 1140", files: []string{akv + "sflow__testdata__data-1140.pcap"}, records: 5,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[1].SrcAddr, a("104.26.8.24"))
				want(t, r[1].DstAS, uint32(39421))
				want(t, r[1].Packets, uint64(1024))
			}},
		{name: "sflow5 expanded", files: []string{akv + "sflow__testdata__data-sflow-expanded-sample.pcap"}, records: 1,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[0].InIf, uint32(29001))
				want(t, r[0].SamplingRate, uint32(1000))
			}},
		{name: "sflow5 icmpv6", files: []string{akv + "sflow__testdata__data-icmpv6.pcap"}, records: 1,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[0].Proto, uint8(58))
				want(t, r[0].DstPort, uint16(135<<8)) // neighbour solicitation
			}},
		{name: "sflow5 vxlan keeps the outer header", files: []string{akv + "sflow__testdata__data-encap-vxlan.pcap"}, records: 1,
			check: func(t *testing.T, c *Collector, r []Record) {
				want(t, r[0].DstPort, uint16(4789))
			}},
		{name: "sflow5 drop sample", files: []string{tlg + "sflow_issue_15375__sflow_drop_1036.bin"}, records: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCollector(t)
			recs, _, errs := decodeAll(t, c, tc.files...)
			if len(recs) != tc.records {
				t.Fatalf("decoded %d records, want %d", len(recs), tc.records)
			}
			if errs != tc.errors {
				t.Errorf("%d datagrams with errors, want %d", errs, tc.errors)
			}
			for _, r := range recs {
				if !r.SrcAddr.IsValid() || !r.DstAddr.IsValid() || r.Exporter != recs[0].Exporter || r.Start.IsZero() {
					t.Errorf("incomplete record %+v", r)
				}
			}
			if tc.check != nil {
				tc.check(t, c, recs)
			}
		})
	}
}

func want[T comparable](t *testing.T, got, w T) {
	t.Helper()
	if got != w {
		t.Errorf("got %v, want %v", got, w)
	}
}

// TestEveryCaptureDecodes makes sure no file in the shared directory is
// left out or crashes: every datagram of every capture gives records, a
// template, options or counters, or a counted error.
func TestEveryCaptureDecodes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(capturesDir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s: %v", capturesDir, err)
	}
	n := 0
	for _, f := range files {
		name := filepath.Base(f)
		if !strings.HasSuffix(name, ".pcap") && !strings.HasSuffix(name, ".dat") && !strings.HasSuffix(name, ".bin") {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			c := newTestCollector(t)
			ds := loadCapture(t, name)
			if len(ds) == 0 {
				t.Fatal("no UDP datagrams")
			}
			for _, d := range ds {
				c.Decode(d.from, d.at, d.payload)
			}
			s := c.Stats()
			want(t, s.Packets, uint64(len(ds)))
			if s.Records+s.CounterSamples+uint64(s.Templates)+s.Malformed+s.TemplateMisses == 0 && !strings.Contains(name, "drop") {
				t.Errorf("nothing came of %d datagrams: %+v", len(ds), s)
			}
		})
	}
	want(t, n, 32)
}
