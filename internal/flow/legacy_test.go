package flow

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

var testFlows = []legacyFlow{
	{src: "192.0.2.1", dst: "198.51.100.2", nexthop: "192.0.2.254", in: 3, out: 4, packets: 10, bytes: 15000,
		first: 90000, last: 99000, sport: 49152, dport: 443, flags: 0x1b, proto: 6, tos: 0x20, srcAS: 64500, dstAS: 64501},
	{src: "192.0.2.3", dst: "198.51.100.4", nexthop: "0.0.0.0", in: 5, out: 6, packets: 1, bytes: 76,
		first: 99500, last: 99500, sport: 53, dport: 33000, proto: 17},
}

func TestLegacyVersions(t *testing.T) {
	export := time.Unix(testUnixSecs, testNsecs)
	cases := []struct {
		name    string
		b       []byte
		version string
		rate    uint32
		as      bool
		err     error
	}{
		{name: "v1", b: buildV1(testFlows), version: "netflow1", rate: 1},
		{name: "v5", b: buildV5(7, 0, testFlows), version: "netflow5", rate: 1, as: true},
		{name: "v5 sampled 1:100 mode 1", b: buildV5(7, 0x4000|100, testFlows), version: "netflow5", rate: 100, as: true},
		{name: "v7", b: buildV7(7, testFlows), version: "netflow7", rate: 1, as: true},
		{name: "v1 count beyond datagram", b: countTo(buildV1(testFlows), 25), err: ErrMalformed},
		{name: "v5 count over 30", b: countTo(buildV5(1, 0, testFlows), 31), err: ErrMalformed},
		{name: "v7 count over 27", b: countTo(buildV7(1, testFlows), 28), err: ErrMalformed},
		{name: "v5 count beyond datagram", b: countTo(buildV5(1, 0, testFlows), 3), err: ErrMalformed},
		{name: "v7 truncated record", b: buildV7(1, testFlows)[:24+52+10], err: ErrMalformed},
		{name: "v1 header only", b: buildV1(nil)[:10], err: ErrMalformed},
		{name: "unknown version 6", b: []byte{0, 6, 0, 0, 0, 0}, err: ErrVersion},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCollector(t)
			recs, _, err := c.Decode(netip.MustParseAddrPort("192.0.2.200:1000"), export, tc.b)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				want(t, len(recs), 0)
				want(t, c.Exporters()[0].Malformed, uint64(1))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want(t, len(recs), 2)
			r := recs[0]
			want(t, r.Version, tc.version)
			want(t, r.SrcAddr, netip.MustParseAddr("192.0.2.1"))
			want(t, r.DstAddr, netip.MustParseAddr("198.51.100.2"))
			want(t, r.NextHop, netip.MustParseAddr("192.0.2.254"))
			want(t, r.SrcPort, uint16(49152))
			want(t, r.DstPort, uint16(443))
			want(t, r.Proto, uint8(6))
			want(t, r.TCPFlags, uint8(0x1b))
			want(t, r.ToS, uint8(0x20))
			want(t, r.InIf, uint32(3))
			want(t, r.OutIf, uint32(4))
			want(t, r.SamplingRate, tc.rate)
			want(t, r.Bytes, 15000*uint64(tc.rate))
			want(t, r.Packets, 10*uint64(tc.rate))
			// first 90 s and last 99 s of a 100 s uptime, exported at export.
			want(t, r.Start, export.Add(-10*time.Second))
			want(t, r.End, export.Add(-time.Second))
			if tc.as {
				want(t, r.SrcAS, uint32(64500))
				want(t, r.DstAS, uint32(64501))
			}
			want(t, recs[1].NextHop.IsValid(), false) // 0.0.0.0 is no next hop
		})
	}
}

// TestV1AsSoftflowdSendsIt: softflowd puts 26 records in a v1 datagram
// (Cisco documents 24); nfcapd 1.7 drops such datagrams whole, we keep
// every record that fits the datagram.
func TestV1AsSoftflowdSendsIt(t *testing.T) {
	flows := make([]legacyFlow, 26)
	for i := range flows {
		flows[i] = testFlows[i%2]
	}
	c := newTestCollector(t)
	recs, _, err := c.Decode(exporterAddr, t0, buildV1(flows))
	if err != nil {
		t.Fatal(err)
	}
	want(t, len(recs), 26)
}

// countTo rewrites a legacy header's record count.
func countTo(b []byte, n uint16) []byte {
	b = append([]byte(nil), b...)
	b[2], b[3] = byte(n>>8), byte(n)
	return b
}

// TestSequenceGaps checks each format's sequence unit: v5/v7 count flows,
// v9 datagrams per source id, IPFIX data records per domain, sFlow
// datagrams per agent.
func TestSequenceGaps(t *testing.T) {
	from := netip.MustParseAddrPort("192.0.2.200:1000")
	tmpl := set(0, templateRecord(256, []field{{8, 4, 0}, {12, 4, 0}, {1, 4, 0}}))
	data := func(n int) []byte {
		b := be{}
		for range n {
			b = b.ip("192.0.2.1").ip("192.0.2.2").u32(100)
		}
		return set(256, b)
	}
	ipfixT := set(2, templateRecord(256, []field{{8, 4, 0}, {12, 4, 0}, {1, 4, 0}}))
	cases := []struct {
		name      string
		datagrams [][]byte
		version   string
		gaps      uint64
		lost      uint64
	}{
		{"v5 in order", [][]byte{buildV5(0, 0, testFlows), buildV5(2, 0, testFlows), buildV5(4, 0, testFlows)}, "netflow5", 0, 0},
		{"v5 one datagram lost", [][]byte{buildV5(0, 0, testFlows), buildV5(4, 0, testFlows)}, "netflow5", 1, 2},
		{"v5 exporter restart", [][]byte{buildV5(100, 0, testFlows), buildV5(0, 0, testFlows), buildV5(2, 0, testFlows)}, "netflow5", 0, 0},
		{"v7 lost", [][]byte{buildV7(10, testFlows), buildV7(20, testFlows)}, "netflow7", 1, 8},
		{"v9 packets", [][]byte{buildV9(1, 7, tmpl), buildV9(2, 7, data(3)), buildV9(5, 7, data(1))}, "netflow9", 1, 2},
		{"v9 source ids apart", [][]byte{buildV9(1, 7, tmpl), buildV9(50, 8, tmpl), buildV9(2, 7, data(1)), buildV9(51, 8, data(1))}, "netflow9", 0, 0},
		{"ipfix records", [][]byte{buildIPFIX(0, 1, ipfixT), buildIPFIX(0, 1, data2(3)), buildIPFIX(3, 1, data2(2)), buildIPFIX(9, 1, data2(1))}, "ipfix", 1, 4},
		{"sflow datagrams", [][]byte{buildSFlowV4(4, 1, nil, nil), buildSFlowV4(4, 2, nil, nil), buildSFlowV4(4, 6, nil, nil)}, "sflow4", 1, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCollector(t)
			for _, d := range tc.datagrams {
				if _, _, err := c.Decode(from, time.Unix(testUnixSecs, 0), d); err != nil {
					t.Fatal(err)
				}
			}
			var f FormatInfo
			for _, x := range c.Exporters()[0].Formats {
				if x.Version == tc.version {
					f = x
				}
			}
			want(t, f.Gaps, tc.gaps)
			want(t, f.Lost, tc.lost)
		})
	}
}

func data2(n int) []byte {
	b := be{}
	for range n {
		b = b.ip("192.0.2.1").ip("192.0.2.2").u32(100)
	}
	return set(256, b)
}
