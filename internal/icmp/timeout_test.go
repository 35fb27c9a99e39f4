package icmp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

// silentHost returns a namespace host that is reachable but ignores echo
// requests, so that every echo to it times out.
func silentHost(t *testing.T) *netnstest.NS {
	t.Helper()
	ns := netnstest.New(t, t.Name())
	if out, err := ns.Exec("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"); err != nil {
		t.Fatalf("silence the namespace: %v: %s", err, out)
	}
	return ns
}

func TestPingNamespace(t *testing.T) {
	ns := netnstest.New(t, t.Name())
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			e := openForTest(t, mode)
			ping := func() Stats {
				t.Helper()
				st, err := e.Ping(context.Background(), Request{Addr: ns.Addr(), Count: 2, Timeout: 300 * time.Millisecond})
				if err != nil {
					t.Fatalf("Ping: %v", err)
				}
				return st
			}
			// The first echoes wait for ARP, and a loaded machine (the
			// whole suite runs at once on two cores) can make them miss
			// 300 ms: a few rounds until both replies come back.
			for deadline := time.Now().Add(5 * time.Second); ; {
				st := ping()
				if st.Received == 2 && st.TTL == 64 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("reachable host: %+v, want 2 replies with TTL 64", st)
				}
			}
			ns.LinkDown()
			st := ping()
			ns.LinkUp()
			if st.Sent != 2 || st.Received != 0 || st.LossPct() != 100 {
				t.Fatalf("link down: %+v, want 2 sent, 0 received", st)
			}
			// The neighbour entry may have failed meanwhile: allow a few
			// rounds for ARP to resolve again.
			for deadline := time.Now().Add(5 * time.Second); ; {
				st := ping()
				if st.Received == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("link up again: %+v", st)
				}
			}
		})
	}
}

func TestPingTimeout(t *testing.T) {
	ns := silentHost(t)
	e := openForTest(t, ModeAuto)
	for _, tc := range []struct {
		name     string
		req      Request
		min, max time.Duration
	}{
		// Upper bounds are loose: a loaded CI machine is slow to schedule.
		{"one echo", Request{Count: 1, Timeout: 200 * time.Millisecond}, 200 * time.Millisecond, 3 * time.Second},
		{"back to back", Request{Count: 3, Timeout: 100 * time.Millisecond}, 300 * time.Millisecond, 3 * time.Second},
		// With an interval the echoes overlap: the last leaves at 100 ms
		// and times out at 300 ms.
		{"interval", Request{Count: 3, Interval: 50 * time.Millisecond, Timeout: 200 * time.Millisecond}, 300 * time.Millisecond, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.Counters().Timeouts
			tc.req.Addr = ns.Addr()
			start := time.Now()
			st, err := e.Ping(context.Background(), tc.req)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("Ping: %v (a lost packet is not an error)", err)
			}
			if st.Sent != tc.req.Count || st.Received != 0 || len(st.RTTs) != 0 || st.LossPct() != 100 {
				t.Errorf("stats = %+v, want all %d lost", st, tc.req.Count)
			}
			if took < tc.min || took > tc.max {
				t.Errorf("took %s, want %s to %s", took, tc.min, tc.max)
			}
			if got := e.Counters().Timeouts - before; got != uint64(tc.req.Count) {
				t.Errorf("timeouts counter moved by %d, want %d", got, tc.req.Count)
			}
		})
	}
}

func TestPingCancel(t *testing.T) {
	ns := silentHost(t)
	e := openForTest(t, ModeAuto)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	st, err := e.Ping(ctx, Request{Addr: ns.Addr(), Count: 3, Timeout: 10 * time.Second})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Ping returned %s after its context ended", took-100*time.Millisecond)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ping error = %v, want context.DeadlineExceeded", err)
	}
	if st.Sent != 1 || st.Received != 0 {
		t.Errorf("stats = %+v, want the first echo sent and unanswered", st)
	}
	// The cancelled echo left no waiter behind for the receive loop.
	for i := range e.v4.shards {
		s := &e.v4.shards[i]
		s.mu.Lock()
		n := len(s.m)
		s.mu.Unlock()
		if n != 0 {
			t.Fatalf("shard %d still has %d waiters", i, n)
		}
	}
}

func TestCloseWakesWaiters(t *testing.T) {
	ns := silentHost(t)
	e := openForTest(t, ModeAuto)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := e.Ping(context.Background(), Request{Addr: ns.Addr(), Count: 2, Timeout: 30 * time.Second})
			errs <- err
		})
	}
	time.Sleep(200 * time.Millisecond) // let every echo leave
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("waiters took %s to return after Close", took)
	}
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Ping during Close returned %v, want ErrClosed", err)
		}
	}
}
