package flow

import (
	"encoding/binary"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestTelegrafExpected decodes each Telegraf test payload and checks the
// fields Telegraf's own tests expect (expected.out, line protocol) against
// our records and interface counters.
func TestTelegrafExpected(t *testing.T) {
	cases := []struct{ payload, expected string }{
		{"netflow_v5_example__netflow_v5.bin", "netflow_v5_example__expected.out"},
		{"netflow_v9_example__netflow_v9.bin", "netflow_v9_example__expected.out"},
		{"sflow_v5_example__sflow_v5.bin", "sflow_v5_example__expected.out"},
		{"sflow_issue_15918__message.bin", "sflow_issue_15918__expected.out"},
		{"sflow_issue_18876__message.bin", "sflow_issue_18876__expected.out"},
		{"sflow_issue_15375__sflow_drop_1036.bin", "sflow_issue_15375__expected.out"},
	}
	for _, tc := range cases {
		t.Run(tc.payload, func(t *testing.T) {
			lines, err := readLineProtocol(filepath.Join(capturesDir, tlg+tc.expected))
			if err != nil {
				t.Fatal(err)
			}
			c := newTestCollector(t)
			recs, counters, errs := decodeAll(t, c, tlg+tc.payload)
			if errs != 0 {
				t.Fatalf("%d errors", errs)
			}
			payload := loadCapture(t, tlg+tc.payload)[0].payload
			export := time.Unix(int64(binary.BigEndian.Uint32(payload[8:])), int64(binary.BigEndian.Uint32(payload[12:])))
			var flows, ctrs int
			for _, l := range lines {
				switch {
				case l.fields["interface"] != "":
					ctrs++
					checkTelegrafCounters(t, l, counters)
				case l.fields["reason"] != "":
					// A drop sample: dropped packets are not traffic, so no record.
				default:
					flows++
					checkTelegrafFlow(t, l, recs, export)
				}
			}
			want(t, len(recs), flows)
			want(t, len(counters), ctrs)
		})
	}
}

func checkTelegrafFlow(t *testing.T, l lpLine, recs []Record, exportTime time.Time) {
	t.Helper()
	src, dst := netip.MustParseAddr(l.fields["src"]), netip.MustParseAddr(l.fields["dst"])
	sp, _ := l.uint("src_port")
	dp, _ := l.uint("dst_port")
	var r *Record
	for i := range recs {
		if recs[i].SrcAddr == src && recs[i].DstAddr == dst && uint64(recs[i].SrcPort) == sp && (dp == 0 || uint64(recs[i].DstPort) == dp) {
			r = &recs[i]
			break
		}
	}
	if r == nil {
		t.Errorf("no record %v:%d > %v:%d", src, sp, dst, dp)
		return
	}
	eq := func(field string, got uint64) {
		t.Helper()
		if w, ok := l.uint(field); ok && w != got {
			t.Errorf("%v > %v: %s = %d, want %d", src, dst, field, got, w)
		}
	}
	switch l.fields["protocol"] {
	case "tcp":
		want(t, r.Proto, uint8(6))
	case "udp":
		want(t, r.Proto, uint8(17))
	}
	if f, ok := l.fields["tcp_flags"]; ok {
		want(t, r.TCPFlags, tcpFlagsFromTelegraf(f))
	}
	eq("src_tos", uint64(r.ToS))
	if l.fields["direction"] != "egress" {
		// For egress samples Telegraf reports the sampling data source as
		// in_snmp; we keep the sample's own input field (sFlow v5 4.1).
		eq("in_snmp", uint64(r.InIf))
	}
	eq("out_snmp", uint64(r.OutIf))
	eq("bgp_src_as", uint64(r.SrcAS))
	eq("bgp_dst_as", uint64(r.DstAS))
	if nh, ok := l.fields["next_hop"]; ok && nh != "0.0.0.0" {
		want(t, r.NextHop.String(), nh)
	}
	if rate, ok := l.uint("sampling_interval"); ok && l.tags["version"] == "sFlowV5" {
		// sFlow: one sampled frame stands for rate frames of its length.
		l2, _ := l.uint("l2_bytes")
		want(t, uint64(r.SamplingRate), rate)
		want(t, r.Bytes, l2*rate)
		want(t, r.Packets, rate)
		return
	}
	eq("in_bytes", r.Bytes)
	eq("in_packets", r.Packets)
	if ms, ok := l.uint("flow_start_ms"); ok {
		want(t, uint64(r.Start.UnixMilli()), ms)
	}
	if ms, ok := l.uint("flow_end_ms"); ok {
		want(t, uint64(r.End.UnixMilli()), ms)
	}
	if first, ok := l.uint("first_switched"); ok {
		last, _ := l.uint("last_switched")
		up, _ := l.uint("sys_uptime")
		want(t, r.End.Sub(r.Start).Milliseconds(), int64(last-first))
		// The end is (uptime - last) before the header's export time.
		want(t, exportTime.Sub(r.End).Milliseconds(), int64(up-last))
	}
}

func checkTelegrafCounters(t *testing.T, l lpLine, cs []InterfaceCounters) {
	t.Helper()
	idx, _ := l.uint("interface")
	var c *InterfaceCounters
	for i := range cs {
		if uint64(cs[i].IfIndex) == idx {
			c = &cs[i]
		}
	}
	if c == nil {
		t.Errorf("no counters for interface %d", idx)
		return
	}
	for field, got := range map[string]uint64{
		"in_bytes": c.InOctets, "out_bytes": c.OutOctets, "speed": c.Speed,
		"in_errors": uint64(c.InErrors), "out_errors": uint64(c.OutErrors),
		"in_dropped_packets": uint64(c.InDiscards), "out_dropped_packets": uint64(c.OutDiscards),
		"in_unicast_packets_total": uint64(c.InUnicast), "out_unicast_packets_total": uint64(c.OutUnicast),
		"in_mcast_packets_total": uint64(c.InMulticast), "out_mcast_packets_total": uint64(c.OutMulticast),
		"in_broadcast_packets_total": uint64(c.InBroadcast), "out_broadcast_packets_total": uint64(c.OutBroadcast),
		"in_unknown_protocol": uint64(c.InUnknownProtos), "interface_type": uint64(c.IfType),
	} {
		if w, ok := l.uint(field); ok && w != got {
			t.Errorf("interface %d: %s = %d, want %d", idx, field, got, w)
		}
	}
	if l.fields["status"] == "up" {
		want(t, c.Status&2, uint32(2))
	}
	p, _ := strconv.ParseUint(l.fields["promiscuous"], 10, 64)
	want(t, c.Promiscuous, p == 1)
	want(t, c.Agent.String(), l.fields["agent_ip"])
}
