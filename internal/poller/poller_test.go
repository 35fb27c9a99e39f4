package poller

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/status"
)

type probeFunc func(ctx context.Context, t probe.Target) status.Result

func (f probeFunc) Poll(ctx context.Context, t probe.Target) status.Result { return f(ctx, t) }

type recorder struct {
	mu     sync.Mutex
	counts map[string]int
}

func (r *recorder) sink(key string, _ status.Result) {
	r.mu.Lock()
	r.counts[key]++
	r.mu.Unlock()
}

func (r *recorder) get(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[key]
}

func newTest(t *testing.T, cfg Config) (*Poller, *recorder, *prometheus.Registry) {
	t.Helper()
	rec := &recorder{counts: map[string]int{}}
	reg := prometheus.NewRegistry()
	p, err := New(cfg, rec.sink, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	return p, rec, reg
}

func run(t *testing.T, p *Poller) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func ok(context.Context, probe.Target) status.Result { return status.Result{Level: status.OK} }

func TestSpreadOverInterval(t *testing.T) {
	p, _, _ := newTest(t, DefaultConfig())
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return t0 }
	var jobs []Job
	for i := range 1000 {
		jobs = append(jobs, Job{Key: fmt.Sprint(i), Probe: probeFunc(ok), Interval: 30 * time.Second})
	}
	p.Set(jobs)
	var offsets []time.Duration
	inOrder := true
	for i := range 1000 {
		off := p.entries[fmt.Sprint(i)].next.Sub(t0)
		if off < 0 || off >= 30*time.Second {
			t.Fatalf("job %d first poll at +%v, outside the interval", i, off)
		}
		if i > 0 && off < offsets[i-1] {
			inOrder = false
		}
		offsets = append(offsets, off)
	}
	if inOrder {
		t.Fatal("first polls follow the job order")
	}
	sort.Slice(offsets, func(a, b int) bool { return offsets[a] < offsets[b] })
	// Every 3-second tenth of the interval gets a share of the polls.
	for tenth := range 10 {
		lo, hi := time.Duration(tenth)*3*time.Second, time.Duration(tenth+1)*3*time.Second
		n := sort.Search(len(offsets), func(i int) bool { return offsets[i] >= hi }) - sort.Search(len(offsets), func(i int) bool { return offsets[i] >= lo })
		if n < 40 || n > 170 {
			t.Fatalf("%d of 1000 first polls in [%v,%v): not spread", n, lo, hi)
		}
	}
}

func TestSetKeepsSchedule(t *testing.T) {
	p, _, _ := newTest(t, DefaultConfig())
	j := Job{Key: "a", Probe: probeFunc(ok), Interval: time.Minute}
	p.Set([]Job{j})
	next := p.entries["a"].next
	p.Set([]Job{j, {Key: "b", Probe: probeFunc(ok), Interval: time.Minute}})
	if !p.entries["a"].next.Equal(next) {
		t.Fatal("unchanged job was rescheduled")
	}
	p.Set([]Job{{Key: "b", Probe: probeFunc(ok), Interval: time.Minute}})
	if _, ok := p.entries["a"]; ok || p.queue.Len() != 1 {
		t.Fatal("removed job still scheduled")
	}
}

func TestPollsRepeatAndSlowDoesNotStall(t *testing.T) {
	p, rec, reg := newTest(t, Config{Concurrency: 4, Grace: time.Second})
	release := make(chan struct{})
	defer close(release)
	slow := probeFunc(func(ctx context.Context, _ probe.Target) status.Result {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return status.Result{Level: status.Down, NoResponse: true}
	})
	p.Set([]Job{
		{Key: "slow", Probe: slow, Interval: 20 * time.Millisecond, Target: probe.Target{Timeout: time.Minute}},
		{Key: "fast", Probe: probeFunc(ok), Interval: 20 * time.Millisecond},
	})
	run(t, p)
	waitFor(t, func() bool { return rec.get("fast") >= 5 })
	if rec.get("slow") != 0 {
		t.Fatal("slow poll finished early")
	}
	if got := p.Stats().InFlight; got != 1 {
		t.Fatalf("in flight = %d, want only the slow poll (overruns skipped)", got)
	}
	if testutil.ToFloat64(p.metrics.overruns) == 0 {
		t.Fatal("overrun counter did not move")
	}
	if testutil.ToFloat64(p.metrics.polls.WithLabelValues("answered")) < 5 {
		t.Fatal("polls counter did not move")
	}
	if n, _ := testutil.GatherAndCount(reg, "vantage_poller_jobs"); n != 1 {
		t.Fatal("jobs gauge not registered")
	}
}

