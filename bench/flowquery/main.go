// Command flowquery measures the flow store against nfdump on the same
// traffic: it generates N sessions (Zipf-distributed hosts over one day),
// loads them into the DuckDB store, times top-10 hosts by bytes over all of
// them, exports the same flows as NetFlow v5 to nfcapd on 127.0.0.1, times
// `nfdump -R DIR -s ip/bytes -n 10`, and prints both times, their ratio and
// the bytes each stores per session. Run it with bench/flowquery/run.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"time"

	"github.com/vantage-monitor/vantage/internal/flowstore"
)

func main() {
	n := flag.Int("n", 12_600_000, "sessions to generate")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "vantage-flowquery"), "work folder (emptied first)")
	runs := flag.Int("runs", 5, "timed runs of each query")
	rate := flag.Float64("rate", 500_000, "NetFlow v5 records per second sent to nfcapd")
	port := flag.Int("port", 0, "nfcapd UDP port on 127.0.0.1 (0 picks a free one)")
	skipNfdump := flag.Bool("skip-nfdump", false, "measure the flow store only")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Everything is bounded: a whole run gets an hour at most.
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	if err := run(ctx, *n, *dir, *runs, *rate, *port, *skipNfdump); err != nil {
		fmt.Fprintln(os.Stderr, "flowquery:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n int, dir string, runs int, rate float64, port int, skipNfdump bool) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	// Yesterday (UTC): its hours are over, so the store rolls them up as
	// a running server would within a minute of loading.
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	gen := genConfig{n: n, seed: 42, day: day, clients: 200_000, servers: 50_000}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// 1. Load the DuckDB store.
	duckDir := filepath.Join(dir, "flows")
	opts := flowstore.DefaultOptions()
	opts.Logger = log
	d, err := flowstore.OpenDuck(duckDir, opts)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := generate(gen, 100_000, func(ss []flowstore.Session) error { return d.Insert(ctx, ss) }); err != nil {
		d.Close()
		return err
	}
	load := time.Since(began)
	began = time.Now()
	if err := d.Rollup(ctx, time.Now()); err != nil {
		d.Close()
		return err
	}
	rollup := time.Since(began)
	if err := d.Close(); err != nil {
		return err
	}
	fmt.Printf("loaded %d sessions into DuckDB in %v (%.0f sessions/s); hourly host roll-ups in %v\n",
		n, load.Round(time.Millisecond), float64(n)/load.Seconds(), rollup.Round(time.Millisecond))

	// 2. Reopen (the restart reload) and time the query.
	began = time.Now()
	d, err = flowstore.OpenDuck(duckDir, opts)
	if err != nil {
		return err
	}
	<-d.Loaded()
	p := d.Progress()
	fmt.Printf("reload: %d sessions found (estimated %d) in %v\n", p.Loaded, p.Estimated, time.Since(began).Round(time.Millisecond))
	size, _ := d.Size(ctx)
	q := flowstore.Query{From: gen.day.Add(-time.Hour), To: gen.day.Add(25 * time.Hour), By: flowstore.ByHost, Metric: flowstore.MetricBytes, Limit: 10}
	var ours []time.Duration
	var rows []flowstore.Row
	for range runs {
		began := time.Now()
		rows, err = d.Top(ctx, q)
		if err != nil {
			d.Close()
			return err
		}
		ours = append(ours, time.Since(began))
	}
	// The last hour of the data, and a filtered query that cannot use the
	// roll-ups (every session read).
	lastHour := q
	lastHour.From, lastHour.To = gen.day.Add(23*time.Hour+17*time.Minute), gen.day.Add(24*time.Hour+17*time.Minute)
	began = time.Now()
	if _, err := d.Top(ctx, lastHour); err != nil {
		d.Close()
		return err
	}
	hour := time.Since(began)
	raw := q
	raw.Proto = 6
	began = time.Now()
	if _, err := d.Top(ctx, raw); err != nil {
		d.Close()
		return err
	}
	rawTime := time.Since(began)
	began = time.Now()
	if _, err := d.TimeChart(ctx, flowstore.Query{From: q.From, To: q.To}, 200); err != nil {
		d.Close()
		return err
	}
	chart := time.Since(began)
	d.Close()
	fmt.Printf("flow store: top-10 hosts by bytes over %d sessions: first %v, best %v, median %v\n",
		n, ours[0].Round(time.Millisecond), slices.Min(ours).Round(time.Millisecond), median(ours).Round(time.Millisecond))
	fmt.Printf("flow store: last hour alone %v; TCP only (no roll-ups: every session read) %v; 200-bucket day chart %v\n",
		hour.Round(time.Millisecond), rawTime.Round(time.Millisecond), chart.Round(time.Millisecond))
	fmt.Printf("flow store: %d bytes on disk, %.1f bytes per session\n", size, float64(size)/float64(n))
	for i, r := range rows {
		fmt.Printf("  %2d %-16s %15d bytes %9d sessions\n", i+1, r.Host, r.Bytes, r.Sessions)
	}
	if skipNfdump {
		return nil
	}

	// 3. The same flows through nfcapd, then nfdump's top 10.
	nf, err := runNfdump(ctx, gen, filepath.Join(dir, "nfcapd"), port, rate, runs)
	if err != nil {
		return err
	}
	fmt.Printf("nfdump: %d flows kept of %d sent, %.1f bytes per flow on disk\n", nf.flows, n, float64(nf.size)/float64(max(nf.flows, 1)))
	fmt.Printf("nfdump -s ip/bytes -n 10: best %v, median %v\n", slices.Min(nf.times).Round(time.Millisecond), median(nf.times).Round(time.Millisecond))
	same := len(nf.top) == len(rows)
	for i := range min(len(nf.top), len(rows)) {
		same = same && nf.top[i] == rows[i].Host
	}
	fmt.Printf("same top-10 hosts as nfdump: %v\n", same)
	if !same {
		fmt.Printf("  nfdump's: %v\n", nf.top)
	}
	ratio := slices.Min(nf.times).Seconds() / slices.Min(ours).Seconds()
	fmt.Printf("RESULT: flow store %v, nfdump %v: %.1fx faster (target: at least 10x); %.1f bytes per stored session (target: under 40)\n",
		slices.Min(ours).Round(time.Millisecond), slices.Min(nf.times).Round(time.Millisecond), ratio, float64(size)/float64(n))
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
