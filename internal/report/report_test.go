package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/eventlog"
)

var (
	from = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	to   = from.Add(24 * time.Hour)
)

func at(h float64) time.Time { return from.Add(time.Duration(h * float64(time.Hour))) }

func ev(h float64, kind string) eventlog.Event {
	return eventlog.Event{Time: at(h), Kind: kind, Map: "m", Device: "d", Message: strings.ToLower(kind) + " reason"}
}

func server(h float64, kind string) eventlog.Event {
	return eventlog.Event{Time: at(h), Kind: kind, Message: "server"}
}

func TestAvailability(t *testing.T) {
	hours := func(s Seconds) float64 { return s.D().Hours() }
	for _, tc := range []struct {
		name                   string
		events                 []eventlog.Event
		up, down, unrch, unkn  float64
		pct                    float64 // -1: nil
		outages                int
		firstStart, firstEnd   float64 // hours; firstEnd -1: still out
		firstDur, firstInPerio float64
		cut                    bool
	}{
		{name: "nothing known", unkn: 24, pct: -1},
		{name: "up all along", events: []eventlog.Event{ev(-100, "UP")}, up: 24, pct: 100},
		{name: "outage spanning from", events: []eventlog.Event{ev(-2, "UP"), ev(-1, "DOWN"), ev(3, "UP")},
			up: 21, down: 3, pct: 87.5, outages: 1, firstStart: -1, firstEnd: 3, firstDur: 4, firstInPerio: 3},
		{name: "still down at to", events: []eventlog.Event{ev(-2, "UP"), ev(18, "DOWN"), ev(30, "UP")},
			up: 18, down: 6, pct: 75, outages: 1, firstStart: 18, firstEnd: -1, firstDur: 6, firstInPerio: 6},
		{name: "flapping", events: []eventlog.Event{ev(0, "UP"), ev(1, "DOWN"), ev(1.5, "UP"), ev(2, "DOWN"), ev(2.5, "WARNING"), ev(3, "DOWN"), ev(4, "OK")},
			up: 22, down: 2, pct: 100 * 22.0 / 24, outages: 3, firstStart: 1, firstEnd: 1.5, firstDur: 0.5, firstInPerio: 0.5},
		{name: "warning and critical are up", events: []eventlog.Event{ev(-1, "UP"), ev(2, "WARNING"), ev(3, "CRITICAL"), ev(4, "ALARM"), ev(5, "TRAP")}, up: 24, pct: 100},
		{name: "unknown gap from a server stop", events: []eventlog.Event{ev(-1, "UP"), server(6, "STOP"), server(8, "START"), ev(8.5, "UP")},
			up: 21.5, unkn: 2.5, pct: 100},
		{name: "down while the server stopped", events: []eventlog.Event{ev(-1, "DOWN"), server(6, "STOP"), server(8, "START"), ev(8.1, "DOWN"), ev(10, "UP")},
			up: 14, down: 6 + 1.9, unkn: 2.1, pct: 100 * 14 / 21.9, outages: 2, firstStart: -1, firstEnd: 6, firstDur: 7, firstInPerio: 6, cut: true},
		{name: "crash without stop", events: []eventlog.Event{ev(-1, "UP"), server(12, "START"), ev(12.25, "UP")}, up: 23.75, unkn: 0.25, pct: 100},
		{name: "unreachable apart", events: []eventlog.Event{ev(-1, "UP"), ev(1, "UNREACHABLE"), ev(2, "DOWN"), ev(3, "UP")},
			up: 22, down: 1, unrch: 1, pct: 100 * 22.0 / 24, outages: 2, firstStart: 1, firstEnd: 2, firstDur: 1, firstInPerio: 1},
		{name: "unknown status", events: []eventlog.Event{ev(-1, "UP"), ev(4, "UNKNOWN"), ev(10, "UP")}, up: 18, unkn: 6, pct: 100},
		{name: "events after to ignored", events: []eventlog.Event{ev(-1, "UP"), ev(24, "DOWN"), ev(25, "UP")}, up: 24, pct: 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, outs := availability(tc.events, from, to)
			const eps = 1e-9
			if math.Abs(hours(a.Up)-tc.up) > eps || math.Abs(hours(a.Down)-tc.down) > eps || math.Abs(hours(a.Unreachable)-tc.unrch) > eps || math.Abs(hours(a.Unknown)-tc.unkn) > eps {
				t.Errorf("up %v down %v unreachable %v unknown %v", a.Up.D(), a.Down.D(), a.Unreachable.D(), a.Unknown.D())
			}
			if total := a.Up + a.Down + a.Unreachable + a.Unknown; total.D() != 24*time.Hour {
				t.Errorf("parts add up to %v", total.D())
			}
			switch {
			case tc.pct < 0 && a.Percent != nil:
				t.Errorf("percent %v, want none", *a.Percent)
			case tc.pct >= 0 && (a.Percent == nil || math.Abs(*a.Percent-tc.pct) > 1e-9):
				t.Errorf("percent %v, want %v", a.Percent, tc.pct)
			}
			if len(outs) != tc.outages {
				t.Fatalf("%d outages, want %d: %+v", len(outs), tc.outages, outs)
			}
			if tc.outages == 0 {
				return
			}
			o := outs[0]
			if !o.Start.Equal(at(tc.firstStart)) || hours(o.Duration) != tc.firstDur || hours(o.InPeriod) != tc.firstInPerio || o.Cut != tc.cut {
				t.Errorf("first outage %+v", o)
			}
			if tc.firstEnd < 0 && o.End != nil || tc.firstEnd >= 0 && (o.End == nil || !o.End.Equal(at(tc.firstEnd))) {
				t.Errorf("first outage ends %v, want %v", o.End, tc.firstEnd)
			}
			if o.Reason == "" {
				t.Error("outage without a reason")
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	seq := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(n - i) // descending: Percentile must sort
		}
		return v
	}
	for _, tc := range []struct {
		v    []float64
		p    float64
		want float64
	}{
		{seq(100), 95, 95},
		{seq(20), 95, 19},
		{seq(8640), 95, 8208},
		{seq(1), 95, 1},
		{seq(10), 100, 10},
		{[]float64{math.NaN(), 3, 1, 2}, 50, 2},
		{nil, 95, math.NaN()},
	} {
		got := Percentile(tc.v, tc.p)
		if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("Percentile(%d values, %v) = %v, want %v", len(tc.v), tc.p, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	c := chart.Chart{Resolution: chart.FiveMinutes, Step: 5 * time.Minute}
	for i := range 100 {
		v := float64(i + 1)
		c.Points = append(c.Points, chart.Point{Time: at(float64(i) / 12), Min: v - 0.5, Avg: v, Max: v + 10, Count: 2})
	}
	c.Points = append(c.Points, chart.Point{Time: at(9), Avg: math.NaN(), Count: 1}, chart.Point{Time: at(10), Count: 0})
	st, ok := Summarize(c)
	if !ok || st.Avg != 50.5 || st.Min != 0.5 || st.Max != 110 || st.P95 != 95 || st.Samples != 200 || st.Points != 100 || st.Step.D() != 5*time.Minute {
		t.Fatalf("%+v %v", st, ok)
	}
	if _, ok := Summarize(chart.Chart{}); ok {
		t.Error("stats of no points")
	}
}

// fakeCharts serves constant 5-minute datasets.
type fakeCharts struct {
	metas  []chart.Meta
	values map[string]float64
	asked  []int
}

func (f *fakeCharts) Datasets(ctx context.Context, m, d string) ([]chart.Meta, error) {
	return f.metas, nil
}

func (f *fakeCharts) Query(ctx context.Context, s chart.Series, from, to time.Time, points int) (chart.Chart, error) {
	f.asked = append(f.asked, points)
	v, ok := f.values[s.Dataset]
	if !ok {
		return chart.Chart{}, fmt.Errorf("no dataset %s", s.Dataset)
	}
	c := chart.Chart{Series: s, Resolution: chart.FiveMinutes, Step: 5 * time.Minute, From: from, To: to}
	for t, i := from, 0; t.Before(to); t, i = t.Add(5*time.Minute), i+1 {
		x := v
		if i%25 == 0 {
			x = 2 * v // a peak in 4% of the buckets, above the p95
		}
		c.Points = append(c.Points, chart.Point{Time: t, Min: x, Avg: x, Max: x, Count: 1})
	}
	return c, nil
}

type fakeEvents []eventlog.Event

func (f fakeEvents) Events(ctx context.Context, m, d string, since, until time.Time) ([]eventlog.Event, error) {
	var out []eventlog.Event
	for _, e := range f {
		if (e.Map == m && (d == "" || e.Device == d) || e.Map == "") && e.Time.Before(until) {
			out = append(out, e)
		}
	}
	return out, nil
}

func testBuilder() (*Builder, *fakeCharts) {
	fc := &fakeCharts{
		metas: []chart.Meta{
			{Series: chart.Series{Dataset: "rtt"}},
			{Series: chart.Series{Dataset: "if.10.in_bps"}, Interface: "eth10"},
			{Series: chart.Series{Dataset: "if.2.in_bps"}, Interface: "eth2"},
			{Series: chart.Series{Dataset: "if.2.out_bps"}, Interface: "eth2"},
			{Series: chart.Series{Dataset: "if.2.in_util"}, Interface: "eth2"},
			{Series: chart.Series{Dataset: "if.2.in_errors"}, Interface: "eth2"},
			{Series: chart.Series{Dataset: "ds.temp"}},
		},
		values: map[string]float64{"rtt": 12, "if.10.in_bps": 1e6, "if.2.in_bps": 5e6, "if.2.out_bps": 2e6, "if.2.in_util": 5},
	}
	b := &Builder{
		Events: fakeEvents{ev(-1, "UP"), ev(6, "DOWN"), ev(7, "UP"), {Time: at(3), Kind: "DOWN", Map: "m", Device: "other", Message: "x"}, {Time: at(2), Kind: "DOWN", Map: "n", Device: "d"}},
		Charts: fc,
		Devices: func(m string) ([]string, error) {
			if m != "m" {
				return nil, ErrNotFound
			}
			return []string{"d", "other"}, nil
		},
		Now: func() time.Time { return to.Add(time.Hour) },
	}
	return b, fc
}

func TestBuilder(t *testing.T) {
	b, fc := testBuilder()
	r, err := b.Report(context.Background(), "m", "", from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Devices) != 2 || r.Summary.Outages != 2 || r.Summary.Downtime.D() != 22*time.Hour {
		t.Fatalf("summary %+v", r.Summary)
	}
	d := r.Devices[0]
	if *d.Availability.Percent != 100*23.0/24 || d.ResponseTime == nil || d.ResponseTime.P95 != 12 || d.ResponseTime.Max != 24 {
		t.Errorf("device d: %+v rtt %+v", d.Availability, d.ResponseTime)
	}
	if len(d.Interfaces) != 2 || d.Interfaces[0].Name != "eth2" || d.Interfaces[1].Name != "eth10" {
		t.Fatalf("interfaces %+v", d.Interfaces)
	}
	eth2 := d.Interfaces[0]
	if eth2.InBps.P95 != 5e6 || eth2.InBps.Max != 10e6 || eth2.OutBps.Avg != 2e6*(1+12.0/288) || eth2.InUtil.P95 != 5 || eth2.OutUtil != nil {
		t.Errorf("eth2 %+v %+v %+v", eth2.InBps, eth2.OutBps, eth2.InUtil)
	}
	if fc.asked[0] != 289 {
		t.Errorf("asked for %d points for a day, want 289 (5-minute)", fc.asked[0])
	}
	if _, err := b.Report(context.Background(), "m", "ghost", from, to); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown device: %v", err)
	}
	if _, err := b.Report(context.Background(), "nomap", "", from, to); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown map: %v", err)
	}
	if _, err := b.Report(context.Background(), "m", "", to, from); err == nil {
		t.Error("reversed range accepted")
	}
	one, err := b.Report(context.Background(), "m", "other", from, to)
	if err != nil || len(one.Devices) != 1 || one.Devices[0].Device != "other" || len(one.Devices[0].Outages) != 1 {
		t.Errorf("one device: %+v %v", one, err)
	}
}

func TestWriters(t *testing.T) {
	b, _ := testBuilder()
	b.Events = append(b.Events.(fakeEvents), eventlog.Event{Time: at(8), Kind: "DOWN", Map: "m", Device: "d", Message: `<script>alert("x")</script>, "quoted"`})
	r, err := b.Report(context.Background(), "m", "", from, to)
	if err != nil {
		t.Fatal(err)
	}

	var h bytes.Buffer
	if err := WriteHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	html := h.String()
	for _, want := range []string{"<!DOCTYPE html>", "Vantage report: m, 2026-11-20 00:00 to 2026-11-21 00:00 UTC", "29.166%", "12.00 ms", "eth2", "5.00 Mbit/s", "10.00 Mbit/s",
		"still out", "&lt;script&gt;", "95th percentiles are over 5m 0s averages", "background:#d62728"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("HTML not escaped")
	}

	var c bytes.Buffer
	if err := WriteCSV(&c, r); err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(&c)
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v", err)
	}
	tables := map[string][][]string{}
	for _, row := range rows {
		tables[row[0]] = append(tables[row[0]], row)
	}
	if len(tables["device"]) != 3 || len(tables["outage"]) != 4 || len(tables["interface"]) != 5 {
		t.Fatalf("tables: %d device, %d outage, %d interface rows", len(tables["device"]), len(tables["outage"]), len(tables["interface"]))
	}
	for name, tbl := range tables {
		for _, row := range tbl[1:] {
			if len(row) != len(tbl[0]) {
				t.Errorf("%s row has %d cells, header %d", name, len(row), len(tbl[0]))
			}
		}
	}
	dev := tables["device"][1]
	if dev[2] != "d" || dev[5] != fmt.Sprint(100*7.0/24) || dev[7] != "61200" || dev[14] != "12" {
		t.Errorf("device row %q", dev)
	}
	if o := tables["outage"][2]; o[9] != `<script>alert("x")</script>, "quoted"` || o[5] != "" {
		t.Errorf("outage row %q", o)
	}

	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || back.Devices[0].Availability.Down != r.Devices[0].Availability.Down {
		t.Errorf("JSON round trip: %v", err)
	}
	if !strings.Contains(string(js), `"down_s":61200`) || !strings.Contains(string(js), `"response_time_ms":{`) {
		t.Errorf("JSON %s", js)
	}
	if txt := Text(r); !strings.Contains(txt, "2 devices, availability 15.555%, 3 outages") {
		t.Errorf("text %q", txt)
	}
}

