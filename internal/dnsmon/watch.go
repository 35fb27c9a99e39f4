package dnsmon

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Lookuper resolves names; Resolver is one, tests use fakes.
type Lookuper interface {
	LookupHost(ctx context.Context, name string) (Answer, error)
}

// Watch follows one name: it re-resolves only when the last answer's TTL
// (or the minimum, when larger) has run out, and tells when the address
// set changes. It is safe for concurrent use.
type Watch struct {
	r      Lookuper
	name   string
	minTTL time.Duration
	now    func() time.Time

	mu      sync.Mutex
	checked bool
	last    Check
	good    []netip.Addr // the last successful address set
}

// Check is the state of a watched name at one moment.
type Check struct {
	Answer Answer
	// Err is why the name did not resolve at the last resolution.
	Err error
	// Resolved is true when this Check sent queries; false when it is
	// the cached result of an earlier one still within its TTL.
	Resolved bool
	// Changed is true when this resolution found a different address set
	// from the last successful one; Previous is that set.
	Changed  bool
	Previous []netip.Addr
	// At is when the name was last resolved; Next is when it will be
	// resolved again.
	At, Next time.Time
}

// Watch returns a watch of name that never re-resolves sooner than
// minTTL; minTTL < 0 means the resolver's configured minimum.
func (r *Resolver) Watch(name string, minTTL time.Duration) *Watch {
	if minTTL < 0 {
		minTTL = r.MinTTL()
	}
	return NewWatch(r, name, minTTL, nil)
}

// NewWatch watches name through r; now is the clock (nil: time.Now).
func NewWatch(r Lookuper, name string, minTTL time.Duration, now func() time.Time) *Watch {
	if now == nil {
		now = time.Now
	}
	return &Watch{r: r, name: name, minTTL: minTTL, now: now}
}

// Name is the watched name as given.
func (w *Watch) Name() string { return w.name }

// Check returns the cached result while its TTL lasts, and resolves the
// name again once it has run out. Only one caller resolves at a time.
func (w *Watch) Check(ctx context.Context) Check {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	if w.checked && now.Before(w.last.Next) {
		c := w.last
		c.Resolved, c.Changed, c.Previous = false, false, nil
		return c
	}
	ans, err := w.r.LookupHost(ctx, w.name)
	c := Check{Answer: ans, Err: err, Resolved: true, At: now}
	ttl := ans.TTL
	if err != nil {
		ttl = 0
		if nf, ok := errAs[*NotFoundError](err); ok {
			ttl = nf.TTL
		}
		if ctx.Err() != nil {
			// A cancelled poll says nothing about the name: try again
			// at the next one.
			c.Next = now
			return c
		}
	} else {
		if w.good != nil && !slices.Equal(w.good, ans.Addrs) {
			c.Changed, c.Previous = true, w.good
		}
		w.good = ans.Addrs
	}
	c.Next = now.Add(max(ttl, w.minTTL))
	w.checked, w.last = true, c
	return c
}
