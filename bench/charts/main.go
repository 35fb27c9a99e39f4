// Command charts measures the embedded chart store: ingest rate with
// roll-ups kept current, and strip-chart query latency with a year of data
// for 10,000 datasets. It writes to a temporary SQLite file and sends no
// traffic at all.
//
//	go run ./bench/charts [-datasets 10000] [-dir /tmp]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/store"
)

func main() {
	datasets := flag.Int("datasets", 10000, "datasets in the store")
	polls := flag.Int("polls", 20, "polls per dataset in the ingest phase")
	dir := flag.String("dir", os.TempDir(), "where the temporary database goes")
	flag.Parse()
	ctx := context.Background()
	tmp, err := os.MkdirTemp(*dir, "vantage-chart-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	db, err := store.Open(ctx, filepath.Join(tmp, "vantage.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	samples := store.NewSamples(db)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

	// Ingest through the real write path: every sample updates its raw
	// point and three roll-ups, in batches of 5,000 as the recorder sends.
	series := make([]chart.Series, *datasets)
	for i := range series {
		series[i] = chart.Series{Server: "bench", Map: "M" + strconv.Itoa(i/100), Device: "d" + strconv.Itoa(i), Dataset: "rtt"}
	}
	start := now.Add(-time.Duration(*polls) * 5 * time.Minute)
	batch := make([]chart.Sample, 0, 5000)
	n := 0
	t0 := time.Now()
	for p := range *polls {
		at := start.Add(time.Duration(p) * 5 * time.Minute)
		for _, s := range series {
			batch = append(batch, chart.Sample{Series: s, Time: at, Value: 1 + rand.Float64()*50, Units: "ms", Label: "Round-trip time"})
			if len(batch) == cap(batch) {
				if err := samples.Write(ctx, batch); err != nil {
					log.Fatal(err)
				}
				n += len(batch)
				batch = batch[:0]
			}
		}
	}
	if len(batch) > 0 {
		if err := samples.Write(ctx, batch); err != nil {
			log.Fatal(err)
		}
		n += len(batch)
	}
	el := time.Since(t0)
	fmt.Printf("ingest: %d samples (%d datasets x %d polls) in %s: %.0f samples/s with roll-ups current\n",
		n, *datasets, *polls, el.Round(time.Millisecond), float64(n)/el.Seconds())

	// A year of data: the daily table and two days of raw points (5-minute
	// polls) for every dataset — the tables the two charts below read —
	// bulk-loaded in SQL; the hourly and 5-minute roll-ups are not read by
	// these queries.
	t0 = time.Now()
	if err := fillYear(ctx, db, now, *datasets); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loaded a year (daily) and 2 days (raw, every 5 min) for %d datasets in %s\n", *datasets, time.Since(t0).Round(time.Second))

	q := chart.Querier{Backend: samples, Now: func() time.Time { return now }}
	for _, c := range []struct {
		name     string
		from, to time.Time
	}{
		{"one year", now.Add(-365 * 24 * time.Hour), now},
		{"one day", now.Add(-24 * time.Hour), now},
	} {
		var times []time.Duration
		var res string
		var pts int
		for i := range 200 {
			s := series[(i*7919)%len(series)]
			t := time.Now()
			ch, err := q.Query(ctx, s, c.from, c.to, 600)
			if err != nil {
				log.Fatal(err)
			}
			times = append(times, time.Since(t))
			res, pts = ch.Resolution.String(), len(ch.Points)
		}
		slices.Sort(times)
		fmt.Printf("chart of %s: resolution %s, %d points: median %s, p95 %s, max %s (200 queries over different datasets)\n",
			c.name, res, pts, times[len(times)/2], times[len(times)*95/100], times[len(times)-1])
	}

	// Size of one dataset-year under the default retention, polled every
	// 5 minutes: written through the real path into a fresh database.
	size, err := datasetYearBytes(ctx, tmp, now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("one dataset-year (5-minute polls, default retention: raw 2d, 5-minute 90d, hourly 1y, daily): %.2f MB on disk\n", float64(size)/1e6)
}

func fillYear(ctx context.Context, db *sql.DB, now time.Time, datasets int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	day, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO chart_1d (series_id, t, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	raw, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO chart_raw (series_id, t, v) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	var ids []int64
	rows, err := tx.QueryContext(ctx, `SELECT id FROM chart_series ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) < datasets {
		return fmt.Errorf("%d series in the catalogue, want %d", len(ids), datasets)
	}
	today := now.Truncate(24 * time.Hour).Unix()
	for _, id := range ids {
		for d := range 365 {
			v := 20 + 10*math.Sin(float64(d)/58)
			if _, err := day.ExecContext(ctx, id, today-int64(d)*86400, v/2, v*3, v*288, 288); err != nil {
				return err
			}
		}
		for p := range 576 {
			if _, err := raw.ExecContext(ctx, id, now.Unix()-int64(p)*300, 1+float64(p%50)); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

func datasetYearBytes(ctx context.Context, dir string, now time.Time) (int64, error) {
	db, err := store.Open(ctx, filepath.Join(dir, "one.db"))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	pageBytes := func() (int64, error) {
		if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return 0, err
		}
		var pages, size int64
		if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
			return 0, err
		}
		if err := db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
			return 0, err
		}
		return pages * size, nil
	}
	empty, err := pageBytes()
	if err != nil {
		return 0, err
	}
	b := store.NewSamples(db)
	const sets = 10
	start := now.Add(-366 * 24 * time.Hour)
	var batch []chart.Sample
	for t := start; t.Before(now); t = t.Add(5 * time.Minute) {
		for i := range sets {
			batch = append(batch, chart.Sample{Series: chart.Series{Server: "b", Map: "m", Device: "d" + strconv.Itoa(i), Dataset: "rtt"}, Time: t, Value: rand.Float64() * 100})
		}
		if len(batch) >= 5000 {
			if err := b.Write(ctx, batch); err != nil {
				return 0, err
			}
			batch = batch[:0]
		}
	}
	if err := b.Write(ctx, batch); err != nil {
		return 0, err
	}
	if _, err := chart.Prune(ctx, b, chart.DefaultPolicies(), now); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return 0, err
	}
	full, err := pageBytes()
	if err != nil {
		return 0, err
	}
	return (full - empty) / sets, nil
}
