package trap

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// packet is one datagram waiting for a worker.
type packet struct {
	b    []byte
	from netip.AddrPort
	at   time.Time
	conn *net.UDPConn // to answer on
}

// slabSize is how much datagram memory the reader allocates at once;
// queued datagrams are carved from it, so a burst costs few allocations.
const slabSize = 1 << 20

// read copies datagrams from c into the workers' queues until c is closed.
// It does nothing else, so the socket is drained as fast as it fills.
func (s *Service) read(c *net.UDPConn) {
	defer s.readers.Done()
	buf := make([]byte, 65536)
	var slab []byte
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.limiter.log("read", "trap socket read failed", "addr", c.LocalAddr().String(), "err", err)
			time.Sleep(10 * time.Millisecond) // never spin on a persistent error
			continue
		}
		at := s.deps.Now()
		s.m.datagram()
		if n > s.cfg.MaxDatagram {
			err := ErrOversized
			s.limiter.log(s.m.reject(err), "trap rejected", "sender", from.String(), "bytes", n, "err", err)
			continue
		}
		if len(slab) < n {
			slab = make([]byte, max(slabSize, n))
		}
		b := slab[:n:n]
		slab = slab[n:]
		copy(b, buf[:n])
		q := s.queues[shard(from.Addr(), len(s.queues))]
		select {
		case q <- packet{b: b, from: from, at: at, conn: c}:
		default:
			s.m.drop()
		}
	}
}

// shard picks the worker for a sender, the same one every time.
func shard(a netip.Addr, n int) int {
	if n == 1 {
		return 0
	}
	b := a.Unmap().As16()
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % uint32(n))
}

// needsPrivilege is true for a port below 1024 refused for lack of privilege.
func needsPrivilege(addr string, err error) bool {
	if !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EPERM) {
		return false
	}
	_, port, _ := net.SplitHostPort(addr)
	p, perr := strconv.Atoi(port)
	return perr == nil && p > 0 && p < 1024
}

// rateLog logs at most one line per key and period, counting the rest.
type rateLog struct {
	logger *slog.Logger
	period time.Duration
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*rateState
}

type rateState struct {
	last       time.Time
	suppressed int
}

func newRateLog(l *slog.Logger, period time.Duration, now func() time.Time) *rateLog {
	return &rateLog{logger: l, period: period, now: now, keys: map[string]*rateState{}}
}

// log writes msg at warning level unless key was logged within the period;
// the next line logged for key says how many were suppressed.
func (r *rateLog) log(key, msg string, args ...any) {
	now := r.now()
	r.mu.Lock()
	st, ok := r.keys[key]
	if !ok {
		st = &rateState{}
		r.keys[key] = st
	}
	if ok && now.Sub(st.last) < r.period {
		st.suppressed++
		r.mu.Unlock()
		return
	}
	n := st.suppressed
	st.last, st.suppressed = now, 0
	r.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	r.logger.Warn(msg, args...)
}
