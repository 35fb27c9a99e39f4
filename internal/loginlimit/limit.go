// Package loginlimit slows down password guessing on the line-oriented
// listeners (remote protocol, console): it counts failed logins per client
// address and locks an address out for a while after too many.
package loginlimit

import (
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Config bounds login attempts per address.
type Config struct {
	// Failures is how many failed logins within Window lock an address out.
	Failures int `yaml:"failures"`
	// Window is how long a failure counts.
	Window time.Duration `yaml:"window"`
	// Lockout is how long a locked-out address is refused.
	Lockout time.Duration `yaml:"lockout"`
	// Delay is how long each failed attempt is answered late, so one
	// connection cannot try passwords at full speed.
	Delay time.Duration `yaml:"delay"`
}

// DefaultConfig allows 5 failures in 15 minutes, then refuses the address
// for 5 minutes; each failure is answered after 1 second.
func DefaultConfig() Config {
	return Config{Failures: 5, Window: 15 * time.Minute, Lockout: 5 * time.Minute, Delay: time.Second}
}

// Validate reports settings that would disable the protection by mistake.
func (c Config) Validate() error {
	switch {
	case c.Failures < 1:
		return fmt.Errorf("failures: %d is below 1", c.Failures)
	case c.Window <= 0:
		return fmt.Errorf("window: %s must be positive", c.Window)
	case c.Lockout <= 0:
		return fmt.Errorf("lockout: %s must be positive", c.Lockout)
	case c.Delay < 0:
		return fmt.Errorf("delay: %s is negative", c.Delay)
	}
	return nil
}

// maxTracked bounds the table so a flood of addresses cannot grow it
// without limit; expired entries are dropped first.
const maxTracked = 10000

// Limiter is safe for concurrent use.
type Limiter struct {
	cfg Config
	now func() time.Time

	mu   sync.Mutex
	addr map[netip.Addr]*record
}

type record struct {
	failures    []time.Time
	lockedUntil time.Time
}

// New returns a Limiter; now is the clock (nil: time.Now), injected so
// tests need not wait.
func New(cfg Config, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{cfg: cfg, now: now, addr: map[netip.Addr]*record{}}
}

// Locked reports whether a is locked out and until when.
func (l *Limiter) Locked(a netip.Addr) (bool, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.addr[a.Unmap()]
	if r == nil || !l.now().Before(r.lockedUntil) {
		return false, time.Time{}
	}
	return true, r.lockedUntil
}

// Fail records a failed login from a and reports whether that locked the
// address out.
func (l *Limiter) Fail(a netip.Addr) (locked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a = a.Unmap()
	r := l.addr[a]
	if r == nil {
		if len(l.addr) >= maxTracked {
			l.prune(now)
		}
		r = &record{}
		l.addr[a] = r
	}
	keep := r.failures[:0]
	for _, t := range r.failures {
		if now.Sub(t) < l.cfg.Window {
			keep = append(keep, t)
		}
	}
	r.failures = append(keep, now)
	if len(r.failures) >= l.cfg.Failures {
		r.lockedUntil = now.Add(l.cfg.Lockout)
		r.failures = nil
		return true
	}
	return false
}

// Succeed forgets the failures of a after a good login.
func (l *Limiter) Succeed(a netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.addr, a.Unmap())
}

// Delay is how long to wait before answering a failed attempt.
func (l *Limiter) Delay() time.Duration { return l.cfg.Delay }

// prune drops entries with nothing left to remember; if all are live, it
// drops everything rather than grow (an attacker with that many addresses
// is not slowed by a per-address table anyway).
func (l *Limiter) prune(now time.Time) {
	for a, r := range l.addr {
		live := now.Before(r.lockedUntil)
		for _, t := range r.failures {
			if now.Sub(t) < l.cfg.Window {
				live = true
			}
		}
		if !live {
			delete(l.addr, a)
		}
	}
	if len(l.addr) >= maxTracked {
		clear(l.addr)
	}
}
