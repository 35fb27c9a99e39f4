package store

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/store/pgtest"
)

// testCtx is a context bounded by a generous deadline, so a hung database
// fails the test instead of the whole run.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func openCentral(t *testing.T, url string) *Central {
	t.Helper()
	c, err := OpenCentral(testCtx(t), url, quietLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func sample(server, dev, ds string, t time.Time, v float64) chart.Sample {
	return chart.Sample{Series: chart.Series{Server: server, Map: "campus", Device: dev, Dataset: ds},
		Time: t, Value: v, Label: "Round-trip time", Units: "ms"}
}

// base is a day start, so bucket arithmetic in the tests is easy to read.
var base = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)

func TestCentralRoundTripAndRollups(t *testing.T) {
	c := openCentral(t, mustStart(t))
	ctx := testCtx(t)
	s := chart.Series{Server: "a", Map: "campus", Device: "gw", Dataset: "rtt"}
	// Two 5-minute buckets in one hour, one sample in the next hour and one
	// on the next day.
	in := []chart.Sample{
		sample("a", "gw", "rtt", base.Add(10*time.Second), 4),
		sample("a", "gw", "rtt", base.Add(70*time.Second), 2),
		sample("a", "gw", "rtt", base.Add(299*time.Second), 9),
		sample("a", "gw", "rtt", base.Add(300*time.Second), 5),
		sample("a", "gw", "rtt", base.Add(time.Hour+time.Second), 7),
		sample("a", "gw", "rtt", base.Add(24*time.Hour+500*time.Millisecond), -1),
	}
	in[5].Label, in[5].Interface = "RTT", "eth0"
	if err := c.Write(ctx, in[:3]); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, in[3:]); err != nil {
		t.Fatal(err)
	}
	to := base.Add(48 * time.Hour)
	raw := mustQuery(t, c, s, chart.Raw, base, to)
	if len(raw) != len(in) {
		t.Fatalf("raw points = %d, want %d: %+v", len(raw), len(in), raw)
	}
	for i, p := range raw {
		want := in[i].Time.Truncate(time.Second)
		if !p.Time.Equal(want) || p.Min != in[i].Value || p.Avg != in[i].Value || p.Max != in[i].Value || p.Count != 1 {
			t.Errorf("raw[%d] = %+v, want %v at %v", i, p, in[i].Value, want)
		}
	}
	check := func(r chart.Resolution, want []chart.Point) {
		t.Helper()
		got := mustQuery(t, c, s, r, base, to)
		if len(got) != len(want) {
			t.Fatalf("resolution %d: %d points %+v, want %+v", r, len(got), got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.Time.Equal(w.Time) || g.Min != w.Min || g.Max != w.Max || g.Count != w.Count || math.Abs(g.Avg-w.Avg) > 1e-9 {
				t.Errorf("resolution %d point %d = %+v, want %+v", r, i, g, w)
			}
		}
	}
	check(chart.FiveMinutes, []chart.Point{
		{Time: base, Min: 2, Avg: 5, Max: 9, Count: 3},
		{Time: base.Add(300 * time.Second), Min: 5, Avg: 5, Max: 5, Count: 1},
		{Time: base.Add(time.Hour), Min: 7, Avg: 7, Max: 7, Count: 1},
		{Time: base.Add(24 * time.Hour), Min: -1, Avg: -1, Max: -1, Count: 1},
	})
	check(chart.Hour, []chart.Point{
		{Time: base, Min: 2, Avg: 5, Max: 9, Count: 4},
		{Time: base.Add(time.Hour), Min: 7, Avg: 7, Max: 7, Count: 1},
		{Time: base.Add(24 * time.Hour), Min: -1, Avg: -1, Max: -1, Count: 1},
	})
	check(chart.Day, []chart.Point{
		{Time: base, Min: 2, Avg: 27.0 / 5, Max: 9, Count: 5},
		{Time: base.Add(24 * time.Hour), Min: -1, Avg: -1, Max: -1, Count: 1},
	})

	// Query bounds are inclusive.
	if got := mustQuery(t, c, s, chart.Raw, base.Add(70*time.Second), base.Add(300*time.Second)); len(got) != 3 {
		t.Errorf("raw in [70s, 300s] = %d points, want 3", len(got))
	}

	// A second series on another server, and the catalogue.
	if err := c.Write(ctx, []chart.Sample{sample("b", "gw", "rtt", base, 1)}); err != nil {
		t.Fatal(err)
	}
	metas, err := c.Datasets(ctx, "a", "campus", "gw")
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) != 1 || metas[0].Label != "RTT" || metas[0].Interface != "eth0" || metas[0].Units != "ms" ||
		!metas[0].Last.Equal(base.Add(24*time.Hour)) {
		t.Errorf("Datasets(a) = %+v", metas)
	}
	if all, _ := c.Datasets(ctx, "", "", ""); len(all) != 2 {
		t.Errorf("Datasets(all) = %+v", all)
	}
	series, err := c.AllSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 || series[0] != s || series[1].Server != "b" {
		t.Errorf("AllSeries = %+v", series)
	}

	// Prune removes only what is older, only for the series and resolution.
	n, err := c.Prune(ctx, s, chart.Raw, base.Add(300*time.Second))
	if err != nil || n != 3 {
		t.Fatalf("Prune raw = %d, %v; want 3", n, err)
	}
	if got := mustQuery(t, c, s, chart.Raw, base, to); len(got) != 3 {
		t.Errorf("raw after prune = %d points, want 3", len(got))
	}
	if got := mustQuery(t, c, s, chart.FiveMinutes, base, to); len(got) != 4 {
		t.Errorf("5-minute points after raw prune = %d, want 4", len(got))
	}
	if _, err := c.Query(ctx, s, chart.Resolution(9), base, to); err == nil {
		t.Error("Query with an unknown resolution succeeded")
	}
}

