package icmp

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
)

const (
	// numShards spreads waiters over several maps so that thousands of
	// callers registering and the receive loop delivering rarely meet on
	// one lock. Sequence numbers are handed out in order, so seq%numShards
	// spreads evenly.
	numShards = 64
	// batchLen is how many packets one recvmmsg call may return: large
	// enough to drain a burst of replies in few system calls.
	batchLen = 64
	// maxPacket holds the largest echo we send (2000 data bytes) plus
	// headers; anything longer is truncated and counted invalid.
	maxPacket = 2048 + 128
)

// family is the socket of one address family and its table of waiters.
type family struct {
	v6, raw bool
	conn    net.PacketConn
	batch   batchConn       // sendmmsg, through x/net
	rc      syscall.RawConn // for our own recvmmsg
	drops   atomic.Uint32   // the kernel's drop count, as last reported
	seq     atomic.Uint32
	shards  [numShards]shard
	sendq   sendQueue
}

// batchConn is the sendmmsg side of ipv4.PacketConn and ipv6.PacketConn
// (their Message types are one type).
type batchConn interface {
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

type shard struct {
	mu     sync.Mutex
	m      map[key]waiter
	closed bool     // set by Close: no more waiters
	_      [32]byte // keep neighbouring locks off one cache line
}

// key identifies an outstanding echo: the kernel routes the reply from the
// address we pinged, with our sequence number.
type key struct {
	addr netip.Addr
	seq  uint16
}

// waiter is one outstanding echo of one Ping call.
type waiter struct {
	ch  chan<- echoResult // buffered to the call's echo count: never blocks
	idx int32
	// regAt is the engine clock when the echo was registered. The send
	// time in a genuine reply is later; an older one is a late reply to an
	// earlier echo that used the same sequence number.
	regAt uint64
}

// echoResult is a reply, a timeout, or an error: the kernel's refusal to
// send the echo, or ErrClosed.
type echoResult struct {
	rtt     time.Duration
	err     error
	idx     int32
	ttl     uint8
	timeout bool
}

func (f *family) shard(seq uint16) *shard { return &f.shards[seq%numShards] }

// register records an echo and returns its sequence number, skipping any
// number still outstanding for the same address (possible only with 65,536
// echoes in flight to one host). It fails once the engine is closed.
func (f *family) register(addr netip.Addr, w waiter) (uint16, bool) {
	for {
		seq := uint16(f.seq.Add(1))
		s := f.shard(seq)
		k := key{addr, seq}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return 0, false
		}
		if _, busy := s.m[k]; !busy {
			s.m[k] = w
			s.mu.Unlock()
			return seq, true
		}
		s.mu.Unlock()
	}
}

// unregister forgets an echo; it reports false when the receive loop got
// there first, in which case the result is already in the caller's channel.
func (f *family) unregister(k key) bool {
	s := f.shard(k.seq)
	s.mu.Lock()
	_, ok := s.m[k]
	delete(s.m, k)
	s.mu.Unlock()
	return ok
}

// deliver hands a result to the waiter of k and forgets it. For a reply,
// sent is the send time it carries, which must not predate the waiter; for
// a timeout, sent is the waiter's own regAt, so that a deadline left over
// from an earlier echo with the same key expires nothing. count is bumped
// before the waiter wakes, so a caller reading the counters after Ping
// returns sees its own echoes counted.
func (f *family) deliver(k key, sent uint64, r echoResult, count *atomic.Uint64) bool {
	s := f.shard(k.seq)
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.m[k]
	if !ok || (r.timeout && sent != w.regAt) || (r.err == nil && sent < w.regAt) {
		return false
	}
	delete(s.m, k)
	if count != nil {
		count.Add(1)
	}
	r.idx = w.idx
	w.ch <- r // buffered for every echo of the call: never blocks
	return true
}

// closeAll fails every waiter with ErrClosed and refuses new ones.
func (f *family) closeAll() {
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		s.closed = true
		for k, w := range s.m {
			w.ch <- echoResult{idx: w.idx, err: ErrClosed}
			delete(s.m, k)
		}
		s.mu.Unlock()
	}
}

