package store

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/status"
)

// TestRetentionYear records a year of 5-minute RTT readings through the
// recorder into SQLite, prunes at "now" with the default policy and checks
// what each resolution keeps; the daily roll-ups must still show the
// year's peak and minimum long after their raw points are gone.
func TestRetentionYear(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a year of samples")
	}
	ctx := context.Background()
	s := openSamples(t)
	start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	const days, perDay = 366, 288
	now := start.Add(days * 24 * time.Hour)
	peakAt := start.Add(10*24*time.Hour + 12*time.Hour)
	lowAt := start.Add(20*24*time.Hour + 3*time.Hour)

	rec := chart.New(s, chart.Options{Server: "east", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }, BatchSize: 5000, QueueSize: days * perDay,
		ShutdownTimeout: 24 * time.Hour}) // the final flush writes most of the year
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rec.Run(rctx) }()
	for i := range days * perDay {
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		v := 10 + float64(i%perDay)/perDay*20 // 10..30 ms over each day
		switch at {
		case peakAt:
			v = 1000
		case lowAt:
			v = -5
		}
		rec.Record("Campus", "gw", status.Result{Time: at, Values: map[string]any{"rtt_ms": v}})
	}
	stop()
	wg.Wait()
	if st := rec.Stats(); st.Written != days*perDay || st.Dropped != 0 || st.WriteErrors != 0 {
		t.Fatalf("recorder %+v", st)
	}

	gw := chart.Series{Server: "east", Map: "Campus", Device: "gw", Dataset: "rtt"}
	st, err := chart.Prune(ctx, s, chart.DefaultPolicies(), now)
	if err != nil || st.Series != 1 {
		t.Fatalf("prune %+v, %v", st, err)
	}
	for _, tc := range []struct {
		r     chart.Resolution
		first time.Time // oldest point kept
		n     int
	}{
		{chart.Raw, now.Add(-48 * time.Hour), 2 * perDay},
		{chart.FiveMinutes, now.Add(-90 * 24 * time.Hour), 90 * perDay},
		{chart.Hour, now.Add(-365 * 24 * time.Hour), 365 * 24},
		{chart.Day, start, days},
	} {
		pts, err := s.Query(ctx, gw, tc.r, start.Add(-time.Hour), now)
		if err != nil || len(pts) != tc.n || !pts[0].Time.Equal(tc.first) {
			t.Errorf("%s keeps %d points from %v, %v; want %d from %v", tc.r, len(pts), pts[0].Time, err, tc.n, tc.first)
		}
	}
	if st.Deleted != int64((days-2)*perDay+(days-90)*perDay+24) {
		t.Errorf("deleted %d", st.Deleted)
	}
	// Pruning again at the same time finds nothing more.
	if st, err := chart.Prune(ctx, s, chart.DefaultPolicies(), now); err != nil || st.Deleted != 0 {
		t.Errorf("second prune %+v, %v", st, err)
	}

	q := chart.Querier{Backend: s, Now: func() time.Time { return now }}
	year, err := q.Query(ctx, gw, now.Add(-days*24*time.Hour), now, 400)
	if err != nil || year.Resolution != chart.Day || len(year.Points) != days {
		t.Fatalf("year chart: %s, %d points, %v", year.Resolution, len(year.Points), err)
	}
	var hi, lo chart.Point
	for _, p := range year.Points {
		if p.Max > hi.Max {
			hi = p
		}
		if p.Min < lo.Min {
			lo = p
		}
		if p.Count != perDay {
			t.Fatalf("day %v has %d samples", p.Time, p.Count)
		}
	}
	if hi.Max != 1000 || !hi.Time.Equal(chart.Day.Bucket(peakAt)) || lo.Min != -5 || !lo.Time.Equal(chart.Day.Bucket(lowAt)) {
		t.Errorf("year peak %+v, low %+v", hi, lo)
	}
	for _, tc := range []struct {
		from, to time.Duration
		want     chart.Resolution
	}{
		{2 * time.Hour, 0, chart.Raw},
		{30 * time.Hour, 28 * time.Hour, chart.Raw},
		{4 * 24 * time.Hour, 3 * 24 * time.Hour, chart.FiveMinutes},
		{120 * 24 * time.Hour, 119 * 24 * time.Hour, chart.Hour},
	} {
		c, err := q.Query(ctx, gw, now.Add(-tc.from), now.Add(-tc.to), 600)
		if err != nil || c.Resolution != tc.want || len(c.Points) == 0 {
			t.Errorf("chart %v..%v ago: %s with %d points, %v; want %s", tc.from, tc.to, c.Resolution, len(c.Points), err, tc.want)
		}
	}

	var size int64
	if err := s.db.QueryRow(`SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'chart_%' OR name LIKE 'sqlite_autoindex_chart_%'`).Scan(&size); err == nil {
		t.Logf("one dataset-year under the default policy: %d KiB in the chart tables", size/1024)
	}
}
