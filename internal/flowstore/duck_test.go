package flowstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func openDuck(t *testing.T, dir string, opts Options) *Duck {
	t.Helper()
	d, err := OpenDuck(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	<-d.Loaded()
	return d
}

func TestDuckQueries(t *testing.T) {
	d := openDuck(t, t.TempDir(), DefaultOptions())
	if err := d.Insert(context.Background(), suiteSessions()); err != nil {
		t.Fatal(err)
	}
	runQuerySuite(t, d)
}

func TestDuckReloadProgress(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := OpenDuck(dir, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ss := suiteSessions()
	// Several batches, as the builder writes them.
	for i := 0; i < len(ss); i += 1000 {
		if err := d.Insert(ctx, ss[i:min(i+1000, len(ss))]); err != nil {
			t.Fatal(err)
		}
	}
	q := Query{From: suiteFrom, To: suiteFrom.Add(suiteSpan), Limit: 5}
	before, err := d.Top(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d2 := openDuck(t, dir, DefaultOptions())
	p := d2.Progress()
	if p.Loading || p.Loaded != int64(len(ss)) || p.Partitions != 3 {
		t.Errorf("progress %+v: want %d sessions in 3 days loaded", p, len(ss))
	}
	if p.Estimated <= 0 || p.Estimated > 3*int64(len(ss)) {
		t.Errorf("estimate %d for %d sessions", p.Estimated, len(ss))
	}
	after, err := d2.Top(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[0] != before[0] {
		t.Errorf("after restart %v, before %v", after, before)
	}
}

func TestDuckSizeCapDropsOldest(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d := openDuck(t, dir, Options{})
	day0 := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		ss := randomSessions(newRand(uint64(i)), 3000, day0.Add(time.Duration(i)*24*time.Hour+time.Hour), 20*time.Hour)
		if err := d.Insert(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	// Flush the days into their files to measure them.
	for _, day := range []string{"20260110", "20260111", "20260112", "20260113"} {
		if _, err := d.db.Exec("CHECKPOINT " + alias(day)); err != nil {
			t.Fatal(err)
		}
	}
	size, _ := d.Size(ctx)
	one := fileSize(filepath.Join(dir, "sessions-20260113.duckdb"))
	// room for all but about half a day, set as the settings page does
	if err := d.SetLimits(size-one/2, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.SetLimits(-1, 0); err == nil {
		t.Error("a negative cap was accepted")
	}
	if err := d.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sessions-20260110.duckdb")); !os.IsNotExist(err) {
		t.Errorf("the oldest day's file is still there (%v)", err)
	}
	for _, day := range []string{"20260111", "20260112", "20260113"} {
		if _, err := os.Stat(filepath.Join(dir, "sessions-"+day+".duckdb")); err != nil {
			t.Errorf("day %s dropped too: %v", day, err)
		}
	}
	rows, err := d.Top(ctx, Query{From: day0, To: day0.Add(24 * time.Hour), By: ByProtocol})
	if err != nil || len(rows) != 0 {
		t.Errorf("the dropped day still answers: %v %v", rows, err)
	}
	// A cap below one day's size keeps the newest day.
	if err := d.SetLimits(1, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if p := d.Progress(); p.Partitions != 1 {
		t.Errorf("%d days left, want the newest one", p.Partitions)
	}
	if _, err := os.Stat(filepath.Join(dir, "sessions-20260113.duckdb")); err != nil {
		t.Errorf("the newest day was dropped: %v", err)
	}
}

// TestDuckRollups runs the query suite with every hour rolled up, then
// stores more sessions into rolled-up hours and checks again.
func TestDuckRollups(t *testing.T) {
	d := openDuck(t, t.TempDir(), DefaultOptions())
	ctx := context.Background()
	ss := suiteSessions()
	half := len(ss) / 2
	if err := d.Insert(ctx, ss[:half]); err != nil {
		t.Fatal(err)
	}
	far := suiteFrom.Add(100 * time.Hour)
	if err := d.Rollup(ctx, far); err != nil {
		t.Fatal(err)
	}
	if len(d.built) < 30 {
		t.Fatalf("%d hours rolled up, want the 30-hour span", len(d.built))
	}
	q := Query{From: suiteFrom.Add(-time.Hour), To: suiteFrom.Add(40 * time.Hour)}
	d.mu.Lock()
	useful := d.rollupSQL(func() Query { q, _ := q.normalize(); return q }()) != ""
	d.mu.Unlock()
	if !useful {
		t.Fatal("a whole-range host query does not use the roll-ups")
	}
	got, err := d.Top(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	checkTop(t, "half, rolled up", got, q, DefaultPorts(), ss[:half])
	if err := d.Insert(ctx, ss[half:]); err != nil {
		t.Fatal(err)
	}
	runQuerySuite(t, d) // stale hours dropped: answered from sessions
	if err := d.Rollup(ctx, far); err != nil {
		t.Fatal(err)
	}
	if !d.dayBuilt["20260228"] {
		t.Error("the whole day 2026-02-28 has no day roll-up")
	}
	runQuerySuite(t, d) // rebuilt
}