// packet is one datagram as read from a socket.
type packet struct {
	data      []byte
	src       netip.Addr
	ttl       int    // from a control message, 0 when none came
	drops     uint32 // the socket's drop count so far (SO_RXQ_OVFL)
	hasDrops  bool
	truncated bool
}

// receive reads replies until the socket is closed. It waits in the
// runtime's poller and then drains the socket without blocking, many
// packets per system call.
func (e *Engine) receive(f *family) {
	defer e.wg.Done()
	r := newMmsgReader(batchLen)
	var n int
	var rerr error
	read := func(fd uintptr) bool {
		n, rerr = r.recv(fd)
		return rerr != syscall.EAGAIN // EAGAIN: wait for the poller
	}
	for {
		if err := f.rc.Read(read); err != nil {
			return // closed
		}
		if rerr != nil {
			select {
			case <-e.done:
				return
			default:
			}
			e.logMalformed(netip.Addr{}, "ICMP socket read failed", rerr)
			time.Sleep(10 * time.Millisecond) // do not spin on a persistent error
			continue
		}
		e.handleBatch(f, r, n)
	}
}

// drain reads whatever replies are already queued, without waiting. The
// sender calls it after each burst: on a fast network the replies to a
// burst arrive while it is being sent, and reading them at once keeps the
// socket buffer from overflowing when thousands of goroutines keep the
// receive goroutine from being scheduled.
func (e *Engine) drain(f *family, r *mmsgReader) {
	for {
		var n int
		var rerr error
		if err := f.rc.Control(func(fd uintptr) { n, rerr = r.recv(fd) }); err != nil || rerr != nil {
			return
		}
		e.handleBatch(f, r, n)
		if n < len(r.hdrs) {
			return
		}
	}
}

func (e *Engine) handleBatch(f *family, r *mmsgReader, n int) {
	now := e.now()
	for i := range n {
		e.handle(f, r.packet(i), now)
	}
}

// handle matches one received packet to its waiter.
func (e *Engine) handle(f *family, p packet, now uint64) {
	if p.hasDrops {
		e.noteDrops(f, p.drops)
	}
	if p.truncated {
		e.invalid.Add(1)
		e.logMalformed(p.src, "truncated ICMP packet", nil)
		return
	}
	r, err := parseReply(p.data, f.v6, f.raw && !f.v6)
	switch {
	case errors.Is(err, errNotEchoReply):
		return // requests and errors seen by a raw socket without filter
	case err != nil:
		e.invalid.Add(1)
		e.logMalformed(p.src, "malformed ICMP echo reply", err)
		return
	}
	// Ping sockets rewrite the ident, and the kernel routes replies by it,
	// so only raw mode checks it.
	if (f.raw && r.ident != e.ident) || r.nonce != e.nonce {
		e.stray.Add(1)
		return
	}
	ttl := r.ttl
	if p.ttl > 0 {
		ttl = p.ttl
	}
	if now < r.sent || !f.deliver(key{p.src.WithZone(""), r.seq}, r.sent, echoResult{rtt: time.Duration(now - r.sent), ttl: uint8(ttl)}, &e.received) {
		e.stray.Add(1)
	}
}

// noteDrops records the kernel's count of replies dropped on a full
// socket buffer, and tells the administrator what to do about it.
func (e *Engine) noteDrops(f *family, drops uint32) {
	for {
		old := f.drops.Load()
		if drops <= old {
			return
		}
		if f.drops.CompareAndSwap(old, drops) {
			break
		}
	}
	if ok, _ := e.logLimit.allow(time.Now()); ok {
		e.log.Warn("ICMP replies dropped: the socket receive buffer was full; raise the icmp read_buffer setting",
			"ipv6", f.v6, "dropped_total", drops)
	}
}

func (e *Engine) logMalformed(src netip.Addr, msg string, err error) {
	ok, suppressed := e.logLimit.allow(time.Now())
	if !ok {
		return
	}
	attrs := []any{"error", err}
	if src.IsValid() {
		attrs = append(attrs, "from", src.String())
	}
	if suppressed > 0 {
		attrs = append(attrs, "suppressed", suppressed)
	}
	e.log.Warn(msg, attrs...)
}
