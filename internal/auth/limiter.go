package auth

import (
	"fmt"
	"sync"
	"time"
)

// ThrottledError refuses a login attempt that came too soon after failed
// ones, or while a user name or address is locked out. The password is not
// even checked, so guessing gets no faster by sending more.
type ThrottledError struct {
	// Key is "user NAME" or "address ADDR".
	Key        string
	RetryAfter time.Duration
	Locked     bool
}

func (e *ThrottledError) Error() string {
	if e.Locked {
		return fmt.Sprintf("too many failed logins: %s is locked out for %s", e.Key, e.RetryAfter.Round(time.Second))
	}
	return fmt.Sprintf("too many failed logins for %s: try again in %s", e.Key, e.RetryAfter.Round(time.Second))
}

// limiter tracks failed logins per user name and per source address.
type limiter struct {
	cfg LockoutConfig

	mu    sync.Mutex
	state map[string]*attempts
}

type attempts struct {
	failures int
	last     time.Time
	// notBefore is when the next attempt is allowed; lockedUntil ends a
	// lockout.
	notBefore, lockedUntil time.Time
}

// maxTracked bounds the memory an attacker can make the limiter use with
// made-up names; stale entries are dropped first.
const maxTracked = 20000

func newLimiter(cfg LockoutConfig) *limiter {
	return &limiter{cfg: cfg, state: map[string]*attempts{}}
}

// threshold is how many failures lock a key out. Addresses get twice as
// many as user names: several people may share one (NAT, proxies).
func (l *limiter) threshold(key string) int {
	if len(key) > 8 && key[:8] == "address " {
		return 2 * l.cfg.Attempts
	}
	return l.cfg.Attempts
}

// check refuses an attempt for any key that is throttled or locked.
func (l *limiter) check(now time.Time, keys ...string) *ThrottledError {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		a := l.current(k, now)
		switch {
		case a == nil:
		case now.Before(a.lockedUntil):
			return &ThrottledError{Key: k, RetryAfter: a.lockedUntil.Sub(now), Locked: true}
		case now.Before(a.notBefore):
			return &ThrottledError{Key: k, RetryAfter: a.notBefore.Sub(now)}
		}
	}
	return nil
}

// current returns a key's state, forgetting it once a lockout has ended
// or failures are older than the lockout duration; l.mu is held.
func (l *limiter) current(k string, now time.Time) *attempts {
	a := l.state[k]
	if a == nil {
		return nil
	}
	expired := !a.lockedUntil.IsZero() && !now.Before(a.lockedUntil)
	stale := a.lockedUntil.IsZero() && now.Sub(a.last) > l.cfg.Duration
	if expired || stale {
		delete(l.state, k)
		return nil
	}
	return a
}

// fail records a failure for each key and returns the keys it locked out.
func (l *limiter) fail(now time.Time, keys ...string) (locked []string, failures int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.state) >= maxTracked {
		for k := range l.state {
			l.current(k, now)
		}
		if len(l.state) >= maxTracked {
			clear(l.state)
		}
	}
	for _, k := range keys {
		a := l.current(k, now)
		if a == nil {
			a = &attempts{}
			l.state[k] = a
		}
		a.failures++
		a.last = now
		failures = max(failures, a.failures)
		if a.failures >= l.threshold(k) {
			a.lockedUntil = now.Add(l.cfg.Duration)
			locked = append(locked, k)
			continue
		}
		if a.failures == 1 {
			// A typo deserves an immediate second try; guessing is slowed
			// from the second failure on.
			continue
		}
		d := l.cfg.Delay
		for i := 2; i < a.failures && d < l.cfg.MaxDelay; i++ {
			d *= 2
		}
		a.notBefore = now.Add(min(d, l.cfg.MaxDelay))
	}
	return locked, failures
}

// succeed forgets a user name's failures after a good login. The
// address's failures stay: one valid account must not reset the count of
// an address guessing others.
func (l *limiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.state, key)
}
