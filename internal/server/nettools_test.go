package server

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
	"github.com/vantage-monitor/vantage/internal/web"
)

func TestNetTools(t *testing.T) {
	if err := (netTools{}).Ping(context.Background(), "h", netip.MustParseAddr("127.0.0.1"), web.PingOptions{Count: 1}, func(string) {}); err == nil {
		t.Error("ping without an engine succeeded")
	}
	ns := netnstest.New(t, "nettools")
	dst := ns.Addr()
	if !netip.MustParsePrefix("198.18.0.0/15").Contains(dst) || dst.Prev() != ns.HostAddr() {
		t.Fatalf("refusing to probe %s: not the test namespace", dst)
	}
	e, err := icmp.Open(icmp.DefaultConfig(), nil)
	if err != nil {
		t.Skipf("no ICMP engine here: %v", err)
	}
	defer e.Close()
	tools := netTools{engine: e}
	var lines []string
	collect := func(l string) { lines = append(lines, l) }
	if err := tools.Ping(context.Background(), "ns", dst, web.PingOptions{Count: 2}, collect); err != nil {
		t.Fatal(err)
	}
	if out := strings.Join(lines, "\n"); !strings.Contains(out, "2 packets transmitted, 2 received, 0% packet loss") || !strings.Contains(out, "rtt min/avg/max/mdev = ") {
		t.Errorf("ping output:\n%s", out)
	}
	lines = nil
	if err := tools.Traceroute(context.Background(), "ns", dst, web.TraceOptions{Mode: "icmp", MaxHops: 3, Numeric: true}, collect); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "traceroute to ns ("+dst.String()+"), 3 hops max") || !strings.HasPrefix(lines[1], " 1  "+dst.String()+"  ") {
		t.Errorf("traceroute output: %q", lines)
	}
}
