package store

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
)

func openSamples(t testing.TB) *Samples {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "db", "vantage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewSamples(db)
}

var t0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

func rtt(device string) chart.Series {
	return chart.Series{Server: "east", Map: "Campus", Device: device, Dataset: "rtt"}
}

func TestSamplesWriteQueryRollups(t *testing.T) {
	ctx := context.Background()
	s := openSamples(t)
	gw := rtt("gw")
	var batch []chart.Sample
	// Two hours, one sample a minute: value = minute of the hour.
	for i := range 120 {
		batch = append(batch, chart.Sample{Series: gw, Time: t0.Add(time.Duration(i) * time.Minute), Value: float64(i % 60), Label: "Round-trip time", Units: "ms"})
	}
	batch = append(batch, chart.Sample{Series: gw, Time: t0.Add(-time.Second), Value: math.NaN()}) // skipped
	if err := s.Write(ctx, batch[:50]); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, batch[50:]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		r        chart.Resolution
		n        int
		first    chart.Point
		from, to time.Time
	}{
		{chart.Raw, 120, chart.Point{Time: t0, Min: 0, Avg: 0, Max: 0, Count: 1}, t0.Add(-time.Hour), t0.Add(3 * time.Hour)},
		{chart.Raw, 2, chart.Point{Time: t0.Add(time.Minute), Min: 1, Avg: 1, Max: 1, Count: 1}, t0.Add(time.Minute), t0.Add(2 * time.Minute)},
		{chart.FiveMinutes, 24, chart.Point{Time: t0, Min: 0, Avg: 2, Max: 4, Count: 5}, t0, t0.Add(3 * time.Hour)},
		{chart.Hour, 2, chart.Point{Time: t0, Min: 0, Avg: 29.5, Max: 59, Count: 60}, t0, t0.Add(3 * time.Hour)},
		{chart.Day, 1, chart.Point{Time: t0, Min: 0, Avg: 29.5, Max: 59, Count: 120}, t0, t0.Add(3 * time.Hour)},
	} {
		pts, err := s.Query(ctx, gw, tc.r, tc.from, tc.to)
		if err != nil || len(pts) != tc.n || pts[0] != tc.first {
			t.Errorf("%s: %d points, first %+v, %v; want %d, %+v", tc.r, len(pts), pts[0], err, tc.n, tc.first)
		}
	}
	if pts, err := s.Query(ctx, rtt("nope"), chart.Raw, t0, t0.Add(time.Hour)); err != nil || len(pts) != 0 {
		t.Errorf("unknown series: %v, %v", pts, err)
	}
	if _, err := s.Query(ctx, gw, chart.Resolution(9), t0, t0); err == nil {
		t.Error("bad resolution accepted")
	}
	ds, err := s.Datasets(ctx, "east", "Campus", "gw")
	if err != nil || len(ds) != 1 || ds[0].Label != "Round-trip time" || ds[0].Units != "ms" || !ds[0].Last.Equal(t0.Add(119*time.Minute)) {
		t.Errorf("datasets %+v, %v", ds, err)
	}
}

