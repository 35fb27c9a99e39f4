package icmp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
)

// sendBatch bounds how many echoes one sendmmsg call carries. All of them
// are stamped with one send time just before the call, so a large batch
// would overstate the RTT of its last echoes; 16 already divides the system
// calls of a burst by 16.
const sendBatch = 16

// sendItem is an echo waiting for the family's sender goroutine.
type sendItem struct {
	buf     []byte     // the whole echo; the sender stamps seq's send time
	addr    netip.Addr // destination, with its zone
	seq     uint16
	regAt   uint64 // the waiter's, to recognise it at expiry
	timeout time.Duration
}

// sendQueue hands echoes from Ping callers to the one sender goroutine of a
// family. Callers only append under a mutex; the sender writes bursts with
// sendmmsg, so thousands of callers do not each pay a system call and
// contend on the socket's write lock.
type sendQueue struct {
	mu   sync.Mutex
	q    []sendItem
	wake chan struct{} // capacity 1: "the queue is not empty"
}

func (f *family) enqueue(it sendItem) {
	f.sendq.mu.Lock()
	f.sendq.q = append(f.sendq.q, it)
	first := len(f.sendq.q) == 1
	f.sendq.mu.Unlock()
	if first {
		select {
		case f.sendq.wake <- struct{}{}:
		default:
		}
	}
}

// send is the family's sender goroutine: it drains the queue and expires
// the echoes whose deadline passed, until the engine closes. Owning the
// deadlines here spares every Ping call a runtime timer, and lets the
// timeout run from the moment the echo actually left.
func (e *Engine) send(f *family) {
	defer e.wg.Done()
	w := newBatchWriter(f)
	r := newMmsgReader(batchLen)
	var dl deadlines
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var spare []sendItem
	for {
		if len(dl) > 0 {
			// Every echo leaves a deadline here, answered or not: wake at
			// most once a millisecond to sweep them, not once per echo.
			timer.Reset(max(time.Duration(dl[0].at-min(dl[0].at, e.now())), time.Millisecond))
		}
		select {
		case <-f.sendq.wake:
		case <-timer.C:
		case <-e.done:
			return
		}
		for {
			f.sendq.mu.Lock()
			items := f.sendq.q
			f.sendq.q = spare[:0]
			f.sendq.mu.Unlock()
			if len(items) == 0 {
				spare = items
				break
			}
			for i := 0; i < len(items); i += sendBatch {
				if !e.sendChunk(f, w, &dl, items[i:min(i+sendBatch, len(items))]) {
					return // socket closed
				}
				e.drain(f, r)
			}
			clear(items) // let the echo buffers go
			spare = items
		}
		e.expire(f, &dl)
	}
}

// expire times out the echoes whose deadline has passed. Deadlines of
// answered echoes are left in the heap (removing them would cost every
// reply a heap operation) and find no waiter when they come up.
func (e *Engine) expire(f *family, dl *deadlines) {
	now := e.now()
	for len(*dl) > 0 && (*dl)[0].at <= now {
		d := dl.pop()
		f.deliver(key{d.addr, d.seq}, d.regAt, echoResult{timeout: true}, &e.timeouts)
	}
}

// deadline is when an echo, identified by its key and registration time,
// times out.
type deadline struct {
	at, regAt uint64
	addr      netip.Addr
	seq       uint16
}

// deadlines is a binary min-heap on at (container/heap would box every
// element into an interface).
type deadlines []deadline

func (h *deadlines) push(d deadline) {
	*h = append(*h, d)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].at <= s[i].at {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *deadlines) pop() deadline {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].at < s[m].at {
			m = l
		}
		if r < len(s) && s[r].at < s[m].at {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// batchWriter holds the reusable messages and addresses of one sender, so
// that sending allocates nothing.
type batchWriter struct {
	msgs []ipv4.Message
	ip   []net.IPAddr  // raw sockets
	udp  []net.UDPAddr // ping sockets
}

func newBatchWriter(f *family) *batchWriter {
	w := &batchWriter{
		msgs: make([]ipv4.Message, sendBatch),
		ip:   make([]net.IPAddr, sendBatch),
		udp:  make([]net.UDPAddr, sendBatch),
	}
	for i := range w.msgs {
		w.msgs[i].Buffers = make([][]byte, 1)
		w.ip[i].IP = make(net.IP, 0, net.IPv6len)
		w.udp[i].IP = make(net.IP, 0, net.IPv6len)
	}
	return w
}

// setAddr points message i at addr without allocating.
func (w *batchWriter) setAddr(i int, raw bool, addr netip.Addr) {
	a := addr.As16()
	b := a[:]
	if addr.Is4() {
		b = b[12:] // As16 gives the IPv4-mapped form
	}
	if raw {
		w.ip[i].IP, w.ip[i].Zone = append(w.ip[i].IP[:0], b...), addr.Zone()
		w.msgs[i].Addr = &w.ip[i]
		return
	}
	w.udp[i].IP, w.udp[i].Zone = append(w.udp[i].IP[:0], b...), addr.Zone()
	w.msgs[i].Addr = &w.udp[i]
}

// sendChunk stamps and sends up to sendBatch echoes. An echo the kernel
// refuses is reported to its caller and the rest still go. It returns false
// once the socket is closed.
func (e *Engine) sendChunk(f *family, w *batchWriter, dl *deadlines, items []sendItem) bool {
	now := e.now()
	for i, it := range items {
		stampEcho(it.buf, f.v6, it.seq, now)
		w.msgs[i].Buffers[0] = it.buf
		w.setAddr(i, f.raw, it.addr)
		dl.push(deadline{at: now + uint64(it.timeout), regAt: it.regAt, addr: it.addr.WithZone(""), seq: it.seq})
	}
	// Counted before the system call: the replies may be matched before it
	// returns.
	e.sent.Add(uint64(len(items)))
	for start := 0; start < len(items); {
		n, err := f.batch.WriteBatch(w.msgs[start:len(items)], 0)
		start += max(n, 0)
		if err == nil && n > 0 {
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return false
		}
		if err == nil {
			err = errors.New("sendmmsg sent nothing")
		}
		// sendmmsg reports an error only for the first message it could
		// not send: fail that one, carry on with the others.
		it := items[start]
		e.sendErrors.Add(1) // counted whether or not its caller still waits
		f.deliver(key{it.addr.WithZone(""), it.seq}, it.regAt, echoResult{err: sendError(it.addr, err)}, nil)
		start++
	}
	return true
}

// sendError says which echo the kernel refused and why, without the
// socket-level wrapping ("write ip4 0.0.0.0->...") that means nothing to an
// administrator.
func sendError(addr netip.Addr, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("send to %s: %w", addr, err)
	}
	if errno == syscall.EACCES {
		return fmt.Errorf("send to %s: %w (broadcast addresses are not pinged)", addr, errno)
	}
	return fmt.Errorf("send to %s: %w", addr, errno)
}
