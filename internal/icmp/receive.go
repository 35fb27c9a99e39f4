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
	"golang.org/x/net/ipv6"
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
	batch   batchConn
	seq     atomic.Uint32
	shards  [numShards]shard
	sendq   sendQueue
}

// batchConn is the recvmmsg/sendmmsg side of ipv4.PacketConn and
// ipv6.PacketConn (their Message types are one type).
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
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
// from an earlier echo with the same key expires nothing.
func (f *family) deliver(k key, sent uint64, r echoResult) bool {
	s := f.shard(k.seq)
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.m[k]
	if !ok || (r.timeout && sent != w.regAt) || (r.err == nil && sent < w.regAt) {
		return false
	}
	delete(s.m, k)
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

// receive reads replies until the socket is closed, many per system call.
func (e *Engine) receive(f *family) {
	defer e.wg.Done()
	oobLen := len(ipv4.NewControlMessage(ipv4.FlagTTL))
	if f.v6 {
		oobLen = len(ipv6.NewControlMessage(ipv6.FlagHopLimit))
	}
	msgs := make([]ipv4.Message, batchLen)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, maxPacket)}
		msgs[i].OOB = make([]byte, oobLen)
	}
	for {
		n, err := f.batch.ReadBatch(msgs, 0)
		if err != nil {
			select {
			case <-e.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			e.logMalformed(nil, "ICMP socket read failed", err)
			time.Sleep(10 * time.Millisecond) // do not spin on a persistent error
			continue
		}
		now := e.now()
		for i := range msgs[:n] {
			e.handle(f, &msgs[i], now)
		}
	}
}

// handle matches one received packet to its waiter.
func (e *Engine) handle(f *family, m *ipv4.Message, now uint64) {
	src := addrFrom(m.Addr)
	if m.Flags&syscall.MSG_TRUNC != 0 {
		e.invalid.Add(1)
		e.logMalformed(m.Addr, "truncated ICMP packet", nil)
		return
	}
	r, err := parseReply(m.Buffers[0][:m.N], f.v6, f.raw && !f.v6)
	switch {
	case errors.Is(err, errNotEchoReply):
		return // requests and errors seen by a raw socket without filter
	case err != nil:
		e.invalid.Add(1)
		e.logMalformed(m.Addr, "malformed ICMP echo reply", err)
		return
	}
	// Ping sockets rewrite the ident, and the kernel routes replies by it,
	// so only raw mode checks it.
	if (f.raw && r.ident != e.ident) || r.nonce != e.nonce {
		e.stray.Add(1)
		return
	}
	ttl := r.ttl
	if m.NN > 0 {
		if f.v6 {
			var cm ipv6.ControlMessage
			if cm.Parse(m.OOB[:m.NN]) == nil {
				ttl = cm.HopLimit
			}
		} else {
			var cm ipv4.ControlMessage
			if cm.Parse(m.OOB[:m.NN]) == nil {
				ttl = cm.TTL
			}
		}
	}
	if now < r.sent || !f.deliver(key{src.WithZone(""), r.seq}, r.sent, echoResult{rtt: time.Duration(now - r.sent), ttl: uint8(ttl)}) {
		e.stray.Add(1)
		return
	}
	e.received.Add(1)
}

func (e *Engine) logMalformed(src net.Addr, msg string, err error) {
	ok, suppressed := e.logLimit.allow(time.Now())
	if !ok {
		return
	}
	attrs := []any{"error", err}
	if src != nil {
		attrs = append(attrs, "from", src.String())
	}
	if suppressed > 0 {
		attrs = append(attrs, "suppressed", suppressed)
	}
	e.log.Warn(msg, attrs...)
}
