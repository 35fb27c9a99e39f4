package chart

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func pingResult(at time.Time, rtt float64) status.Result {
	return status.Result{Time: at, Values: map[string]any{"rtt_ms": rtt, "loss_pct": 0.0}}
}

// run starts rc.Run and returns a stop function that cancels it and waits
// for the final flush.
func run(rc *Recorder) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rc.Run(ctx) }()
	return func() { cancel(); wg.Wait() }
}

func TestRecorderWritesAndFlushesOnStop(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMem()
	rc := New(m, Options{Server: "east", Logger: quiet(), Now: func() time.Time { return now }, BatchSize: 4, FlushInterval: time.Hour})
	stop := run(rc)
	for i := range 5 {
		rc.Record("Campus", "gw", pingResult(now.Add(time.Duration(i)*time.Minute), float64(i)))
	}
	rc.Record("Campus", "gw", status.Result{RTT: 3 * time.Millisecond}) // no time: stamped with Now
	rc.Record("Campus", "gw", status.Result{Values: map[string]any{"banner": "x"}})
	stop()
	st := rc.Stats()
	if st.Written != 11 || st.Dropped != 0 || st.Queued != 0 || st.WriteErrors != 0 {
		t.Fatalf("stats %+v", st)
	}
	pts, _ := m.Query(context.Background(), Series{Server: "east", Map: "Campus", Device: "gw", Dataset: "rtt"}, Raw, now.Add(-time.Hour), now.Add(time.Hour))
	if len(pts) != 5 || pts[0].Avg != 3 || pts[1].Avg != 1 {
		t.Errorf("points %+v", pts) // the stamped sample at now overwrote the first (same second)
	}
	if m.writes < 2 {
		t.Errorf("%d writes: batches not used", m.writes)
	}
}

func TestRecorderFilter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMem()
	var seen []Meta
	rc := New(m, Options{Logger: quiet(), Filter: func(md Meta) bool {
		seen = append(seen, md)
		return md.Dataset != "loss"
	}})
	stop := run(rc)
	rc.Record("Campus", "gw", pingResult(now, 5))
	stop()
	ds, _ := m.Datasets(context.Background(), "", "Campus", "gw")
	if len(ds) != 1 || ds[0].Dataset != "rtt" || ds[0].Units != "ms" {
		t.Errorf("datasets %+v", ds)
	}
	if len(seen) != 2 || seen[0].Label == "" {
		t.Errorf("filter saw %+v", seen)
	}
}

// TestRecorderNeverBlocks fills the queue while the backend is stuck: Record
// returns at once and counts what it drops.
func TestRecorderNeverBlocks(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMem()
	m.block = make(chan struct{})
	rc := New(m, Options{Logger: quiet(), BatchSize: 1, QueueSize: 10, FlushInterval: time.Hour})
	stop := run(rc)
	for i := range 100 { // 200 samples; the writer holds at most one batch
		rc.Record("m", "d", pingResult(now.Add(time.Duration(i)*time.Second), 1))
	}
	st := rc.Stats()
	if st.Queued > 10 || st.Dropped < 189 || st.Dropped+uint64(st.Queued) > 200 {
		t.Errorf("stats while stuck %+v", st)
	}
	close(m.block)
	stop()
	st = rc.Stats()
	if st.Written+st.Dropped != 200 || st.Queued != 0 {
		t.Errorf("stats after %+v", st)
	}
}

func TestRecorderWriteErrors(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMem()
	m.failing = errDisk
	rc := New(m, Options{Logger: quiet(), Now: func() time.Time { return at }})
	stop := run(rc)
	rc.Record("m", "d", pingResult(at, 1))
	stop()
	st := rc.Stats()
	if st.WriteErrors != 1 || st.Failed != 2 || st.Written != 0 || !strings.Contains(st.LastError, "disk full") || !st.LastErrorTime.Equal(at) {
		t.Errorf("stats %+v", st)
	}
	// Add keeps samples as they are.
	m.failing = nil
	rc2 := New(m, Options{Logger: quiet(), Server: "ignored"})
	stop = run(rc2)
	rc2.Add(Sample{Series: Series{Server: "west", Device: "x", Dataset: "flows"}, Time: at, Value: 1})
	stop()
	if ds, _ := m.Datasets(context.Background(), "west", "", "x"); len(ds) != 1 {
		t.Errorf("Add: %+v", ds)
	}
}
