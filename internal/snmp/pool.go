package snmp

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errClosed is returned after Client.Close.
var errClosed = errors.New("snmp client closed")

// pool bounds the sockets: at most max sessions exist, busy or idle. Idle
// sessions are kept per key (agent + credentials) and reused, most recent
// first; when the pool is full, the longest-idle session of another key is
// closed to make room, and when every session is busy callers wait.
type pool struct {
	max         int
	idleTimeout time.Duration

	mu     sync.Mutex
	open   int                   // sessions in existence, busy or idle
	idle   map[string][]*session // per key, most recently used last
	nIdle  int
	wake   chan struct{} // closed and replaced whenever a slot may have freed
	timer  *time.Timer   // sweeps idle sessions; nil when none are idle
	closed bool
}

func newPool(max int, idleTimeout time.Duration) *pool {
	return &pool{max: max, idleTimeout: idleTimeout, idle: map[string][]*session{}, wake: make(chan struct{})}
}

// acquire returns an idle session for key, or a new one from dial once a
// slot is free. dial runs without the pool's lock.
func (p *pool) acquire(ctx context.Context, key string, dial func() (*session, error)) (*session, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errClosed
		}
		if list := p.idle[key]; len(list) > 0 {
			s := list[len(list)-1]
			p.idle[key] = list[:len(list)-1]
			if len(p.idle[key]) == 0 {
				delete(p.idle, key)
			}
			p.nIdle--
			p.mu.Unlock()
			return s, nil
		}
		var evict *session
		if p.open >= p.max {
			evict = p.takeOldestIdleLocked()
		}
		if p.open < p.max || evict != nil {
			if evict == nil {
				p.open++
			} // else: the evicted session's slot passes to the new one
			p.mu.Unlock()
			if evict != nil {
				evict.close()
			}
			s, err := dial()
			if err != nil {
				p.mu.Lock()
				p.open--
				p.signalLocked()
				p.mu.Unlock()
				return nil, err
			}
			return s, nil
		}
		wake := p.wake
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
	}
}

// release gives s back: kept idle when reuse is true, closed otherwise.
func (p *pool) release(s *session, reuse bool) {
	p.mu.Lock()
	if !reuse || p.closed {
		p.open--
		p.signalLocked()
		p.mu.Unlock()
		s.close()
		return
	}
	s.idleAt = time.Now()
	p.idle[s.key] = append(p.idle[s.key], s)
	p.nIdle++
	if p.timer == nil {
		p.timer = time.AfterFunc(p.idleTimeout, p.sweep)
	}
	p.signalLocked()
	p.mu.Unlock()
}

// sweep closes sessions idle for longer than idleTimeout.
func (p *pool) sweep() {
	var stale []*session
	p.mu.Lock()
	p.timer = nil
	cutoff := time.Now().Add(-p.idleTimeout)
	for key, list := range p.idle {
		keep := list[:0]
		for _, s := range list {
			if s.idleAt.Before(cutoff) {
				stale = append(stale, s)
			} else {
				keep = append(keep, s)
			}
		}
		if len(keep) == 0 {
			delete(p.idle, key)
		} else {
			p.idle[key] = keep
		}
	}
	p.nIdle -= len(stale)
	p.open -= len(stale)
	if p.nIdle > 0 && !p.closed {
		p.timer = time.AfterFunc(p.idleTimeout/2, p.sweep)
	}
	if len(stale) > 0 {
		p.signalLocked()
	}
	p.mu.Unlock()
	for _, s := range stale {
		s.close()
	}
}

// takeOldestIdleLocked removes and returns the longest-idle session.
func (p *pool) takeOldestIdleLocked() *session {
	var oldKey string
	var oldest *session
	for key, list := range p.idle {
		if s := list[0]; oldest == nil || s.idleAt.Before(oldest.idleAt) {
			oldest, oldKey = s, key
		}
	}
	if oldest == nil {
		return nil
	}
	p.idle[oldKey] = p.idle[oldKey][1:]
	if len(p.idle[oldKey]) == 0 {
		delete(p.idle, oldKey)
	}
	p.nIdle--
	return oldest
}

func (p *pool) signalLocked() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// counts returns the sessions open and idle.
func (p *pool) counts() (open, idle int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open, p.nIdle
}

// close closes the idle sessions now and busy ones when released.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	var all []*session
	for _, list := range p.idle {
		all = append(all, list...)
	}
	clear(p.idle)
	p.open -= len(all)
	p.nIdle = 0
	p.signalLocked()
	p.mu.Unlock()
	for _, s := range all {
		s.close()
	}
}
