package icmp

import (
	"fmt"
	"time"
)

// The formatters below reproduce fping 5's output, which administrators
// already read and scripts already parse, for the `vantage ping` command.

// FormatFping is fping's -c summary line for one host:
//
//	127.0.0.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.030/0.050/0.070
//	192.0.2.1 : xmt/rcv/%loss = 3/0/100%
func FormatFping(s Stats, host string) string {
	line := fmt.Sprintf("%s : xmt/rcv/%%loss = %d/%d/%d%%", host, s.Sent, s.Received, lossInt(s))
	if s.Received == 0 {
		return line
	}
	return line + fmt.Sprintf(", min/avg/max = %s/%s/%s", FormatMs(s.Min), FormatMs(s.Avg), FormatMs(s.Max))
}

// FormatReply is the first part of fping's per-reply line:
//
//	127.0.0.1 : [0], 64 bytes, 0.050 ms
//
// size is the byte count to show; fping 5 shows the ICMP message size
// (data bytes + 8), older versions added the 20-byte IPv4 header.
func FormatReply(host string, seq int, rtt time.Duration, size int) string {
	return fmt.Sprintf("%s : [%d], %d bytes, %s ms", host, seq, size, FormatMs(rtt))
}

// FormatReplyStats is fping's full per-reply line, with the running average
// and loss over the echoes sent so far:
//
//	127.0.0.1 : [1], 64 bytes, 0.043 ms (0.079 avg, 0% loss)
func FormatReplyStats(host string, seq int, rtt time.Duration, size int, sofar Stats) string {
	return FormatReply(host, seq, rtt, size) + runningStats(sofar)
}

// FormatTimeout is fping's line for an echo that got no reply:
//
//	192.0.2.1 : [0], timed out (NaN avg, 100% loss)
func FormatTimeout(host string, seq int, sofar Stats) string {
	return fmt.Sprintf("%s : [%d], timed out", host, seq) + runningStats(sofar)
}

func runningStats(s Stats) string {
	avg := "NaN" // what fping prints before the first reply
	if len(s.RTTs) > 0 {
		var sum time.Duration
		for _, r := range s.RTTs {
			sum += r
		}
		avg = FormatMs(sum / time.Duration(len(s.RTTs)))
	}
	return fmt.Sprintf(" (%s avg, %d%% loss)", avg, lossInt(s))
}

// lossInt is fping's integer loss percentage (rounded down).
func lossInt(s Stats) int {
	if s.Sent == 0 {
		return 0
	}
	return (s.Sent - s.Received) * 100 / s.Sent
}

// FormatMs prints a duration in milliseconds with fping's precision: three
// significant-ish digits, fewer decimals as the value grows.
func FormatMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 0:
		return fmt.Sprintf("%.2g", ms)
	case ms < 1:
		return fmt.Sprintf("%.3f", ms)
	case ms < 10:
		return fmt.Sprintf("%.2f", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f", ms)
	case ms < 1e6:
		return fmt.Sprintf("%.0f", ms)
	}
	return fmt.Sprintf("%.3e", ms)
}