// TestSamplesWriteIdempotent replays batches, whole and overlapping, as a
// spool replay would: roll-ups must not double.
func TestSamplesWriteIdempotent(t *testing.T) {
	ctx := context.Background()
	s := openSamples(t)
	gw := rtt("gw")
	var batch []chart.Sample
	for i := range 60 {
		batch = append(batch, chart.Sample{Series: gw, Time: t0.Add(time.Duration(i) * time.Minute), Value: float64(i)})
	}
	for _, b := range [][]chart.Sample{batch[:40], batch, batch[20:], batch[:1]} {
		if err := s.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// A changed value at a stored time is ignored too: first write wins.
	if err := s.Write(ctx, []chart.Sample{{Series: gw, Time: t0, Value: 1000}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []chart.Resolution{chart.Hour, chart.Day} {
		pts, err := s.Query(ctx, gw, r, t0, t0.Add(time.Hour))
		if err != nil || len(pts) != 1 || pts[0].Count != 60 || pts[0].Avg != 29.5 || pts[0].Max != 59 {
			t.Errorf("%s after replay: %+v, %v", r, pts, err)
		}
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM chart_raw`).Scan(&n)
	if n != 60 {
		t.Errorf("%d raw rows", n)
	}
}

func TestSamplesCatalogue(t *testing.T) {
	ctx := context.Background()
	s := openSamples(t)
	in := chart.Series{Server: "east", Map: "Campus", Device: "sw", Dataset: "if.1.in_bps"}
	west := chart.Series{Server: "west", Map: "Lab", Device: "sw", Dataset: "rtt"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Write(ctx, []chart.Sample{
		{Series: in, Time: t0, Value: 1, Label: "eth0 in", Units: "bit/s", Interface: "eth0"},
		{Series: rtt("gw"), Time: t0, Value: 2, Label: "Round-trip time", Units: "ms"},
		{Series: west, Time: t0, Value: 3},
	}))
	// Renamed interface: the catalogue follows; empty labels keep the old.
	must(s.Write(ctx, []chart.Sample{
		{Series: in, Time: t0.Add(time.Minute), Value: 1, Label: "uplink in", Units: "bit/s", Interface: "uplink"},
		{Series: rtt("gw"), Time: t0.Add(time.Minute), Value: 2},
	}))
	// A fresh Samples (restart) reads the catalogue from the database.
	s2 := NewSamples(s.db)
	for _, tc := range []struct {
		server, m, d string
		want         []string
	}{
		{"", "", "", []string{"east/Campus/gw/rtt", "east/Campus/sw/if.1.in_bps", "west/Lab/sw/rtt"}},
		{"east", "", "", []string{"east/Campus/gw/rtt", "east/Campus/sw/if.1.in_bps"}},
		{"", "", "sw", []string{"east/Campus/sw/if.1.in_bps", "west/Lab/sw/rtt"}},
		{"", "Lab", "", []string{"west/Lab/sw/rtt"}},
		{"north", "", "", nil},
	} {
		ds, err := s2.Datasets(ctx, tc.server, tc.m, tc.d)
		must(err)
		var got []string
		for _, m := range ds {
			got = append(got, m.Server+"/"+m.Map+"/"+m.Device+"/"+m.Dataset)
		}
		if len(got) != len(tc.want) {
			t.Errorf("Datasets(%q,%q,%q) = %v, want %v", tc.server, tc.m, tc.d, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("Datasets(%q,%q,%q) = %v, want %v", tc.server, tc.m, tc.d, got, tc.want)
			}
		}
	}
	ds, _ := s2.Datasets(ctx, "east", "Campus", "")
	if ds[0].Label != "Round-trip time" || ds[1].Label != "uplink in" || ds[1].Interface != "uplink" || !ds[1].Last.Equal(t0.Add(time.Minute)) {
		t.Errorf("catalogue %+v", ds)
	}
	all, err := s2.AllSeries(ctx)
	if err != nil || len(all) != 3 || all[0] != in {
		t.Errorf("AllSeries %v, %v", all, err)
	}
	pts, err := s2.Query(ctx, in, chart.Raw, t0, t0.Add(time.Hour))
	if err != nil || len(pts) != 2 {
		t.Errorf("query after restart: %v, %v", pts, err)
	}
}

func TestSamplesPruneInChunks(t *testing.T) {
	ctx := context.Background()
	s := openSamples(t)
	gw, other := rtt("gw"), rtt("other")
	var batch []chart.Sample
	n := 2*samplesPruneChunk + 17
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		batch = append(batch, chart.Sample{Series: gw, Time: at, Value: 1}, chart.Sample{Series: other, Time: at, Value: 1})
	}
	if err := s.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	cut := t0.Add(time.Duration(n-10) * time.Second)
	got, err := s.Prune(ctx, gw, chart.Raw, cut)
	if err != nil || got != int64(n-10) {
		t.Fatalf("pruned %d, %v; want %d", got, err, n-10)
	}
	pts, _ := s.Query(ctx, gw, chart.Raw, t0, t0.Add(2*time.Hour))
	if len(pts) != 10 || !pts[0].Time.Equal(cut) {
		t.Errorf("left %d points from %v", len(pts), pts[0].Time)
	}
	if pts, _ := s.Query(ctx, other, chart.Raw, t0, t0.Add(2*time.Hour)); len(pts) != n {
		t.Errorf("other series lost points: %d", len(pts))
	}
	if got, err := s.Prune(ctx, gw, chart.Raw, cut); got != 0 || err != nil {
		t.Errorf("second prune %d, %v", got, err)
	}
	if got, err := s.Prune(ctx, rtt("nope"), chart.Hour, cut); got != 0 || err != nil {
		t.Errorf("unknown series prune %d, %v", got, err)
	}
	if got, err := s.Prune(ctx, gw, chart.Hour, cut); got != 2 || err != nil {
		t.Errorf("hour prune %d, %v", got, err)
	}
}