func TestCentralWriteIsIdempotent(t *testing.T) {
	c := openCentral(t, mustStart(t))
	ctx := testCtx(t)
	s := chart.Series{Server: "a", Map: "campus", Device: "gw", Dataset: "rtt"}
	var batch []chart.Sample
	for i := range 100 {
		batch = append(batch, sample("a", "gw", "rtt", base.Add(time.Duration(i)*17*time.Second), float64(i)))
	}
	// The first half, then the whole batch (a replay overlapping what got
	// through), then the whole batch again, with duplicates inside.
	for _, b := range [][]chart.Sample{batch[:50], batch, append(cloneSamples(batch), batch[:10]...)} {
		if err := c.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	to := base.Add(48 * time.Hour)
	if got := mustQuery(t, c, s, chart.Raw, base, to); len(got) != 100 {
		t.Errorf("raw points = %d, want 100", len(got))
	}
	for _, r := range []chart.Resolution{chart.FiveMinutes, chart.Hour, chart.Day} {
		var count int64
		var sum float64
		for _, p := range mustQuery(t, c, s, r, base, to) {
			count += p.Count
			sum += p.Avg * float64(p.Count)
		}
		if count != 100 || math.Abs(sum-4950) > 1e-6 {
			t.Errorf("resolution %d: count %d sum %v, want 100 and 4950", r, count, sum)
		}
	}
	// A sample with a different value at a stored second changes nothing:
	// the first write wins.
	if err := c.Write(ctx, []chart.Sample{sample("a", "gw", "rtt", base, 1000)}); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, c, s, chart.Day, base, base); len(got) != 1 || got[0].Max != 99 {
		t.Errorf("day after rewrite = %+v", got)
	}
}

func cloneSamples(s []chart.Sample) []chart.Sample { return append([]chart.Sample(nil), s...) }