func TestConcurrencyBound(t *testing.T) {
	p, rec, _ := newTest(t, Config{Concurrency: 3, Grace: time.Second})
	var cur, peak atomic.Int32
	pr := probeFunc(func(ctx context.Context, _ probe.Target) status.Result {
		n := cur.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		cur.Add(-1)
		return status.Result{Level: status.OK}
	})
	var jobs []Job
	for i := range 20 {
		jobs = append(jobs, Job{Key: fmt.Sprint(i), Probe: pr, Interval: 10 * time.Millisecond})
	}
	p.Set(jobs)
	run(t, p)
	waitFor(t, func() bool {
		for i := range 20 {
			if rec.get(fmt.Sprint(i)) < 2 {
				return false
			}
		}
		return true
	})
	if peak.Load() > 3 {
		t.Fatalf("peak concurrency %d > 3", peak.Load())
	}
}

func TestTimeoutBackstopAndPanic(t *testing.T) {
	p, rec, _ := newTest(t, Config{Concurrency: 2, Grace: 10 * time.Millisecond})
	stuck := probeFunc(func(ctx context.Context, _ probe.Target) status.Result {
		<-ctx.Done() // honours only the poller's deadline
		return status.Result{Level: status.Down, NoResponse: true, Reason: "timeout"}
	})
	boom := probeFunc(func(context.Context, probe.Target) status.Result { panic("bad probe") })
	p.Set([]Job{
		{Key: "stuck", Probe: stuck, Interval: time.Hour, Target: probe.Target{Timeout: 10 * time.Millisecond}},
		{Key: "boom", Probe: boom, Interval: time.Hour},
	})
	p.PollNow("stuck")
	p.PollNow("boom")
	run(t, p)
	waitFor(t, func() bool { return rec.get("stuck") == 1 && rec.get("boom") == 1 })
	if testutil.ToFloat64(p.metrics.panics) != 1 {
		t.Fatal("panic not counted")
	}
	if p.PollNow("nope") {
		t.Fatal("PollNow of unknown key succeeded")
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{Concurrency: 0}).Validate(); err == nil {
		t.Fatal("zero concurrency accepted")
	}
	if _, err := New(DefaultConfig(), nil, nil, nil); err == nil {
		t.Fatal("nil sink accepted")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type countingProbe struct{ n int }

func (c *countingProbe) Poll(context.Context, probe.Target) status.Result {
	c.n++
	return status.Result{Level: status.OK}
}

func TestSetKeepsProbeInstance(t *testing.T) {
	p, _, _ := newTest(t, DefaultConfig())
	first := &countingProbe{}
	p.Set([]Job{{Key: "a", Probe: first, Interval: time.Minute}})
	p.Set([]Job{{Key: "a", Probe: &countingProbe{}, Interval: time.Minute}})
	if p.entries["a"].job.Probe != probe.Probe(first) {
		t.Fatal("stateful probe instance replaced by an identical job")
	}
}

func TestPollNowDone(t *testing.T) {
	p, rec, _ := newTest(t, DefaultConfig())
	p.Set([]Job{{Key: "a", Probe: probeFunc(ok), Interval: time.Hour}})
	if p.PollNowDone("nope") != nil {
		t.Fatal("unknown job gave a channel")
	}
	done := p.PollNowDone("a")
	run(t, p)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("poll never reported done")
	}
	if rec.get("a") != 1 {
		t.Fatalf("polls = %d", rec.get("a"))
	}
	if p.Probe("a") == nil || p.Probe("nope") != nil {
		t.Fatal("Probe accessor")
	}
	// Removing the job releases waiters.
	p.mu.Lock()
	p.entries["a"].next = time.Now().Add(time.Hour)
	p.mu.Unlock()
	w := p.PollNowDone("a")
	p.Set(nil)
	select {
	case <-w:
	case <-time.After(10 * time.Second):
		t.Fatal("removed job kept its waiter")
	}
}
