package poller

import (
	"container/heap"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/status"
)

// Job is one thing to poll. Identical devices share one Job (same Key).
type Job struct {
	Key      string
	Probe    probe.Probe
	Target   probe.Target
	Interval time.Duration
}

// Sink receives every poll result; it must not block for long.
type Sink func(key string, r status.Result)

// Poller runs jobs on their intervals. Create it with New, feed it with Set
// and run it with Run.
type Poller struct {
	cfg     Config
	sink    Sink
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time

	mu       sync.Mutex
	entries  map[string]*entry
	queue    schedule
	inFlight int
	wake     chan struct{}
	rate     rateCounter
}

type entry struct {
	job     Job
	next    time.Time
	running bool
	index   int // position in the heap, -1 when not scheduled
	removed bool
	// waiters are closed when the next poll of this job finishes.
	waiters []chan struct{}
	// inflightWaiters are closed when the running poll finishes.
	inflightWaiters []chan struct{}
}

// New builds an inert poller; nothing runs before Run. reg may be nil.
func New(cfg Config, sink Sink, logger *slog.Logger, reg prometheus.Registerer) (*Poller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sink == nil {
		return nil, errors.New("poller: a result sink is required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &Poller{cfg: cfg, sink: sink, logger: logger, now: time.Now, entries: map[string]*entry{}, wake: make(chan struct{}, 1)}
	m, err := newMetrics(reg, p)
	if err != nil {
		return nil, err
	}
	p.metrics = m
	return p, nil
}

// Set replaces the job set. Jobs whose key is unchanged keep their place in
// the schedule, so a map edit does not make every device poll at once;
// new jobs start at a random point within their interval.
func (p *Poller) Set(jobs []Job) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		if j.Interval <= 0 {
			j.Interval = 30 * time.Second
		}
		seen[j.Key] = true
		if e, ok := p.entries[j.Key]; ok {
			if j.Interval < e.job.Interval && e.next.Sub(now) > j.Interval {
				e.next = now.Add(rand.N(j.Interval))
				p.fix(e)
			}
			// Same key, same settings: keep the probe instance, since
			// stateful probes (SNMP counters) need their last readings.
			j.Probe = e.job.Probe
			e.job = j
			continue
		}
		e := &entry{job: j, next: now.Add(rand.N(j.Interval)), index: -1}
		p.entries[j.Key] = e
		heap.Push(&p.queue, e)
	}
	for k, e := range p.entries {
		if !seen[k] {
			for _, w := range e.waiters {
				close(w)
			}
			e.waiters = nil
			e.removed = true
			if e.index >= 0 {
				heap.Remove(&p.queue, e.index)
			}
			delete(p.entries, k)
		}
	}
	p.signal()
}

// PollNow moves a job to the front of the schedule; false if unknown.
func (p *Poller) PollNow(key string) bool {
	return p.PollNowDone(key) != nil
}

// PollNowDone moves a job to the front of the schedule and returns a
// channel closed when a poll of it that starts from now on has finished (or
// the job is removed); nil if the job is unknown. A poll already running is
// not the one waited for: it may have read the device before the caller's
// reason to poll (a trap) happened.
func (p *Poller) PollNowDone(key string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok {
		return nil
	}
	if e.index >= 0 {
		e.next = p.now()
		p.fix(e)
	}
	done := make(chan struct{})
	e.waiters = append(e.waiters, done)
	p.signal()
	return done
}

// Probe returns the probe instance polling key, for callers that feed it
// (trap probes); nil if unknown.
func (p *Poller) Probe(key string) probe.Probe {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[key]; ok {
		return e.job.Probe
	}
	return nil
}

func (p *Poller) fix(e *entry) {
	if e.index >= 0 {
		heap.Fix(&p.queue, e.index)
	}
}

func (p *Poller) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run dispatches polls until ctx ends, then waits for polls in flight.
func (p *Poller) Run(ctx context.Context) error {
	sem := make(chan struct{}, p.cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e, wait := p.due()
		if e == nil {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return nil
			case <-p.wake:
			case <-timer.C:
			}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			p.finish(e)
			return nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p.poll(ctx, e)
		}()
	}
}

// due pops the next job that is due and marks it running, or says how long
// to sleep. A job still running when due again is skipped, not stacked up.
func (p *Poller) due() (*entry, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.queue.Len() == 0 {
			return nil, time.Minute
		}
		now := p.now()
		e := p.queue[0]
		if wait := e.next.Sub(now); wait > 0 {
			return nil, wait
		}
		// Keep the phase (next += interval) so polls do not drift, but never
		// schedule in the past: a stall must not cause a burst of catch-ups.
		e.next = e.next.Add(e.job.Interval)
		if e.next.Before(now) {
			e.next = now.Add(e.job.Interval)
		}
		heap.Fix(&p.queue, 0)
		if e.running {
			p.metrics.overruns.Inc()
			continue
		}
		e.running = true
		e.inflightWaiters, e.waiters = e.waiters, nil
		p.inFlight++
		return e, 0
	}
}

func (p *Poller) finish(e *entry) {
	p.mu.Lock()
	e.running = false
	p.inFlight--
	for _, w := range e.inflightWaiters {
		close(w)
	}
	e.inflightWaiters = nil
	p.mu.Unlock()
}

func (p *Poller) poll(ctx context.Context, e *entry) {
	defer p.finish(e)
	job := e.job
	timeout := job.Target.Timeout
	if timeout <= 0 {
		timeout = job.Interval
	}
	pctx, cancel := context.WithTimeout(ctx, timeout+p.cfg.Grace)
	defer cancel()
	start := p.now()
	r := p.safePoll(pctx, job)
	if ctx.Err() != nil {
		return // shutting down: an interrupted poll says nothing about the device
	}
	if r.Time.IsZero() {
		r.Time = p.now()
	}
	p.metrics.duration.Observe(r.Time.Sub(start).Seconds())
	if r.NoResponse {
		p.metrics.polls.WithLabelValues("no_response").Inc()
	} else {
		p.metrics.polls.WithLabelValues("answered").Inc()
	}
	p.mu.Lock()
	p.rate.add(r.Time)
	removed := e.removed
	p.mu.Unlock()
	if !removed {
		p.sink(job.Key, r)
	}
}

// safePoll turns a probe panic into an unknown status: one buggy probe must
// not take the server down.
func (p *Poller) safePoll(ctx context.Context, job Job) (r status.Result) {
	defer func() {
		if v := recover(); v != nil {
			p.logger.Error("probe panicked", "key", job.Key, "panic", v)
			p.metrics.panics.Inc()
			r = status.Result{Level: status.Unknown, Reason: "internal error in probe (see server log)", Time: p.now()}
		}
	}()
	return job.Probe.Poll(ctx, job.Target)
}

// Stats is a snapshot for the server-info API.
type Stats struct {
	Jobs           int     `json:"jobs"`
	InFlight       int     `json:"in_flight"`
	Queued         int     `json:"queued"`
	PollsPerSecond float64 `json:"polls_per_second"`
}

// Stats returns the current figures.
func (p *Poller) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Jobs: len(p.entries), InFlight: p.inFlight, Queued: p.queuedLocked(), PollsPerSecond: p.rate.perSecond(p.now())}
}

// queuedLocked counts jobs that are due but not started.
func (p *Poller) queuedLocked() int {
	now := p.now()
	n := 0
	for _, e := range p.queue {
		if !e.running && !e.next.After(now) {
			n++
		}
	}
	return n
}