// Text PostgreSQL cannot store (NUL, invalid UTF-8) is cleaned, not a
// reason to refuse the batch.
func TestCentralCleansText(t *testing.T) {
	c := openCentral(t, mustStart(t))
	ctx := testCtx(t)
	if err := c.Write(ctx, []chart.Sample{sample("a", "g\x00w", "rtt\xff", base, 1)}); err != nil {
		t.Fatal(err)
	}
	all, err := c.AllSeries(ctx)
	if err != nil || len(all) != 1 || all[0].Device != "gw" || all[0].Dataset != "rtt\uFFFD" {
		t.Errorf("AllSeries = %+v, %v", all, err)
	}
}

// Several servers starting at once against an empty database all end up
// with the schema, created once.
func TestCentralConcurrentMigration(t *testing.T) {
	url := mustStart(t)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			c, err := OpenCentral(ctx, url, quietLogger(t))
			if err != nil {
				errs <- err
				return
			}
			c.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := openCentral(t, url)
	var n int
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM chart_schema_version`).Scan(&n); err != nil || n != len(centralMigrations) {
		t.Errorf("schema versions = %d, %v; want %d", n, err, len(centralMigrations))
	}
}

func TestCentralTLS(t *testing.T) {
	certPEM, keyPEM := pgtest.SelfSignedCert(t)
	cl := pgtest.StartTLS(t, certPEM, keyPEM)
	ctx := testCtx(t)

	c := openCentral(t, cl.URLMode("require"))
	var ssl bool
	if err := c.pool.QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
		t.Errorf("sslmode=require: connection uses TLS = %v, %v", ssl, err)
	}
	if err := c.Write(ctx, []chart.Sample{sample("a", "gw", "rtt", base, 1)}); err != nil {
		t.Fatal(err)
	}

	// verify-full with the certificate as the trusted root.
	root := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(root, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	vf := openCentral(t, cl.URLMode("verify-full")+"&sslrootcert="+root)
	if err := vf.Ping(ctx); err != nil {
		t.Errorf("verify-full: %v", err)
	}

	// verify-full against another root fails, naming the certificate.
	otherCert, _ := pgtest.SelfSignedCert(t)
	other := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(other, otherCert, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCentral(ctx, cl.URLMode("verify-full")+"&sslrootcert="+other, quietLogger(t)); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Errorf("verify-full with the wrong root: err = %v, want a certificate error", err)
	}

	// A server without TLS refuses sslmode=require, clearly.
	plain := pgtest.New(t, pgtest.Options{})
	_, err := OpenCentral(ctx, plain.URLMode("require"), quietLogger(t))
	if err == nil || !strings.Contains(err.Error(), "server refused TLS connection") {
		t.Errorf("sslmode=require against a server without TLS: err = %v", err)
	}
}

func TestNewCentralBadURL(t *testing.T) {
	_, err := NewCentral("postgres://u:s3cret@127.0.0.1:notaport/db", quietLogger(t))
	if err == nil {
		t.Fatal("NewCentral accepted a bad URL")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}

// A Forwarder to a server that is not there yet spools, and creates the
// schema once the server comes.
func TestForwarderStartsWithoutDatabase(t *testing.T) {
	cl := pgtest.New(t, pgtest.Options{})
	cl.Kill()
	c, err := NewCentral(cl.URL(), quietLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	f := newTestForwarder(t, c, filepath.Join(t.TempDir(), "spool"), ForwarderOptions{})
	ctx := testCtx(t)
	if err := f.Write(ctx, []chart.Sample{sample("a", "gw", "rtt", base, 1)}); err != nil {
		t.Fatal(err)
	}
	if st := f.Status(); st.Connected || st.SpooledRows != 1 || st.LastError == "" {
		t.Errorf("status while the database is away = %+v", st)
	}
	runForwarder(t, f)
	cl.Restart()
	waitFor(t, "spool replayed", func() bool { st := f.Status(); return st.SpooledRows == 0 && st.Connected })
	if got := mustQuery(t, c, chart.Series{Server: "a", Map: "campus", Device: "gw", Dataset: "rtt"}, chart.Raw, base, base); len(got) != 1 {
		t.Errorf("points = %+v", got)
	}
}

// Two servers, labelled a and b, write to one database at once; each one's
// data arrives complete and under its own label.
func TestForwardersTwoServersOneDatabase(t *testing.T) {
	url := mustStart(t)
	ctx := testCtx(t)
	const devices, datasets, batches = 5, 4, 40 // 800 samples per server
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for _, server := range []string{"a", "b"} {
		c, err := NewCentral(url, quietLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		f := newTestForwarder(t, c, filepath.Join(t.TempDir(), server+".spool"), ForwarderOptions{})
		runForwarder(t, f)
		wg.Go(func() {
			for b := range batches {
				var batch []chart.Sample
				for d := range devices {
					for ds := range datasets {
						batch = append(batch, sample(server, fmt.Sprintf("dev%d", d), fmt.Sprintf("ds%d", ds),
							base.Add(time.Duration(b)*time.Minute), float64(b)))
					}
				}
				if err := f.Write(ctx, batch); err != nil {
					errs <- fmt.Errorf("server %s: %w", server, err)
					return
				}
			}
			if st := f.Status(); st.Written != devices*datasets*batches || st.SpooledRows != 0 {
				errs <- fmt.Errorf("server %s status %+v", server, st)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := openCentral(t, url)
	all, err := c.AllSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2*devices*datasets {
		t.Fatalf("series = %d, want %d", len(all), 2*devices*datasets)
	}
	for _, s := range all {
		pts := mustQuery(t, c, s, chart.Raw, base, base.Add(24*time.Hour))
		if len(pts) != batches {
			t.Errorf("%+v: %d points, want %d", s, len(pts), batches)
			continue
		}
		for i, p := range pts {
			if p.Avg != float64(i) {
				t.Errorf("%+v point %d = %v", s, i, p.Avg)
				break
			}
		}
	}
	for _, server := range []string{"a", "b"} {
		metas, err := c.Datasets(ctx, server, "", "")
		if err != nil || len(metas) != devices*datasets {
			t.Errorf("Datasets(%s) = %d, %v", server, len(metas), err)
		}
	}
}

// The central database goes away in the middle of recording and comes
// back: every sample arrives exactly once and in order, and the status
// shows the spool filling and draining.
func TestForwarderOutageNothingLostNothingDoubled(t *testing.T) {
	cl := pgtest.New(t, pgtest.Options{})
	ctx := testCtx(t)
	c := openCentral(t, cl.URL())
	f := newTestForwarder(t, c, filepath.Join(t.TempDir(), "central.spool"), ForwarderOptions{
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, WriteTimeout: 10 * time.Second,
		ReplayBatchRows: 200,
	})
	runForwarder(t, f)

	const total, per = 2000, 10 // two series, 1000 samples each
	killAt, restartAt := 500, 1500
	var maxSpooled int64
	for i := 0; i < total; i += per {
		switch i {
		case killAt:
			cl.Kill()
		case restartAt:
			cl.Restart()
		}
		var batch []chart.Sample
		for j := i; j < i+per; j++ {
			batch = append(batch, sample("a", "gw", fmt.Sprintf("ds%d", j%2), base.Add(time.Duration(j/2)*time.Second), float64(j/2)))
		}
		if err := f.Write(ctx, batch); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		maxSpooled = max(maxSpooled, f.Status().SpooledRows)
		time.Sleep(2 * time.Millisecond) // spread the writes so the outage falls mid-stream
	}
	if maxSpooled < int64(restartAt-killAt) {
		t.Errorf("at most %d rows spooled, want at least %d (the outage)", maxSpooled, restartAt-killAt)
	}
	waitFor(t, "spool drained", func() bool {
		st := f.Status()
		return st.SpooledRows == 0 && st.SpoolBytes == 0 && st.Connected
	})
	st := f.Status()
	if st.Written+st.Replayed != total || st.DroppedRows != 0 || st.LastError == "" {
		t.Errorf("status = %+v: want written+replayed = %d, nothing dropped, the outage's error kept", st, total)
	}
	t.Logf("status after the outage: %+v", st)
	for ds := range 2 {
		s := chart.Series{Server: "a", Map: "campus", Device: "gw", Dataset: fmt.Sprintf("ds%d", ds)}
		pts := mustQuery(t, c, s, chart.Raw, base, base.Add(24*time.Hour))
		if len(pts) != total/2 {
			t.Errorf("%s: %d points, want %d", s.Dataset, len(pts), total/2)
		}
		for i, p := range pts {
			if p.Avg != float64(i) || !p.Time.Equal(base.Add(time.Duration(i)*time.Second)) || p.Count != 1 {
				t.Errorf("%s point %d = %+v", s.Dataset, i, p)
				break
			}
		}
		var count int64
		for _, p := range mustQuery(t, c, s, chart.FiveMinutes, base, base.Add(24*time.Hour)) {
			count += p.Count
		}
		if count != total/2 {
			t.Errorf("%s: 5-minute roll-ups count %d samples, want %d", s.Dataset, count, total/2)
		}
	}
}

// Replay speed from a spool filled while the database was away, for the
// closing note's figures.
func TestForwarderReplayRate(t *testing.T) {
	cl := pgtest.New(t, pgtest.Options{})
	c := openCentral(t, cl.URL())
	cl.Kill()
	ctx := testCtx(t)
	f := newTestForwarder(t, c, filepath.Join(t.TempDir(), "central.spool"), ForwarderOptions{
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
	})
	const rows, per = 50000, 500
	for i := 0; i < rows; i += per {
		var batch []chart.Sample
		for j := i; j < i+per; j++ {
			batch = append(batch, sample("a", fmt.Sprintf("dev%d", j%100), "rtt", base.Add(time.Duration(j/100)*time.Second), float64(j)))
		}
		if err := f.Write(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	st := f.Status()
	if st.SpooledRows != rows {
		t.Fatalf("spooled %d rows, want %d", st.SpooledRows, rows)
	}
	cl.Restart()
	start := time.Now()
	runForwarder(t, f)
	waitFor(t, "spool drained", func() bool { return f.Status().SpooledRows == 0 })
	el := time.Since(start)
	t.Logf("replayed %d rows (%d spool bytes, %d bytes/row) in %v: %.0f rows/s", rows, st.SpoolBytes,
		st.SpoolBytes/rows, el.Round(time.Millisecond), rows/el.Seconds())
	var n int64
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM chart_raw`).Scan(&n); err != nil || n != rows {
		t.Errorf("raw rows = %d, %v; want %d", n, err, rows)
	}
}

func mustStart(t *testing.T) string {
	url, _ := pgtest.Start(t)
	return url
}

func mustQuery(t *testing.T, b chart.Backend, s chart.Series, r chart.Resolution, from, to time.Time) []chart.Point {
	t.Helper()
	pts, err := b.Query(testCtx(t), s, r, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// A central database recreated while the server runs gets its schema back
// on the next write.
func TestCentralSchemaRecreated(t *testing.T) {
	c := openCentral(t, mustStart(t))
	ctx := testCtx(t)
	if _, err := c.pool.Exec(ctx, `DROP TABLE chart_raw, chart_5m, chart_hour, chart_day, chart_series, chart_schema_version`); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, []chart.Sample{sample("a", "gw", "rtt", base, 1)}); err == nil {
		t.Fatal("write to dropped tables succeeded")
	}
	if err := c.Write(ctx, []chart.Sample{sample("a", "gw", "rtt", base, 1)}); err != nil {
		t.Fatalf("write after the schema came back: %v", err)
	}
}
