package icmp

import (
	"net/netip"
	"testing"
	"time"
)

func us(n float64) time.Duration { return time.Duration(n * float64(time.Microsecond)) }

func TestFormatFping(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		name string
		s    Stats
		host string
		want string
	}{
		{"all answered", Stats{Addr: lo, Sent: 3, Received: 3, Min: us(30), Avg: us(50), Max: us(70)}, "127.0.0.1",
			"127.0.0.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.030/0.050/0.070"},
		{"none answered", Stats{Sent: 3}, "192.0.2.1", "192.0.2.1 : xmt/rcv/%loss = 3/0/100%"},
		{"loss rounds down", Stats{Sent: 3, Received: 2, Min: us(1500), Avg: us(12340), Max: us(123456)}, "gw",
			"gw : xmt/rcv/%loss = 3/2/33%, min/avg/max = 1.50/12.3/123"},
		{"nothing sent", Stats{}, "h", "h : xmt/rcv/%loss = 0/0/0%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatFping(tc.s, tc.host); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestFormatReply(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{FormatReply("127.0.0.1", 0, us(50), 64), "127.0.0.1 : [0], 64 bytes, 0.050 ms"},
		{FormatReplyStats("127.0.0.1", 1, us(43), 64, Stats{Sent: 2, Received: 2, RTTs: []time.Duration{us(115), us(43)}}),
			"127.0.0.1 : [1], 64 bytes, 0.043 ms (0.079 avg, 0% loss)"},
		{FormatReplyStats("::1", 2, us(2500), 84, Stats{Sent: 3, Received: 2, RTTs: []time.Duration{us(2500), us(2500)}}),
			"::1 : [2], 84 bytes, 2.50 ms (2.50 avg, 33% loss)"},
		{FormatTimeout("192.0.2.1", 0, Stats{Sent: 1}), "192.0.2.1 : [0], timed out (NaN avg, 100% loss)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
}

func TestFormatMs(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0.000",
		us(1):                    "0.001",
		us(999):                  "0.999",
		time.Millisecond:         "1.00",
		us(9994):                 "9.99",
		10 * time.Millisecond:    "10.0",
		us(99940):                "99.9",
		100 * time.Millisecond:   "100",
		3 * time.Second:          "3000",
		2000 * time.Second:       "2.000e+06",
		-1500 * time.Microsecond: "-1.5",
	} {
		if got := FormatMs(d); got != want {
			t.Errorf("FormatMs(%s) = %q, want %q", d, got, want)
		}
	}
}
