package icmp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Request limits and defaults.
const (
	DefaultTimeout = 3 * time.Second
	DefaultSize    = 20
	// MinSize leaves room for the tag (nonce and send time) every echo
	// carries.
	MinSize  = tagLen
	MaxSize  = 2000
	MaxCount = 10000
)

// Request describes the echoes of one Ping call. Zero fields take their
// defaults.
type Request struct {
	Addr netip.Addr
	// Count is the number of echo requests; default 1.
	Count int
	// Interval spaces the echoes to this host. Zero (the default) sends
	// each echo as soon as the previous one is answered or has timed out,
	// so a healthy host is done in Count round trips. A positive Interval
	// follows fping's -p period: echo i leaves Interval after echo i-1
	// whether or not that one was answered, and each waits its own
	// Timeout, so slow replies may overlap later echoes.
	Interval time.Duration
	// Timeout is how long each echo waits for its reply; default 3s.
	Timeout time.Duration
	// Size is the number of ICMP data bytes, tag included: default 20,
	// from MinSize (16) to MaxSize (2000).
	Size int
	// Pattern fills the data after the tag, repeated; zeros when empty.
	Pattern []byte
}

// Stats is the outcome of one Ping call.
type Stats struct {
	Addr           netip.Addr
	Sent, Received int
	// RTTs holds one round-trip time per reply, in arrival order.
	RTTs []time.Duration
	// TTL is the last reply's IPv4 TTL or IPv6 hop limit, 0 when unknown.
	TTL           int
	Min, Avg, Max time.Duration
	// SendErr is the last error the kernel gave when sending (no route to
	// host, ...); such echoes count as sent and lost.
	SendErr error
}

// LossPct is the percentage of echoes sent that got no reply (0 when none
// were sent).
func (s Stats) LossPct() float64 {
	if s.Sent == 0 {
		return 0
	}
	return float64(s.Sent-s.Received) * 100 / float64(s.Sent)
}

func (s *Stats) summarise() {
	if len(s.RTTs) == 0 {
		return
	}
	var sum time.Duration
	for _, r := range s.RTTs {
		sum += r
	}
	s.Min, s.Max = slices.Min(s.RTTs), slices.Max(s.RTTs)
	s.Avg = sum / time.Duration(len(s.RTTs))
}

// normalize checks r and fills in its defaults. It works in place, to keep
// the frames of Ping's goroutine small.
func (r *Request) normalize() error {
	if !r.Addr.IsValid() {
		return errors.New("no address to ping")
	}
	r.Addr = r.Addr.Unmap()
	switch {
	case r.Count < 0 || r.Count > MaxCount:
		return fmt.Errorf("ping %s: count %d out of range 1-%d", r.Addr, r.Count, MaxCount)
	case r.Interval < 0:
		return fmt.Errorf("ping %s: negative interval %s", r.Addr, r.Interval)
	case r.Timeout < 0:
		return fmt.Errorf("ping %s: negative timeout %s", r.Addr, r.Timeout)
	case r.Size != 0 && (r.Size < MinSize || r.Size > MaxSize):
		return fmt.Errorf("ping %s: size %d out of range %d-%d", r.Addr, r.Size, MinSize, MaxSize)
	}
	if r.Count == 0 {
		r.Count = 1
	}
	if r.Timeout == 0 {
		r.Timeout = DefaultTimeout
	}
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	return nil
}
