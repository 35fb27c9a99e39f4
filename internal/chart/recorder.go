package chart

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// Recorder defaults.
const (
	DefaultBatchSize       = 5000
	DefaultFlushInterval   = 2 * time.Second
	DefaultQueueSize       = 100000
	DefaultShutdownTimeout = 10 * time.Second
)

// Options configure a Recorder; zero fields take the defaults.
type Options struct {
	// Server labels every sample (several servers share a central
	// database).
	Server string
	Logger *slog.Logger
	// Now stamps results that carry no time.
	Now func() time.Time
	// Filter decides which datasets are recorded; nil records all.
	Filter Filter
	// BatchSize is how many samples one backend write takes at most.
	BatchSize int
	// FlushInterval is how long a sample may wait for a fuller batch.
	FlushInterval time.Duration
	// QueueSize is how many samples may wait for the writer before new
	// ones are dropped.
	QueueSize int
	// ShutdownTimeout bounds the final flush when Run's context ends, so
	// a dead database cannot hold up the server's exit.
	ShutdownTimeout time.Duration
}

// Stats are the recorder's counters, for GET /api/v1/server and /metrics.
type Stats struct {
	// Queued is how many samples wait for the writer now.
	Queued int `json:"queued"`
	// Written counts samples the backend accepted.
	Written uint64 `json:"written"`
	// Dropped counts samples lost because the queue was full.
	Dropped uint64 `json:"dropped"`
	// Failed counts samples lost because a write failed.
	Failed uint64 `json:"failed"`
	// WriteErrors counts failed writes; LastError is the latest.
	WriteErrors   uint64    `json:"write_errors"`
	LastError     string    `json:"last_error,omitempty"`
	LastErrorTime time.Time `json:"last_error_time,omitzero"`
}

// Recorder takes poll results from the pollers and writes their samples
// to the backend in batches on its own goroutine: a slow disk or database
// must never hold up polling, so Record only ever enqueues, and drops
// (counting) when the queue is full.
type Recorder struct {
	b     Backend
	opts  Options
	log   *slog.Logger
	queue chan Sample

	written, dropped, failed, writeErrs atomic.Uint64

	mu      sync.Mutex
	lastErr string
	lastAt  time.Time
}

// New makes a recorder writing to b; start it with Run.
func New(b Backend, opts Options) *Recorder {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	return &Recorder{b: b, opts: opts, log: opts.Logger.With("component", "chart"), queue: make(chan Sample, opts.QueueSize)}
}

// Record queues the datasets of one poll result (see Extract) that pass
// the filter. It never blocks.
func (rc *Recorder) Record(mapName, device string, r status.Result) {
	samples := Extract(mapName, device, r)
	if len(samples) == 0 {
		return
	}
	var now time.Time
	if r.Time.IsZero() {
		now = rc.opts.Now()
	}
	kept := samples[:0]
	for _, s := range samples {
		s.Server = rc.opts.Server
		if s.Time.IsZero() {
			s.Time = now
		}
		if rc.opts.Filter != nil && !rc.opts.Filter(Meta{Series: s.Series, Label: s.Label, Units: s.Units, Interface: s.Interface}) {
			continue
		}
		kept = append(kept, s)
	}
	rc.Add(kept...)
}

// Add queues samples made elsewhere as they are (their Server and Time
// are kept); it never blocks.
func (rc *Recorder) Add(samples ...Sample) {
	for i, s := range samples {
		select {
		case rc.queue <- s:
		default:
			n := uint64(len(samples) - i)
			if rc.dropped.Add(n) == n {
				rc.log.Warn("chart queue full: dropping samples", "queue", rc.opts.QueueSize)
			}
			return
		}
	}
}

// Stats reads the counters.
func (rc *Recorder) Stats() Stats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return Stats{
		Queued: len(rc.queue), Written: rc.written.Load(), Dropped: rc.dropped.Load(), Failed: rc.failed.Load(),
		WriteErrors: rc.writeErrs.Load(), LastError: rc.lastErr, LastErrorTime: rc.lastAt,
	}
}

// Run writes queued samples until ctx ends, then writes what is still
// queued (for at most Options.ShutdownTimeout) and returns.
func (rc *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(rc.opts.FlushInterval)
	defer t.Stop()
	// A write under way when ctx ends completes rather than losing its
	// batch half-way; values of ctx still reach the backend.
	live := context.WithoutCancel(ctx)
	batch := make([]Sample, 0, rc.opts.BatchSize)
	for {
		select {
		case s := <-rc.queue:
			batch = append(batch, s)
			if len(batch) >= rc.opts.BatchSize {
				rc.write(live, batch)
				batch = batch[:0]
			}
		case <-t.C:
			if len(batch) > 0 {
				rc.write(live, batch)
				batch = batch[:0]
			}
		case <-ctx.Done():
			wctx, cancel := context.WithTimeout(live, rc.opts.ShutdownTimeout)
			defer cancel()
			for {
				select {
				case s := <-rc.queue:
					batch = append(batch, s)
					if len(batch) < rc.opts.BatchSize {
						continue
					}
				default:
				}
				if len(batch) == 0 {
					return
				}
				rc.write(wctx, batch)
				batch = batch[:0]
			}
		}
	}
}

// write hands one batch to the backend and counts the outcome.
func (rc *Recorder) write(ctx context.Context, batch []Sample) {
	err := rc.b.Write(ctx, batch)
	if err == nil {
		rc.written.Add(uint64(len(batch)))
		return
	}
	rc.failed.Add(uint64(len(batch)))
	rc.writeErrs.Add(1)
	err = fmt.Errorf("write %d samples: %w", len(batch), err)
	rc.mu.Lock()
	rc.lastErr, rc.lastAt = err.Error(), rc.opts.Now()
	rc.mu.Unlock()
	rc.log.Error("chart samples lost", "err", err)
}
