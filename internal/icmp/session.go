package icmp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"
)

// The session below reproduces the Linux (iputils) ping output that the
// seed course shows, for `vantage ping -style ping` and the web UI's ping
// tool:
//
//	PING arwen.uakron.edu (130.101.81.50) 56(84) bytes of data.
//	64 bytes from arwen.uakron.edu (130.101.81.50): icmp_seq=0 ttl=62 time=0.512 ms
//
//	--- arwen.uakron.edu ping statistics ---
//	7 packets transmitted, 7 received, 0% packet loss, time 6001ms
//	rtt min/avg/max/mdev = 0.439/0.596/1.383/0.323 ms

// Session is one ping session to one host.
type Session struct {
	// Host is the destination as the user gave it, Addr its address.
	Host string
	Addr netip.Addr
	// Count is the number of echoes; 0 pings until ctx is cancelled.
	Count int
	// Interval spaces the echoes; default 1s.
	Interval time.Duration
	// Timeout is how long each echo waits; default the Interval, at
	// least 1s.
	Timeout time.Duration
	// Size is the ICMP data bytes; default 56, as ping's.
	Size int
}

// RunSession pings s.Host, calling emit with each output line, and returns
// the statistics. Cancelling ctx ends the session normally (its summary is
// still emitted), as Ctrl-C ends ping; errors are an engine that cannot
// ping the address (closed, no IPv6) or a bad request.
func (e *Engine) RunSession(ctx context.Context, s Session, emit func(string)) (Stats, error) {
	if s.Interval <= 0 {
		s.Interval = time.Second
	}
	if s.Timeout <= 0 {
		s.Timeout = max(time.Second, s.Interval)
	}
	if s.Size == 0 {
		s.Size = 56
	}
	s.Addr = s.Addr.Unmap()
	emit(FormatPingHeader(s.Host, s.Addr, s.Size))
	start := time.Now()
	total := Stats{Addr: s.Addr}
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	for seq := 0; s.Count == 0 || seq < s.Count; seq++ {
		if seq > 0 {
			select {
			case <-ctx.Done():
			case <-tick.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		st, err := e.Ping(ctx, Request{Addr: s.Addr, Count: 1, Timeout: s.Timeout, Size: s.Size})
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			return total, err
		}
		total.Sent += st.Sent
		total.Received += st.Received
		total.RTTs = append(total.RTTs, st.RTTs...)
		switch {
		case st.Received > 0:
			emit(FormatPingReply(s.Host, s.Addr, seq, s.Size+icmpHeaderLen, st.TTL, st.RTTs[0]))
		case st.SendErr != nil:
			emit(fmt.Sprintf("From %s icmp_seq=%d %v", s.Addr, seq, errors.Unwrap(st.SendErr)))
		default:
			emit(fmt.Sprintf("no answer yet for icmp_seq=%d", seq))
		}
	}
	total.summarise()
	for _, l := range FormatPingStats(s.Host, total, time.Since(start)) {
		emit(l)
	}
	return total, nil
}

// FormatPingHeader is ping's first line; size is the ICMP data bytes.
func FormatPingHeader(host string, addr netip.Addr, size int) string {
	if addr.Is6() {
		return fmt.Sprintf("PING %s (%s) %d data bytes", host, addr, size)
	}
	return fmt.Sprintf("PING %s (%s) %d(%d) bytes of data.", host, addr, size, size+icmpHeaderLen+20)
}

// FormatPingReply is ping's line for one reply; bytes is the ICMP message
// size. The host's name is shown only when it is not the address itself.
func FormatPingReply(host string, addr netip.Addr, seq, bytes, ttl int, rtt time.Duration) string {
	from := addr.String()
	if host != "" && host != from {
		from = fmt.Sprintf("%s (%s)", host, addr)
	}
	return fmt.Sprintf("%d bytes from %s: icmp_seq=%d ttl=%d time=%s ms", bytes, from, seq, ttl, pingMs(rtt))
}

// FormatPingStats are ping's closing lines: a blank line, the counts, and
// (when anything answered) min/avg/max/mdev with three decimals.
func FormatPingStats(host string, s Stats, elapsed time.Duration) []string {
	out := []string{
		"",
		fmt.Sprintf("--- %s ping statistics ---", host),
		fmt.Sprintf("%d packets transmitted, %d received, %d%% packet loss, time %dms",
			s.Sent, s.Received, lossInt(s), elapsed.Milliseconds()),
	}
	if len(s.RTTs) > 0 {
		lo, avg, hi, mdev := pingFigures(s.RTTs)
		us := func(v int64) string { return fmt.Sprintf("%d.%03d", v/1000, v%1000) }
		out = append(out, fmt.Sprintf("rtt min/avg/max/mdev = %s/%s/%s/%s ms", us(lo), us(avg), us(hi), us(mdev)))
	}
	return out
}

// Mdev is ping's mean deviation of the round-trip times (their standard
// deviation, sqrt(mean(rtt²) − mean(rtt)²)), 0 without replies.
func (s Stats) Mdev() time.Duration {
	if len(s.RTTs) == 0 {
		return 0
	}
	_, _, _, mdev := pingFigures(s.RTTs)
	return time.Duration(mdev) * time.Microsecond
}

// pingFigures computes min, avg, max and mdev in whole microseconds with
// iputils ping's integer arithmetic, so that the same round-trip times
// print the same figures as ping (the seed's 0.596 average, not 0.597).
func pingFigures(rtts []time.Duration) (lo, avg, hi, mdev int64) {
	var sum, sum2 int64
	lo = math.MaxInt64
	for _, r := range rtts {
		v := r.Microseconds()
		lo, hi = min(lo, v), max(hi, v)
		sum += v
		sum2 += v * v
	}
	n := int64(len(rtts))
	avg = sum / n
	mdev = int64(math.Sqrt(float64(max(sum2/n-avg*avg, 0))))
	return lo, avg, hi, mdev
}

// pingMs is ping's per-reply precision: three significant digits.
func pingMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 1:
		return fmt.Sprintf("%.3f", ms)
	case ms < 10:
		return fmt.Sprintf("%.2f", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f", ms)
	}
	return fmt.Sprintf("%.0f", ms)
}