func TestLogEventsPaging(t *testing.T) {
	l, err := eventlog.Open(t.TempDir(), eventlog.Config{MaxSize: 1 << 30}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// More than a page, many at the same instant across the page edge.
	base := from.Add(-time.Hour)
	for i := range pageSize + 500 {
		tm := base.Add(time.Duration(i/7) * time.Millisecond)
		kind := "UP"
		if i%2 == 1 {
			kind = "DOWN"
		}
		if err := l.Write(eventlog.Event{Time: tm, Kind: kind, Map: "m", Device: "d", Message: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	l.Write(eventlog.Event{Time: base, Kind: "DOWN", Map: "other", Device: "d"})
	l.Write(eventlog.Event{Time: base.Add(time.Second), Kind: eventlog.KindStop, Message: "stopped"})
	l.Write(eventlog.Event{Time: base.Add(2 * time.Second), Kind: eventlog.KindStart, Message: "started"})
	evs, err := LogEvents{l}.Events(context.Background(), "m", "d", time.Time{}, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != pageSize+502 {
		t.Fatalf("%d events, want %d", len(evs), pageSize+502)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if e.Map == "m" {
			if seen[e.Message] {
				t.Fatalf("event %s twice", e.Message)
			}
			seen[e.Message] = true
		}
	}
}
