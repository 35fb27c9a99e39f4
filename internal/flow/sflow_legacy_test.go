package flow

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestSFlowV2V4 decodes datagrams built from RFC 3176: a sampled header
// (Ethernet, 802.1Q, IPv4, TCP), an IPv4 summary, extended switch, router
// and gateway records (the AS path flat in v2, in segments in v4), and
// Ethernet interface counters.
func TestSFlowV2V4(t *testing.T) {
	ctr := InterfaceCounters{IfIndex: 7, IfType: 6, Speed: 1e9, Direction: 1, Status: 3, InOctets: 123456789012,
		InUnicast: 1000, InMulticast: 10, InBroadcast: 1, InErrors: 2, OutOctets: 987654321, OutUnicast: 900, OutErrors: 3}
	for _, version := range []uint32{2, 4} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			flows := []sflowV4Flow{
				{rate: 512, in: 3, out: 4, header: sampledFrame("203.0.113.5", "198.51.100.9", 6, 443, 50000, 0x12), frameLen: 1518, gateway: true},
				{rate: 256, in: 5, out: 0x80000002, frameLen: 100, src: "203.0.113.6", dst: "198.51.100.10"},
			}
			c := newTestCollector(t)
			b := buildSFlowV4(version, 42, flows, []InterfaceCounters{ctr})
			recs, cs, err := c.Decode(netip.MustParseAddrPort("192.0.2.10:6343"), time.Unix(testUnixSecs, 0), b)
			if err != nil {
				t.Fatal(err)
			}
			want(t, len(recs), 2)
			r := recs[0]
			want(t, r.Version, fmt.Sprintf("sflow%d", version))
			want(t, r.SrcAddr, netip.MustParseAddr("203.0.113.5"))
			want(t, r.DstAddr, netip.MustParseAddr("198.51.100.9"))
			want(t, r.SrcPort, uint16(443))
			want(t, r.DstPort, uint16(50000))
			want(t, r.Proto, uint8(6))
			want(t, r.TCPFlags, uint8(0x12))
			want(t, r.ToS, uint8(0x10))
			want(t, r.Bytes, uint64(1518*512))
			want(t, r.Packets, uint64(512))
			want(t, r.SamplingRate, uint32(512))
			want(t, r.InIf, uint32(3))
			want(t, r.OutIf, uint32(4))
			want(t, r.NextHop, netip.MustParseAddr("192.0.2.1"))
			want(t, r.SrcAS, uint32(64512))
			want(t, r.DstAS, uint32(64601))
			r = recs[1]
			want(t, r.SrcAddr, netip.MustParseAddr("203.0.113.6"))
			want(t, r.Proto, uint8(17))
			want(t, r.DstPort, uint16(5353))
			want(t, r.Bytes, uint64(100*256))
			want(t, r.OutIf, uint32(0)) // several output interfaces
			want(t, len(cs), 1)
			got := cs[0]
			got.Exporter, got.Agent, got.Version, got.Received = netip.Addr{}, netip.Addr{}, "", time.Time{}
			want(t, got, ctr)
			want(t, cs[0].Agent, netip.MustParseAddr("192.0.2.10"))
			want(t, c.Counters()[0].IfIndex, uint32(7))
		})
	}
}

func TestSFlowV4Malformed(t *testing.T) {
	good := buildSFlowV4(4, 1, []sflowV4Flow{{rate: 1, frameLen: 60, src: "192.0.2.1", dst: "192.0.2.2"}}, nil)
	cases := map[string][]byte{
		"truncated":          good[:len(good)-6],
		"sample count large": func() []byte { b := append([]byte(nil), good...); b[23] = 200; return b }(),
		"unknown sample":     append(append([]byte(nil), good[:28]...), 0, 0, 0, 9),
		"bad agent type":     func() []byte { b := append([]byte(nil), good...); b[7] = 7; return b }(),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			c := newTestCollector(t)
			_, _, err := c.Decode(netip.MustParseAddrPort("192.0.2.10:6343"), time.Now(), b)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err %v, want malformed", err)
			}
		})
	}
}
