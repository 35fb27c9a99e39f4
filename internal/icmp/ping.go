package icmp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Ping sends req.Count echo requests to req.Addr and waits for the replies.
// It is safe for any number of concurrent callers. Lost packets are not
// errors: they show in Stats. Errors are returned for a bad request, a
// closed engine (ErrClosed), an address family without a socket
// (ErrFamilyUnavailable) and a cancelled ctx, with the Stats gathered so far.
func (e *Engine) Ping(ctx context.Context, req Request) (Stats, error) {
	c, err := e.newCall(ctx, &req)
	if err != nil {
		return Stats{Addr: req.Addr.Unmap()}, err
	}
	err = c.run(ctx)
	c.finish()
	st := c.st
	if err == nil {
		// Every echo was sent (or refused) and resolved, so neither the
		// sender nor the receive loop holds a reference any more.
		c.st, c.req = Stats{}, Request{}
		e.calls.Put(c)
	}
	return st, err
}

// call is the state of one Ping call. It lives on the heap, recycled through
// the engine's pool so that a sweep allocates little per ping, and keeps
// the frames of Ping small: every caller's goroutine stack holds them, and
// a sweep may have thousands of goroutines, each paying to grow its stack.
type call struct {
	e        *Engine
	f        *family
	req      Request
	st       Stats
	keyAddr  netip.Addr // req.Addr without zone, as replies are keyed
	tmpl     []byte     // the echo as built, before stamping
	bufs     []byte     // slots for echoes in flight (the sender holds them)
	slots    int
	results  chan echoResult
	out      []pending // sent, not yet answered or timed out
	next     int       // index of the next echo to send
	nextSend uint64    // engine clock, when Interval > 0
	timer    *time.Timer
	last     echoResult // the result being recorded
}

// pending is an echo sent and not yet answered.
type pending struct {
	seq uint16
	idx int32
}

//go:noinline
func (e *Engine) newCall(ctx context.Context, req *Request) (*call, error) {
	if err := req.normalize(); err != nil {
		return nil, err
	}
	f := e.v4
	if req.Addr.Is6() {
		if f = e.v6; f == nil {
			return nil, fmt.Errorf("ping %s: IPv6: %w", req.Addr, ErrFamilyUnavailable)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ping %s: %w", req.Addr, err)
	}
	c, _ := e.calls.Get().(*call)
	if c == nil {
		c = new(call)
	}
	c.e, c.f, c.req, c.keyAddr = e, f, *req, req.Addr.WithZone("")
	c.st.Addr = req.Addr
	c.next, c.nextSend = 0, 0
	n := icmpHeaderLen + req.Size
	// Without an interval one echo is in flight at a time; with one, an
	// echo is normally resolved Timeout after it left, by when its slot is
	// needed again.
	c.slots = 1
	if req.Interval > 0 {
		c.slots = int(min(int64(req.Count), int64(req.Timeout/req.Interval)+2))
	}
	if need := n * (c.slots + 1); cap(c.tmpl) < need {
		c.tmpl = make([]byte, need)
	}
	c.tmpl, c.bufs = c.tmpl[:n], c.tmpl[n:n*(c.slots+1)]
	fillEcho(c.tmpl, f.v6, e.ident, e.nonce, req.Pattern)
	if cap(c.results) < req.Count {
		c.results = make(chan echoResult, req.Count)
	}
	c.out = c.out[:0]
	return c, nil
}

// run sends the echoes and collects their results. Timeouts arrive as
// results from the family's sender goroutine, and Close fails every waiter,
// so the only other things to wait for are ctx and, with an Interval, the
// next scheduled send.
func (c *call) run(ctx context.Context) error {
	for {
		if !c.sendDue(c.e.now()) {
			return c.wrap(ErrClosed)
		}
		if c.next == c.req.Count && len(c.out) == 0 {
			return nil
		}
		var tick <-chan time.Time
		if c.req.Interval > 0 && c.next < c.req.Count {
			tick = c.arm()
		}
		select {
		case c.last = <-c.results: // into the heap, not run's frame
			if err := c.record(); err != nil {
				return err
			}
		case <-tick:
		case <-ctx.Done():
			return c.wrap(ctx.Err())
		}
	}
}

// wrap names the address in an error. It is kept out of run so that run's
// frame, live while the goroutine waits, stays small.
//
//go:noinline
func (c *call) wrap(err error) error {
	return fmt.Errorf("ping %s: %w", c.req.Addr, err)
}

// sendDue queues the echoes whose time has come: with no Interval, the
// next one once nothing is outstanding; with one, every echo on schedule.
// It reports false once the engine is closed.
func (c *call) sendDue(now uint64) bool {
	interval := uint64(c.req.Interval)
	for c.next < c.req.Count && ((interval > 0 && now >= c.nextSend) || (interval == 0 && len(c.out) == 0)) {
		regAt := c.e.now()
		seq, ok := c.f.register(c.keyAddr, waiter{ch: c.results, idx: int32(c.next), regAt: regAt})
		if !ok {
			return false
		}
		buf := c.slot()
		copy(buf, c.tmpl)
		c.f.enqueue(sendItem{buf: buf, addr: c.req.Addr, seq: seq, regAt: regAt, timeout: c.req.Timeout})
		c.st.Sent++
		c.out = append(c.out, pending{seq: seq, idx: int32(c.next)})
		c.next++
		c.nextSend = regAt + interval
		now = c.e.now()
	}
	return true
}

// slot returns the buffer for the next echo: its slot in c.bufs, or a new
// buffer when the echo that last used the slot is still in flight (the
// sender fell far behind).
func (c *call) slot() []byte {
	n, i := len(c.tmpl), c.next%c.slots
	for _, p := range c.out {
		if int(p.idx)%c.slots == i {
			return make([]byte, n)
		}
	}
	return c.bufs[i*n : (i+1)*n]
}

// arm sets the timer for the next scheduled send.
func (c *call) arm() <-chan time.Time {
	var d time.Duration
	if now := c.e.now(); c.nextSend > now {
		d = time.Duration(c.nextSend - now)
	}
	if c.timer == nil {
		c.timer = time.NewTimer(d)
	} else {
		c.timer.Reset(d)
	}
	return c.timer.C
}

func (c *call) record() error {
	r := &c.last
	if i := slices.IndexFunc(c.out, func(p pending) bool { return p.idx == r.idx }); i >= 0 {
		c.out = slices.Delete(c.out, i, i+1)
	}
	switch {
	case errors.Is(r.err, ErrClosed):
		return c.wrap(ErrClosed)
	case r.err != nil:
		c.st.SendErr = r.err
	case r.timeout:
	default:
		c.st.Received++
		if c.st.RTTs == nil {
			c.st.RTTs = make([]time.Duration, 0, c.req.Count)
		}
		c.st.RTTs = append(c.st.RTTs, r.rtt)
		if r.ttl > 0 {
			c.st.TTL = int(r.ttl)
		}
	}
	return nil
}

// finish collects results that raced with an early return, leaves no waiter
// behind and computes the summary figures.
func (c *call) finish() {
	if c.timer != nil {
		c.timer.Stop()
	}
	for len(c.out) > 0 {
		p := c.out[0]
		if c.f.unregister(key{c.keyAddr, p.seq}) {
			c.out = c.out[1:]
			continue
		}
		c.last = <-c.results // delivered under the lock: already queued
		c.record()
	}
	c.st.summarise()
}
