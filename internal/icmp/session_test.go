package icmp

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFormatPingSeed checks the closing lines against the seed's own ping
// run: its seven round-trip times give its min/avg/max/mdev.
func TestFormatPingSeed(t *testing.T) {
	var s Stats
	for _, us := range []int{512, 449, 1383, 439, 448, 496, 449} {
		s.RTTs = append(s.RTTs, time.Duration(us)*time.Microsecond)
	}
	s.Sent, s.Received = 7, 7
	s.summarise()
	got := FormatPingStats("arwen.uakron.edu", s, 6001*time.Millisecond)
	want := []string{
		"",
		"--- arwen.uakron.edu ping statistics ---",
		"7 packets transmitted, 7 received, 0% packet loss, time 6001ms",
		"rtt min/avg/max/mdev = 0.439/0.596/1.383/0.323 ms",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFormatPingLines(t *testing.T) {
	a := netip.MustParseAddr("130.101.81.50")
	for _, tc := range []struct{ name, got, want string }{
		{"header", FormatPingHeader("arwen.uakron.edu", a, 56), "PING arwen.uakron.edu (130.101.81.50) 56(84) bytes of data."},
		{"header v6", FormatPingHeader("::1", netip.IPv6Loopback(), 56), "PING ::1 (::1) 56 data bytes"},
		{"reply named", FormatPingReply("arwen.uakron.edu", a, 0, 64, 62, 512*time.Microsecond),
			"64 bytes from arwen.uakron.edu (130.101.81.50): icmp_seq=0 ttl=62 time=0.512 ms"},
		{"reply literal", FormatPingReply("130.101.81.50", a, 2, 64, 62, 1383*time.Microsecond),
			"64 bytes from 130.101.81.50: icmp_seq=2 ttl=62 time=1.38 ms"},
		{"loss", FormatPingStats("h", Stats{Sent: 3}, time.Second)[2], "3 packets transmitted, 0 received, 100% packet loss, time 1000ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got  %q\nwant %q", tc.got, tc.want)
			}
		})
	}
	if n := len(FormatPingStats("h", Stats{Sent: 3}, time.Second)); n != 3 {
		t.Errorf("no replies: %d lines, want no rtt line", n)
	}
}

func TestRunSessionLoopback(t *testing.T) {
	e := openForTest(t, ModeAuto)
	var lines []string
	st, err := e.RunSession(context.Background(), Session{Host: "localhost", Addr: netip.MustParseAddr("127.0.0.1"), Count: 3, Interval: 10 * time.Millisecond},
		func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(lines, "\n")
	if st.Received != 3 || !regexp.MustCompile(`(?m)^64 bytes from localhost \(127\.0\.0\.1\): icmp_seq=2 ttl=\d+ time=[\d.]+ ms$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^3 packets transmitted, 3 received, 0% packet loss, time \d+ms\nrtt min/avg/max/mdev = [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms$`).MatchString(out) {
		t.Errorf("stats %+v, output:\n%s", st, out)
	}
	// A cancelled session still ends with its statistics.
	ctx, cancel := context.WithCancel(context.Background())
	lines = nil
	st, err = e.RunSession(ctx, Session{Host: "127.0.0.1", Addr: netip.MustParseAddr("127.0.0.1"), Interval: 10 * time.Millisecond},
		func(l string) {
			lines = append(lines, l)
			if strings.Contains(l, "icmp_seq=1 ") {
				cancel()
			}
		})
	if err != nil || st.Sent != 2 || !strings.HasPrefix(lines[len(lines)-1], "rtt min/avg/max/mdev") {
		t.Errorf("cancelled: %v %+v %q", err, st, lines)
	}
}
