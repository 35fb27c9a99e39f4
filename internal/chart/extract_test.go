package chart

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile/engine"
	"github.com/vantage-monitor/vantage/internal/status"
)

func f64(v float64) *float64 { return &v }

// brief renders samples as "dataset=value units label [iface]" for
// comparison.
func brief(ss []Sample) []string {
	var out []string
	for _, s := range ss {
		line := fmt.Sprintf("%s=%g %s %q", s.Dataset, s.Value, s.Units, s.Label)
		if s.Interface != "" {
			line += " [" + s.Interface + "]"
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func TestExtract(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		r    status.Result
		want []string
	}{
		{"ping", status.Result{RTT: 12 * time.Millisecond, Values: map[string]any{
			"rtt_ms": 12.5, "rtt_min_ms": 10.0, "rtt_max_ms": 15.0, "loss_pct": 0.0, "ttl": 64}},
			[]string{`loss=0 % "Packet loss"`, `rtt=12.5 ms "Round-trip time"`}},
		{"RTT without rtt_ms", status.Result{RTT: 1500 * time.Microsecond},
			[]string{`rtt=1.5 ms "Round-trip time"`}},
		{"ping fallback of SNMP", status.Result{Values: map[string]any{"ping_rtt_ms": 3.25}},
			[]string{`rtt=3.25 ms "Round-trip time"`}},
		{"rtt_ms wins over ping_rtt_ms", status.Result{Values: map[string]any{"rtt_ms": 7, "ping_rtt_ms": 3.25}},
			[]string{`rtt=7 ms "Round-trip time"`}},
		{"http", status.Result{RTT: 80 * time.Millisecond, Values: map[string]any{
			"rtt_ms": 80.0, "http_status": 200, "bytes": 1234, "cert_days": 42, "cert_subject": "CN=x"}},
			[]string{`cert_days=42 days "Certificate days left"`, `rtt=80 ms "Round-trip time"`}},
		{"down", status.Result{NoResponse: true, Values: map[string]any{"loss_pct": 100.0}},
			[]string{`loss=100 % "Packet loss"`}},
		{"snmp interfaces", status.Result{Values: map[string]any{"rtt_ms": 2.0, "interfaces": []probe.SNMPInterface{
			{Index: 1, Name: "eth0", InBps: f64(1e6), OutBps: f64(2e6), InUtilPct: f64(1), OutUtilPct: f64(2),
				InErrorsPerMin: f64(0), OutErrorsPerMin: f64(0.5), InPps: f64(100)},
			{Index: 2, Descr: "Loopback"}, // first poll: no rates, no samples
			{Index: 7, InBps: f64(5)},     // no name: #7
		}}}, []string{
			`if.1.in_bps=1e+06 bit/s "eth0 in" [eth0]`, `if.1.in_errors=0 /min "eth0 in errors" [eth0]`,
			`if.1.in_util=1 % "eth0 in utilisation" [eth0]`, `if.1.out_bps=2e+06 bit/s "eth0 out" [eth0]`,
			`if.1.out_errors=0.5 /min "eth0 out errors" [eth0]`, `if.1.out_util=2 % "eth0 out utilisation" [eth0]`,
			`if.7.in_bps=5 bit/s "#7 in" [#7]`, `rtt=2 ms "Round-trip time"`,
		}},
		{"probe-file datasets", status.Result{Values: map[string]any{"datasets": []engine.DatasetValue{
			{Variable: "cpu", Tag: "cpuload", Units: "%", Legend: "CPU load", Record: true, Value: 37},
			{Variable: "mem", Record: true, Value: 1024, Units: "MB"},
			{Variable: "temp", Tag: "temp", Record: false, Value: 40},
			{Variable: "dup", Tag: "cpuload", Record: true, Value: 99},
			{Variable: "", Tag: " ", Record: true, Value: 1},
			{Variable: "nan", Record: true, Value: math.NaN()},
		}}}, []string{`ds.cpuload=37 % "CPU load"`, `ds.mem=1024 MB "mem"`}},
		{"nothing numeric", status.Result{Values: map[string]any{"banner": "220 hello", "rtt_ms": "12"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.Time = at
			got := Extract("Campus", "gw", tc.r)
			if b := brief(got); !slices.Equal(b, tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(b, "\n  "), strings.Join(tc.want, "\n  "))
			}
			for _, s := range got {
				if s.Map != "Campus" || s.Device != "gw" || s.Server != "" || !s.Time.Equal(at) {
					t.Errorf("sample %+v: wrong series or time", s)
				}
			}
		})
	}
}

// TestExtractOdd feeds values of the wrong types, nil pointers and
// non-finite numbers: no panic, no sample from any of them.
func TestExtractOdd(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for i, v := range []map[string]any{
		nil,
		{"rtt_ms": nan, "loss_pct": inf, "cert_days": math.Inf(-1)},
		{"rtt_ms": nil, "loss_pct": "5%", "cert_days": []int{1}},
		{"rtt_ms": (*float64)(nil), "ping_rtt_ms": struct{}{}},
		{"interfaces": "eth0", "datasets": 42},
		{"interfaces": []any{probe.SNMPInterface{Index: 1, InBps: f64(1)}}, "datasets": []any{engine.DatasetValue{Tag: "x", Record: true}}},
		{"interfaces": []*probe.SNMPInterface{nil, {Index: 1, InBps: f64(nan), OutBps: f64(inf)}}},
		{"interfaces": []probe.SNMPInterface(nil), "datasets": []*engine.DatasetValue{nil, {Tag: "x", Record: true, Value: inf}}},
		{"interfaces": map[string]any{"1": 1}},
	} {
		got := Extract("m", "d", status.Result{Values: v, RTT: -time.Second})
		if len(got) != 0 {
			t.Errorf("case %d: got %v", i, brief(got))
		}
	}
}

// FuzzExtract builds Values from fuzzed names and numbers: Extract must
// never panic nor emit a non-finite value or a duplicate dataset.
func FuzzExtract(f *testing.F) {
	f.Add("rtt_ms", 12.5, "eth0", 3, "cpu", true)
	f.Add("loss_pct", math.NaN(), "", -1, "", false)
	f.Add("interfaces", math.Inf(1), "x y", 0, "ds", true)
	f.Fuzz(func(t *testing.T, key string, v float64, ifName string, idx int, tag string, record bool) {
		r := status.Result{Values: map[string]any{
			key:          v,
			"rtt_ms":     v,
			"interfaces": []probe.SNMPInterface{{Index: idx, Name: ifName, InBps: &v, OutUtilPct: &v}, {Index: idx, Name: ifName, InBps: &v}},
			"datasets":   []engine.DatasetValue{{Variable: key, Tag: tag, Record: record, Value: v}, {Variable: key, Tag: tag, Record: true, Value: -v}},
		}, RTT: time.Duration(idx)}
		seen := map[string]bool{}
		for _, s := range Extract("m", "d", r) {
			if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
				t.Fatalf("non-finite sample %+v", s)
			}
			if seen[s.Dataset] || s.Dataset == "" {
				t.Fatalf("duplicate or empty dataset %q", s.Dataset)
			}
			seen[s.Dataset] = true
		}
	})
}
