package trap

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakePoll records poll starts and lets the test complete each poll.
type fakePoll struct {
	mu       sync.Mutex
	started  map[string]int
	inFlight map[string]int
	maxIn    int // most polls of one key in flight at once
	pending  map[string][]chan struct{}
	starts   chan string
}

func newFakePoll() *fakePoll {
	return &fakePoll{started: map[string]int{}, inFlight: map[string]int{}, pending: map[string][]chan struct{}{},
		starts: make(chan string, 1000)}
}

func (f *fakePoll) poll(key string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started[key]++
	f.inFlight[key]++
	f.maxIn = max(f.maxIn, f.inFlight[key])
	done := make(chan struct{})
	f.pending[key] = append(f.pending[key], done)
	f.starts <- key
	return done
}

// finish completes the oldest poll of key in flight.
func (f *fakePoll) finish(t *testing.T, key string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.pending[key]) == 0 {
		t.Fatalf("no poll of %s in flight", key)
	}
	f.inFlight[key]--
	close(f.pending[key][0])
	f.pending[key] = f.pending[key][1:]
}

func (f *fakePoll) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started[key]
}

// waitStart waits for the next poll to start, or fails.
func (f *fakePoll) waitStart(t *testing.T, want string) {
	t.Helper()
	select {
	case k := <-f.starts:
		if k != want {
			t.Fatalf("poll of %s started, want %s", k, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no poll of %s started", want)
	}
}

// noStart checks no poll starts for a while.
func (f *fakePoll) noStart(t *testing.T) {
	t.Helper()
	select {
	case k := <-f.starts:
		t.Fatalf("unexpected poll of %s", k)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestRepollerOnce(t *testing.T) {
	f := newFakePoll()
	r := NewRepoller(f.poll)
	defer r.Close()
	r.Trigger("a")
	f.waitStart(t, "a") // at once, not after the poll
	f.finish(t, "a")
	f.noStart(t)
	if r.InFlight() != 0 || f.count("a") != 1 {
		t.Errorf("in flight %d, polls %d", r.InFlight(), f.count("a"))
	}
}

// TestRepollerCoalesces: 100 triggers during a poll give exactly one more
// poll, after the first completes.
func TestRepollerCoalesces(t *testing.T) {
	f := newFakePoll()
	r := NewRepoller(f.poll)
	defer r.Close()
	r.Trigger("a")
	f.waitStart(t, "a")
	for range 100 {
		r.Trigger("a")
	}
	f.noStart(t) // never two at once
	f.finish(t, "a")
	f.waitStart(t, "a")
	f.noStart(t)
	f.finish(t, "a")
	f.noStart(t)
	if n := f.count("a"); n != 2 {
		t.Errorf("%d polls, want 2", n)
	}
	// After the burst, a new trap polls again at once.
	waitIdle(t, r)
	r.Trigger("a")
	f.waitStart(t, "a")
	f.finish(t, "a")
}

// TestRepollerTriggerDuringFollowUp: a trigger during the follow-up poll
// causes one more.
func TestRepollerTriggerDuringFollowUp(t *testing.T) {
	f := newFakePoll()
	r := NewRepoller(f.poll)
	defer r.Close()
	r.Trigger("a")
	f.waitStart(t, "a")
	r.Trigger("a")
	f.finish(t, "a")
	f.waitStart(t, "a")
	r.Trigger("a")
	r.Trigger("a")
	f.finish(t, "a")
	f.waitStart(t, "a")
	f.finish(t, "a")
	f.noStart(t)
	if n := f.count("a"); n != 3 {
		t.Errorf("%d polls, want 3", n)
	}
}

// TestRepollerKeysIndependent: one device's poll never holds another's.
func TestRepollerKeysIndependent(t *testing.T) {
	f := newFakePoll()
	r := NewRepoller(f.poll)
	defer r.Close()
	r.Trigger("a")
	f.waitStart(t, "a")
	r.Trigger("b")
	f.waitStart(t, "b")
	f.finish(t, "b")
	f.finish(t, "a")
	f.noStart(t)
}

// TestRepollerNilDone: a poll returning nil has completed.
func TestRepollerNilDone(t *testing.T) {
	var n atomic.Int32
	r := NewRepoller(func(string) <-chan struct{} { n.Add(1); return nil })
	defer r.Close()
	r.Trigger("a")
	waitIdle(t, r)
	r.Trigger("a")
	waitIdle(t, r)
	if n.Load() != 2 {
		t.Errorf("%d polls", n.Load())
	}
}

// TestRepollerClose: Close returns with a poll in flight; later triggers
// do nothing.
func TestRepollerClose(t *testing.T) {
	f := newFakePoll()
	r := NewRepoller(f.poll)
	r.Trigger("a")
	f.waitStart(t, "a")
	r.Trigger("a")
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a poll in flight")
	}
	r.Close()
	r.Trigger("b")
	f.noStart(t)
}

// TestRepollerStress: many goroutines trigger many keys while polls
// complete at random; never two polls of a key at once, and every trigger
// is followed by a poll that started after it.
func TestRepollerStress(t *testing.T) {
	var mu sync.Mutex
	inFlight := map[string]bool{}
	lastStart := map[string]int64{}
	var clock atomic.Int64
	var overlap atomic.Bool
	r := NewRepoller(func(key string) <-chan struct{} {
		mu.Lock()
		if inFlight[key] {
			overlap.Store(true)
		}
		inFlight[key] = true
		lastStart[key] = clock.Add(1)
		mu.Unlock()
		done := make(chan struct{})
		go func() {
			time.Sleep(time.Duration(clock.Load()%3) * 100 * time.Microsecond)
			mu.Lock()
			inFlight[key] = false
			mu.Unlock()
			close(done)
		}()
		return done
	})
	defer r.Close()
	lastTrigger := map[string]int64{}
	var tmu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				key := fmt.Sprint("dev", (g+i)%5)
				tmu.Lock()
				lastTrigger[key] = clock.Add(1)
				tmu.Unlock()
				r.Trigger(key)
			}
		}()
	}
	wg.Wait()
	waitIdle(t, r)
	if overlap.Load() {
		t.Error("two polls of one key in flight at once")
	}
	for key, tr := range lastTrigger {
		if lastStart[key] < tr {
			t.Errorf("%s: last trigger at %d, last poll started at %d", key, tr, lastStart[key])
		}
	}
}

func waitIdle(t *testing.T, r *Repoller) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.InFlight() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("polls still in flight")
		}
		time.Sleep(time.Millisecond)
	}
}
