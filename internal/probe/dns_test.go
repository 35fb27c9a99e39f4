package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/dnsmon/dnstest"
	"github.com/vantage-monitor/vantage/internal/status"
)

func TestDNSProbe(t *testing.T) {
	srv := dnstest.New(t)
	srv.SetA("www.example.test", time.Minute, "192.0.2.1", "192.0.2.2")
	srv.SetRR(t, "example.test. 60 IN MX 10 mail.example.test.", "1.2.0.192.in-addr.arpa. 60 IN PTR www.example.test.")
	srv.SetRcode("broken.example.test", dns.RcodeServerFailure)
	host, port, _ := net.SplitHostPort(srv.Addr())
	for _, tc := range []struct {
		name   string
		params map[string]string
		level  status.Level
		reason string
		answer string
	}{
		{"A", map[string]string{"name": "www.example.test"}, status.OK, "", "192.0.2.1, 192.0.2.2"},
		{"A expected", map[string]string{"name": "www.example.test", "IP Address": "192.0.2.2"}, status.OK, "", ""},
		{"A mismatch", map[string]string{"name": "www.example.test", "expect": "192.0.2.9"}, status.Alarm, `does not contain "192.0.2.9"`, ""},
		{"A mismatch warns", map[string]string{"name": "www.example.test", "expect": "192.0.2.9", "Failure Status": "warning"}, status.Warning, "does not contain", ""},
		{"MX", map[string]string{"name": "example.test", "type": "MX", "expect": "mail"}, status.OK, "", "10 mail.example.test."},
		{"PTR by address", map[string]string{"name": "192.0.2.1", "type": "PTR"}, status.OK, "", "www.example.test."},
		{"NXDOMAIN", map[string]string{"name": "nope.example.test"}, status.Alarm, "server answered NXDOMAIN, expected NOERROR", ""},
		{"NXDOMAIN expected", map[string]string{"name": "nope.example.test", "rcode": "NXDOMAIN"}, status.OK, "", ""},
		{"SERVFAIL", map[string]string{"name": "broken.example.test", "failure": "down"}, status.Down, "server answered SERVFAIL", ""},
		{"no records", map[string]string{"name": "example.test", "type": "AAAA"}, status.Alarm, "no AAAA records", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.params["port"] = port
			r := DNSInfo().New().Poll(context.Background(), Target{Address: host, Params: tc.params})
			wantResult(t, r, tc.level, tc.reason)
			if tc.answer != "" && r.Values["answer"] != tc.answer {
				t.Fatalf("answer %q, want %q", r.Values["answer"], tc.answer)
			}
			if _, ok := r.Values["rtt_ms"]; !ok {
				t.Fatalf("no rtt_ms: %v", r.Values)
			}
		})
	}
}

// testDNSResolver asks only srv.
func testDNSResolver(srv *dnstest.Server) *dnsmon.Resolver {
	cfg := dnsmon.DefaultConfig()
	cfg.Servers, cfg.Timeout, cfg.Attempts, cfg.MinTTL = []string{srv.Addr()}, 300*time.Millisecond, 1, 0
	return dnsmon.New(cfg, nil)
}

