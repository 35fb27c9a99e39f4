package probe

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"", 10 * time.Second, false},
		{"3", 3 * time.Second, false},
		{" 1.5 ", 1500 * time.Millisecond, false},
		{"500ms", 500 * time.Millisecond, false},
		{"2m", 2 * time.Minute, false},
		{"0", 0, true},
		{"-1", 0, true},
		{"NaN", 0, true},
		{"Inf", 0, true},
		{"2h", 0, true},
		{"1e300", 0, true},
		{"soon", 0, true},
	}
	for _, tc := range tests {
		got, err := parseTimeout(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseMillis(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"300", 300 * time.Millisecond, false},
		{"2.5", 2500 * time.Microsecond, false},
		{"1s", time.Second, false},
		{"-5", 0, true},
		{"fast", 0, true},
	}
	for _, tc := range tests {
		got, err := parseMillis(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseMillis(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestRTTThresholds(t *testing.T) {
	ms := time.Millisecond
	th := rttThresholds{warning: 300 * ms, alarm: 500 * ms, critical: 1000 * ms}
	tests := []struct {
		th     rttThresholds
		rtt    time.Duration
		level  status.Level
		reason string
	}{
		{th, 412 * ms, status.Warning, "RTT 412 ms > 300 ms warning threshold"},
		{th, 300 * ms, status.OK, ""},
		{th, 300*ms + 400*time.Microsecond, status.Warning, "RTT 300.4 ms > 300 ms warning threshold"},
		{th, 501 * ms, status.Alarm, "RTT 501 ms > 500 ms alarm threshold"},
		{th, 2 * time.Second, status.Critical, "RTT 2000 ms > 1000 ms critical threshold"},
		{rttThresholds{}, time.Hour, status.OK, ""},
		{rttThresholds{alarm: 1500 * time.Microsecond}, 2 * ms, status.Alarm, "RTT 2 ms > 1.5 ms alarm threshold"},
	}
	for _, tc := range tests {
		l, why := tc.th.check(tc.rtt)
		if l != tc.level || why != tc.reason {
			t.Errorf("check(%v) = %v %q; want %v %q", tc.rtt, l, why, tc.level, tc.reason)
		}
	}
}

func TestRaise(t *testing.T) {
	r := newResult()
	raise(&r, status.OK, "ignored")
	raise(&r, status.Warning, "certificate expires in 9 days (warning at 14)")
	raise(&r, status.Alarm, "HTTP 500 Internal Server Error (expected 200-399)")
	raise(&r, status.Warning, "RTT 412 ms > 300 ms warning threshold")
	want := "HTTP 500 Internal Server Error (expected 200-399); certificate expires in 9 days (warning at 14); RTT 412 ms > 300 ms warning threshold"
	if r.Level != status.Alarm || r.Reason != want {
		t.Errorf("got %v %q; want alarm %q", r.Level, r.Reason, want)
	}
}

func TestCodeRanges(t *testing.T) {
	tests := []struct {
		in, canon string
		in200     bool
		in404     bool
		err       bool
	}{
		{"200-399", "200-399", true, false, false},
		{"200, 404", "200,404", true, true, false},
		{"2xx 4XX", "200-299,400-499", true, true, false},
		{"301-302", "301-302", false, false, false},
		{"399-200", "", false, false, true},
		{"", "", false, false, true},
		{"600", "", false, false, true},
		{"abc", "", false, false, true},
		{"6xx", "", false, false, true},
	}
	for _, tc := range tests {
		c, err := parseCodeRanges(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("parseCodeRanges(%q) error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && (c.String() != tc.canon || c.contains(200) != tc.in200 || c.contains(404) != tc.in404) {
			t.Errorf("parseCodeRanges(%q) = %s (200: %v, 404: %v)", tc.in, c, c.contains(200), c.contains(404))
		}
	}
}

func TestPollWindow(t *testing.T) {
	bg := context.Background()
	if d := pollWindow(bg, Target{}, 10*time.Second); d != 10*time.Second {
		t.Errorf("no bounds: %v", d)
	}
	if d := pollWindow(bg, Target{Timeout: 3 * time.Second}, 10*time.Second); d != 3*time.Second {
		t.Errorf("target timeout: %v", d)
	}
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	if d := pollWindow(ctx, Target{}, 10*time.Second); d != 10*time.Second {
		t.Errorf("caller deadline equal to the timeout should not shave it: %v", d)
	}
	ctx2, cancel2 := context.WithTimeout(bg, time.Second)
	defer cancel2()
	if d := pollWindow(ctx2, Target{}, 10*time.Second); d > time.Second || d < 900*time.Millisecond {
		t.Errorf("caller deadline: %v", d)
	}
}

func TestGuard(t *testing.T) {
	r := func() (r status.Result) {
		defer guard(&r)
		var m map[string]int
		m["boom"]++
		return newResult()
	}()
	if r.Level != status.Unknown || !strings.HasPrefix(r.Reason, "internal error in probe: ") {
		t.Errorf("got %v %q", r.Level, r.Reason)
	}
}

// FuzzParseParams feeds arbitrary parameter values to every parser: none
// may panic, and what parses must be in range.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "10", "10s", "1.5", "-1", "NaN", "200-399", "2xx,304", "true", "yes",
		"/index.html?q=1", "%zz", "www.example.com:8080", "http://x/", "99999", "1e308", "0x10"} {
		f.Add("timeout", s)
		f.Add("status", s)
	}
	f.Add("URL Path", "//evil.example/x")
	f.Add("Host Name", "[::1]:443")
	f.Fuzz(func(t *testing.T, key, value string) {
		params := map[string]string{key: value, "port": value}
		if _, err := parseCustomConfig(params); err == nil {
			c, _ := parseCustomConfig(params)
			if c.port < 1 || c.port > 65535 || c.timeout <= 0 || c.timeout > maxTimeout {
				t.Fatalf("custom config out of range: %+v", c)
			}
		}
		for _, secure := range []bool{false, true} {
			if c, err := parseHTTPConfig(params, secure); err == nil {
				if !strings.HasPrefix(c.path, "/") || len(c.status) == 0 || c.warnDays < 0 || c.alarmDays < 0 {
					t.Fatalf("http config out of range: %+v", c)
				}
			}
		}
		for _, s := range bannerSpecs() {
			_, _ = s.parse(params)
		}
		if d, err := parseTimeout(value); err == nil && (d <= 0 || d > maxTimeout) {
			t.Fatalf("parseTimeout(%q) = %v", value, d)
		}
		if d, err := parseMillis(value); err == nil && (d < 0 || d > maxTimeout) {
			t.Fatalf("parseMillis(%q) = %v", value, d)
		}
		if c, err := parseCodeRanges(value); err == nil {
			again, err := parseCodeRanges(c.String())
			if err != nil || again.String() != c.String() {
				t.Fatalf("codes %q: %s does not parse back (%v)", value, c, err)
			}
		}
	})
}
