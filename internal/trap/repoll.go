package trap

import "sync"

// Repoller polls a device at once when it receives a trap, coalescing
// bursts: while a device's poll is in flight, any number of further
// triggers cause exactly one more poll after it completes, never more
// (InterMapper: "If another trap arrives before the final response of this
// new poll has returned, InterMapper will complete the current poll and
// initiate another round of polling"). Keys are independent: one device's
// poll never waits for another's.
type Repoller struct {
	poll func(key string) (done <-chan struct{})

	mu     sync.Mutex
	state  map[string]bool // key → another poll is wanted after the one in flight
	closed bool
	stop   chan struct{}
	wg     sync.WaitGroup
}

// NewRepoller calls poll to start a poll of key; poll returns a channel
// closed when that poll has completed (nil: it already has). poll should
// start the work and return quickly; it is never called twice at once for
// one key. It should bound its own duration (a timeout): a poll that never
// completes holds its key's later triggers until Close.
func NewRepoller(poll func(key string) (done <-chan struct{})) *Repoller {
	return &Repoller{poll: poll, state: map[string]bool{}, stop: make(chan struct{})}
}

// Trigger asks for a poll of key: started at once when none is in flight,
// otherwise one more after the current poll. It never blocks on a poll.
func (r *Repoller) Trigger(key string) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if _, busy := r.state[key]; busy {
		r.state[key] = true
		r.mu.Unlock()
		return
	}
	r.state[key] = false
	r.wg.Add(1)
	r.mu.Unlock()
	done := r.poll(key)
	go r.follow(key, done)
}

// follow waits for each poll of key and starts the one more wanted.
func (r *Repoller) follow(key string, done <-chan struct{}) {
	defer r.wg.Done()
	for {
		if done != nil {
			select {
			case <-done:
			case <-r.stop:
				return
			}
		}
		r.mu.Lock()
		again := r.state[key]
		if !again || r.closed {
			delete(r.state, key)
			r.mu.Unlock()
			return
		}
		r.state[key] = false
		r.mu.Unlock()
		done = r.poll(key)
	}
}

// InFlight is how many keys have a poll in flight.
func (r *Repoller) InFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.state)
}

// Close stops starting polls and waits for the goroutines following polls
// in flight (it does not wait for those polls). Later triggers do nothing.
func (r *Repoller) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	close(r.stop)
	r.mu.Unlock()
	r.wg.Wait()
}
