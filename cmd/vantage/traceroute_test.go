package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"testing"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

// TestTracerouteCommand traces a namespace one hop away: the only
// destination a test may trace, since probes with growing TTLs to any other
// address would leave the machine.
func TestTracerouteCommand(t *testing.T) {
	ns := netnstest.New(t, "tracecmd")
	dst := ns.Addr()
	if !netip.MustParsePrefix("198.18.0.0/15").Contains(dst) || dst.Prev() != ns.HostAddr() {
		t.Fatalf("refusing to trace %s: not the test namespace", dst)
	}
	for _, mode := range []string{"-U", "-I"} {
		t.Run(mode, func(t *testing.T) {
			var out, errb bytes.Buffer
			if err := tracerouteCmd([]string{mode, "-n", "-m", "3", "-w", "2", dst.String()}, &out, &errb); err != nil {
				t.Fatalf("%v: %s", err, errb.String())
			}
			want := fmt.Sprintf(`^traceroute to %[1]s \(%[1]s\), 3 hops max, 40 byte packets\n 1  %[1]s  [\d.]+ ms  [\d.]+ ms  [\d.]+ ms\n$`, regexp.QuoteMeta(dst.String()))
			if !regexp.MustCompile(want).MatchString(out.String()) {
				t.Errorf("output %q does not match %q", out.String(), want)
			}
		})
	}
}

func TestTracerouteCommandArgs(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no host", []string{"-n"}},
		{"both modes", []string{"-I", "-U", "-n", "127.0.0.1"}},
		{"bad wait", []string{"-w", "soon", "127.0.0.1"}},
		{"bad hops", []string{"-m", "0", "-n", "127.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if err := tracerouteCmd(tc.args, &out, &errb); err == nil {
				t.Errorf("accepted; output %q", out.String())
			}
		})
	}
}

func TestPingStyleCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if err := pingCmd([]string{"-style", "ping", "-c", "2", "-p", "20ms", "127.0.0.1"}, &out, &errb); err != nil {
		t.Skipf("cannot ping here: %v: %s", err, errb.String())
	}
	want := `^PING 127\.0\.0\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.
64 bytes from 127\.0\.0\.1: icmp_seq=0 ttl=\d+ time=[\d.]+ ms
64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=\d+ time=[\d.]+ ms

--- 127\.0\.0\.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time \d+ms
rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms
$`
	if !regexp.MustCompile(want).MatchString(out.String()) {
		t.Errorf("output %q does not match", out.String())
	}
	if err := pingCmd([]string{"-style", "ping", "127.0.0.1", "::1"}, &out, &errb); err == nil {
		t.Error("two hosts accepted with -style ping")
	}
}