// TestDNSNameProbeChange polls the name probe at its interval on a
// simulated clock: a record change is a Warning naming both address sets
// within TTL + interval, the name disappearing is Down, and no query is
// sent while the cached answer is fresh.
func TestDNSNameProbeChange(t *testing.T) {
	const ttl, every = 4 * time.Second, 3 * time.Second
	srv := dnstest.New(t)
	srv.SetA("host.example.test", ttl, "192.0.2.1")
	now := time.Unix(2_000_000, 0)
	p := DNSNameInfos(testDNSResolver(srv))[0].New().(*dnsNameProbe)
	p.now = func() time.Time { return now }
	pollName := func() status.Result {
		return p.Poll(context.Background(), Target{Address: "host.example.test", Params: map[string]string{}})
	}
	r := pollName()
	wantResult(t, r, status.OK, "")
	if r.Values["addresses"] != "192.0.2.1" || r.Values["ttl_s"] != 4.0 || r.Values["next_resolve_s"] != 4.0 {
		t.Fatalf("values %v", r.Values)
	}
	queries := srv.Queries()
	now = now.Add(every)
	r = pollName()
	if srv.Queries() != queries || r.RTT != 0 {
		t.Fatalf("a poll within the TTL sent queries (%d -> %d)", queries, srv.Queries())
	}

	srv.SetA("host.example.test", ttl, "192.0.2.2", "192.0.2.3")
	changed := now
	for range 10 {
		now = now.Add(every)
		if r = pollName(); r.Level != status.OK {
			break
		}
	}
	wantResult(t, r, status.Warning, `address change: "host.example.test" changed from 192.0.2.1 to 192.0.2.2,192.0.2.3 (DNS `+srv.Addr()+")")
	if now.Sub(changed) > ttl+every {
		t.Fatalf("change seen after %s, more than TTL + interval", now.Sub(changed))
	}
	// The warning stands until the name is resolved again unchanged.
	now = now.Add(time.Second)
	wantResult(t, pollName(), status.Warning, "address change")
	now = now.Add(ttl)
	wantResult(t, pollName(), status.OK, "")

	srv.Delete("host.example.test")
	now = now.Add(ttl)
	r = pollName()
	wantResult(t, r, status.Down, "name stopped resolving: host.example.test does not exist (NXDOMAIN")
	if !r.NoResponse {
		t.Fatal("a name that stopped resolving is not NoResponse")
	}
}

func TestDNSNameProbeParams(t *testing.T) {
	srv := dnstest.New(t)
	srv.SetA("host.example.test", time.Minute, "192.0.2.1")
	info := DNSNameInfos(testDNSResolver(srv))[0]
	for _, tc := range []struct {
		addr   string
		params map[string]string
		level  status.Level
		reason string
	}{
		{"printer", nil, status.Unknown, `"printer" is not fully qualified; write printer.example.com`},
		{"192.0.2.1", nil, status.Unknown, "is an IP address; give the name to watch"},
		{"192.0.2.1", map[string]string{"name": "host.example.test"}, status.OK, ""},
		{"host.example.test", map[string]string{"expect": "192.0.2.9"}, status.Alarm, "resolves to 192.0.2.1, not 192.0.2.9"},
		{"host.example.test", map[string]string{"min_ttl": "soon"}, status.Unknown, "parameter min_ttl"},
	} {
		t.Run(tc.addr+" "+tc.reason, func(t *testing.T) {
			r := info.New().Poll(context.Background(), Target{Address: tc.addr, Params: tc.params})
			wantResult(t, r, tc.level, tc.reason)
		})
	}
}

func TestDNSAddressProbe(t *testing.T) {
	srv := dnstest.New(t)
	srv.SetRR(t, "1.2.0.192.in-addr.arpa. 60 IN PTR host.example.test.")
	srv.SetA("host.example.test", time.Minute, "192.0.2.1")
	p := DNSNameInfos(testDNSResolver(srv))[1].New()
	r := p.Poll(context.Background(), Target{Address: "192.0.2.1"})
	wantResult(t, r, status.OK, "")
	if r.Values["names"] != "host.example.test" {
		t.Fatalf("names %v", r.Values["names"])
	}
	// By name: resolved first through the same resolver.
	wantResult(t, p.Poll(context.Background(), Target{Address: "host.example.test"}), status.OK, "")
	srv.Delete("1.2.0.192.in-addr.arpa")
	srv.SetRR(t, "1.2.0.192.in-addr.arpa. 60 IN PTR other.example.test.")
	wantResult(t, p.Poll(context.Background(), Target{Address: "192.0.2.1"}), status.Warning, "changed from host.example.test to other.example.test")
	r = p.Poll(context.Background(), Target{Address: "192.0.2.9"})
	if r.Level != status.Down || !strings.Contains(r.Reason, "192.0.2.9 has no name") {
		t.Fatalf("%s %q", r.Level, r.Reason)
	}
}
