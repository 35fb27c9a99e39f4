package dnsmon

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/dnsmon/dnstest"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestWatchDetectsChangeWithinTTLPlusInterval polls a watched name every
// interval on a simulated clock against a real (loopback) server, changes
// the record, and checks that the change is seen no later than TTL +
// interval after it was made, and that no query is sent while the cached
// answer's TTL lasts.
func TestWatchDetectsChangeWithinTTLPlusInterval(t *testing.T) {
	for _, tc := range []struct {
		name             string
		ttl, min, every  time.Duration
		wantQueriesEvery time.Duration // re-resolution period
	}{
		{"ttl longer than interval", 10 * time.Second, 0, 3 * time.Second, 10 * time.Second},
		{"ttl shorter than interval", 2 * time.Second, 0, 5 * time.Second, 2 * time.Second},
		{"minimum above ttl", 2 * time.Second, 20 * time.Second, 5 * time.Second, 20 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := dnstest.New(t)
			srv.SetA("host.example.test", tc.ttl, "192.0.2.1")
			clk := &clock{t: time.Unix(1_000_000, 0)}
			w := NewWatch(testResolver(srv.Addr()), "host.example.test", tc.min, clk.now)
			ctx := context.Background()

			first := w.Check(ctx)
			if first.Err != nil || !first.Resolved || first.Changed {
				t.Fatalf("first check: %+v", first)
			}
			if got, want := first.Next.Sub(first.At), max(tc.ttl, tc.min); got != want {
				t.Fatalf("next re-resolve after %s, want %s", got, want)
			}
			// Change the record a little after a poll, mid-TTL.
			clk.t = clk.t.Add(tc.every)
			w.Check(ctx)
			changedAt := clk.t.Add(time.Second / 2)
			srv.SetA("host.example.test", tc.ttl, "192.0.2.2")

			deadline := changedAt.Add(max(tc.ttl, tc.min) + tc.every)
			var seen *Check
			for range 100 {
				clk.t = clk.t.Add(tc.every)
				c := w.Check(ctx)
				if !c.Resolved && !slices.Equal(c.Answer.Addrs, addrs("192.0.2.1")) {
					t.Fatalf("a cached answer changed without a query: %+v", c)
				}
				if c.Changed {
					seen = &c
					break
				}
			}
			if seen == nil {
				t.Fatal("change never detected")
			}
			if clk.t.After(deadline) {
				t.Fatalf("change detected at +%s, later than TTL+interval (+%s)", clk.t.Sub(changedAt), deadline.Sub(changedAt))
			}
			if !slices.Equal(seen.Previous, addrs("192.0.2.1")) || !slices.Equal(seen.Answer.Addrs, addrs("192.0.2.2")) {
				t.Fatalf("change %v -> %v", seen.Previous, seen.Answer.Addrs)
			}
			// The next check within the TTL is served from the cache and
			// is no longer a change.
			clk.t = clk.t.Add(time.Millisecond)
			if c := w.Check(ctx); c.Resolved || c.Changed {
				t.Fatalf("check after the change: %+v", c)
			}
		})
	}
}

func TestWatchStopsResolving(t *testing.T) {
	srv := dnstest.New(t)
	srv.SetA("host.example.test", 2*time.Second, "192.0.2.1")
	clk := &clock{t: time.Unix(1_000_000, 0)}
	w := NewWatch(testResolver(srv.Addr()), "host.example.test", 0, clk.now)
	ctx := context.Background()
	if c := w.Check(ctx); c.Err != nil {
		t.Fatal(c.Err)
	}
	srv.Delete("host.example.test")
	clk.t = clk.t.Add(3 * time.Second)
	c := w.Check(ctx)
	if c.Err == nil || !c.Resolved {
		t.Fatalf("check after delete: %+v", c)
	}
	// NXDOMAIN is cached for the SOA's negative TTL (1 s).
	if got := c.Next.Sub(c.At); got != time.Second {
		t.Fatalf("negative answer cached for %s, want 1s", got)
	}
	// Back with another address: a change from the last good set.
	srv.SetA("host.example.test", 2*time.Second, "192.0.2.7")
	clk.t = clk.t.Add(2 * time.Second)
	c = w.Check(ctx)
	if c.Err != nil || !c.Changed || !slices.Equal(c.Previous, addrs("192.0.2.1")) {
		t.Fatalf("check after return: %+v", c)
	}
}
