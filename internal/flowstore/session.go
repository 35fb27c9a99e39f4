package flowstore

import (
	"net/netip"
	"time"
)

// Session is the traffic between a client and a server on one protocol and
// port pair as one exporter saw it, over [Start, End]. Stores keep times to
// the millisecond.
type Session struct {
	Start, End time.Time

	Client, Server         netip.Addr
	ClientPort, ServerPort uint16
	Proto                  uint8

	// BytesCS and PacketsCS flowed client → server; BytesSC and PacketsSC
	// server → client. All are scaled by the sampling rate.
	BytesCS, PacketsCS uint64
	BytesSC, PacketsSC uint64

	// Exporter reported the session; InIf and OutIf are its ifIndex values
	// in the client → server direction.
	Exporter    netip.Addr
	InIf, OutIf uint32
	// Flows counts the records merged; Sampling is the largest 1-in-N rate
	// among them (1 when unsampled).
	Flows    uint32
	Sampling uint32

	// Duplicate is set when another exporter reported the same session
	// first: totals skip it, per-exporter views keep it.
	Duplicate bool
	// Continued is set on every piece of a long session but the first (the
	// builder stores long sessions piecewise so charts show them while they
	// last): a range counts the session once, on its earliest piece there.
	Continued bool
}

// Bytes is the volume both ways.
func (s *Session) Bytes() uint64 { return s.BytesCS + s.BytesSC }

// Packets is the packet count both ways.
func (s *Session) Packets() uint64 { return s.PacketsCS + s.PacketsSC }

// Share is the fraction of the session's volume that falls in [from, to):
// volume is assumed spread evenly over [Start, End], and a session with no
// duration counts whole where its Start falls. This is the arithmetic of
// every query and chart bucket.
func (s *Session) Share(from, to time.Time) float64 {
	return share(s.Start.UnixMilli(), s.End.UnixMilli()-s.Start.UnixMilli(), from.UnixMilli(), to.UnixMilli())
}

// share is Share on milliseconds: start and duration of the session, and
// the range [from, to).
func share(start, dur, from, to int64) float64 {
	if start >= to {
		return 0
	}
	if dur <= 0 {
		if start >= from {
			return 1
		}
		return 0
	}
	end := start + dur
	if start >= from && end <= to {
		return 1
	}
	ov := min(end, to) - max(start, from)
	if ov <= 0 {
		return 0
	}
	return float64(ov) / float64(dur)
}

// countsIn says whether the session counts as one session in [from, to):
// it overlaps the range and is the first piece of its session there.
func countsIn(start, dur int64, continued bool, from, to int64) bool {
	if share(start, dur, from, to) == 0 {
		return false
	}
	return !continued || start <= from
}
