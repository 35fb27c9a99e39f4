package chart

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPickResolution(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	def := DefaultPolicy()
	for _, tc := range []struct {
		name   string
		from   time.Duration // before now
		to     time.Duration // before now
		points int
		pol    Policy
		want   Resolution
	}{
		{"last hour", time.Hour, 0, 600, def, Raw},
		{"last day, 600 points", 24 * time.Hour, 0, 600, def, Raw},
		{"last day, 100 points", 24 * time.Hour, 0, 100, def, Hour},
		{"last day, 288 points", 24 * time.Hour, 0, 288, def, FiveMinutes},
		{"last day, 250 points: about", 24 * time.Hour, 0, 250, def, FiveMinutes},
		{"raw pruned for from", 3 * day, 2 * day, 600, def, FiveMinutes},
		{"last week", 7 * day, 0, 600, def, Hour},
		{"last month", 30 * day, 0, 600, def, Hour},
		{"last year", 365 * day, 0, 600, def, Day},
		{"last year, many points", 365 * day, 0, 10000, def, Hour},
		{"4 months ago, one day: 5m pruned", 120 * day, 119 * day, 600, def, Hour},
		{"2 years ago: only daily", 730 * day, 729 * day, 600, def, Day},
		{"default points", time.Hour, 0, 0, def, Raw},
		{"reversed range", 0, time.Hour, 600, def, Raw},
		{"keep everything forever", 400 * day, 399 * day, 600, Policy{}, Raw},
		{"nothing covers: longest kept", 10 * year, 9 * year, 600,
			Policy{Raw: Duration(day), FiveMinutes: Duration(10 * day), Hour: Duration(year), Day: Duration(2 * year)}, Day},
		{"coarsest covering when none fits", 5 * year, 0, 10,
			Policy{Raw: Duration(day), FiveMinutes: Duration(10 * day), Hour: Duration(year), Day: 0}, Day},
	} {
		got := PickResolution(now.Add(-tc.from), now.Add(-tc.to), tc.points, tc.pol, now)
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestDownsampleKeepsPeaks(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var pts []Point
	for i := range 1000 {
		v := float64(i % 10)
		if i == 777 {
			v = 1e6
		}
		if i == 333 {
			v = -50
		}
		pts = append(pts, Point{Time: from.Add(time.Duration(i) * time.Minute), Min: v, Avg: v, Max: v, Count: 1})
	}
	to := from.Add(1000 * time.Minute)
	out, step := Downsample(pts, from, to, 100, 0)
	if len(out) > 101 || len(out) < 90 || step != 10*time.Minute {
		t.Fatalf("%d points, step %v", len(out), step)
	}
	var hi, lo float64
	var n int64
	for i, p := range out {
		hi, lo, n = max(hi, p.Max), min(lo, p.Min), n+p.Count
		if i > 0 && !p.Time.After(out[i-1].Time) {
			t.Fatal("points not in order")
		}
		if p.Min > p.Avg || p.Avg > p.Max {
			t.Fatalf("point %+v: avg outside min..max", p)
		}
	}
	if hi != 1e6 || lo != -50 || n != 1000 {
		t.Errorf("max %g min %g count %d", hi, lo, n)
	}
	if out[0].Avg != 4.5 {
		t.Errorf("first avg %g, want 4.5", out[0].Avg)
	}
	// Merging roll-ups weights averages by count.
	ru := []Point{{Time: from, Min: 0, Avg: 1, Max: 2, Count: 3}, {Time: from.Add(time.Hour), Min: 5, Avg: 5, Max: 5, Count: 1}}
	out, _ = Downsample(ru, from, from.Add(2*time.Hour), 1, time.Hour)
	if len(out) != 1 || out[0].Avg != 2 || out[0].Count != 4 || out[0].Max != 5 || out[0].Min != 0 {
		t.Errorf("merged %+v", out)
	}
}

func TestQuerier(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	m := newMem()
	s := Series{Map: "Campus", Device: "gw", Dataset: "rtt"}
	var batch []Sample
	for i := range 2880 { // two days every minute
		batch = append(batch, Sample{Series: s, Time: now.Add(-time.Duration(i) * time.Minute), Value: float64(i % 60)})
	}
	if err := m.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	q := Querier{Backend: m, Now: func() time.Time { return now }}
	ctx := context.Background()

	c, err := q.Query(ctx, s, now.Add(-time.Hour), now, 600)
	if err != nil || c.Resolution != Raw || c.Step != 0 || len(c.Points) != 61 {
		t.Fatalf("hour: %s step %v %d points, %v", c.Resolution, c.Step, len(c.Points), err)
	}
	c, err = q.Query(ctx, s, now.Add(-24*time.Hour), now, 600)
	if err != nil || c.Resolution != Raw || len(c.Points) > 601 || len(c.Points) < 280 || c.Step != 5*time.Minute {
		t.Fatalf("day: %s step %v %d points, %v", c.Resolution, c.Step, len(c.Points), err)
	}
	c, err = q.Query(ctx, s, now.Add(-24*time.Hour), now, 24)
	if err != nil || c.Resolution != Hour || len(c.Points) != 25 || c.Points[0].Max != 59 || c.Points[0].Min != 0 {
		t.Fatalf("hourly day: %s %d points %+v, %v", c.Resolution, len(c.Points), c.Points[:1], err)
	}
	// A rule keeping raw a week makes raw the pick for 3 days back.
	q.Retention = func() Policies {
		return Policies{Policy: DefaultPolicy(), Rules: []Rule{{Device: "gw", Raw: dp(7 * day)}}}
	}
	c, err = q.Query(ctx, s, now.Add(-3*24*time.Hour), now.Add(-2*24*time.Hour), 2000)
	if err != nil || c.Resolution != Raw {
		t.Fatalf("rule: %s, %v", c.Resolution, err)
	}
	c, err = q.QueryAt(ctx, s, Day, now.Add(-3*24*time.Hour), now, 0)
	if err != nil || c.Resolution != Day || len(c.Points) != 3 {
		t.Fatalf("forced day: %s %d, %v", c.Resolution, len(c.Points), err)
	}
	j, _ := json.Marshal(c)
	if !strings.Contains(string(j), `"resolution":"1d","step_s":86400`) || !strings.Contains(string(j), `"dataset":"rtt"`) {
		t.Errorf("json %s", j)
	}
	empty, err := q.Query(ctx, Series{Device: "nope", Dataset: "rtt"}, now.Add(-time.Hour), now, 10)
	if j, _ := json.Marshal(empty); err != nil || !strings.Contains(string(j), `"points":[]`) {
		t.Errorf("empty chart %s, %v", j, err)
	}
	for _, bad := range [][2]time.Time{{now, now.Add(-time.Second)}, {{}, now}} {
		if _, err := q.Query(ctx, s, bad[0], bad[1], 10); err == nil {
			t.Errorf("range %v accepted", bad)
		}
	}
	if _, err := q.QueryAt(ctx, s, Resolution(7), now.Add(-time.Hour), now, 10); err == nil {
		t.Error("bad resolution accepted")
	}
}

func TestWriteCSV(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	charts := []Chart{
		{Series: Series{Map: "Campus", Device: "gw", Dataset: "rtt"}, Points: []Point{
			{Time: t0, Min: 1, Avg: 2, Max: 3, Count: 2}, {Time: t0.Add(time.Minute), Min: 4, Avg: 4, Max: 4, Count: 1}}},
		{Series: Series{Server: "east", Device: "sw", Dataset: "if.1.in_bps"}, Points: []Point{
			{Time: t0.Add(2 * time.Minute), Min: 0.5, Avg: 0.5, Max: 0.5, Count: 1}, {Time: t0, Min: 1e9, Avg: 1e9, Max: 1e9, Count: 1}}},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, charts); err != nil {
		t.Fatal(err)
	}
	want := `time,Campus/gw rtt avg,Campus/gw rtt min,Campus/gw rtt max,east:sw if.1.in_bps avg,east:sw if.1.in_bps min,east:sw if.1.in_bps max
2025-01-01T00:00:00Z,2,1,3,1e+09,1e+09,1e+09
2025-01-01T00:01:00Z,4,4,4,,,
2025-01-01T00:02:00Z,,,,0.5,0.5,0.5
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
