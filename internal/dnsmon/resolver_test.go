package dnsmon

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/vantage-monitor/vantage/internal/dnsmon/dnstest"
)

// testResolver asks only the given loopback servers: tests never reach the
// machine's own DNS servers.
func testResolver(servers ...string) *Resolver {
	cfg := DefaultConfig()
	cfg.Servers = servers
	cfg.Timeout = 200 * time.Millisecond
	cfg.Attempts = 1
	cfg.MinTTL = 0
	return New(cfg, nil)
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func TestLookupHost(t *testing.T) {
	srv := dnstest.New(t)
	srv.SetA("www.example.test", 30*time.Second, "192.0.2.2", "192.0.2.1", "2001:db8::1")
	srv.SetA("short.example.test", 5*time.Second, "192.0.2.9")
	srv.SetRR(t, "alias.example.test. 7 IN CNAME short.example.test.")
	srv.SetRR(t, "mx.example.test. 60 IN MX 10 www.example.test.")
	srv.SetRcode("broken.example.test", dns.RcodeServerFailure)
	r := testResolver(srv.Addr())
	ctx := context.Background()

	for _, tc := range []struct {
		name  string
		addrs []netip.Addr
		ttl   time.Duration
		err   string
	}{
		{name: "www.example.test", addrs: addrs("192.0.2.1", "192.0.2.2", "2001:db8::1"), ttl: 30 * time.Second},
		{name: "short.example.test.", addrs: addrs("192.0.2.9"), ttl: 5 * time.Second},
		{name: "alias.example.test", addrs: addrs("192.0.2.9"), ttl: 5 * time.Second},
		{name: "missing.example.test", err: "missing.example.test does not exist (NXDOMAIN from " + srv.Addr() + ")"},
		{name: "mx.example.test", err: "mx.example.test has no address records"},
		{name: "broken.example.test", err: "answered SERVFAIL for broken.example.test"},
		{name: "printer", err: `"printer" is not fully qualified; write printer.example.com`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := r.LookupHost(ctx, tc.name)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Addrs, tc.addrs) || a.TTL != tc.ttl || a.Server != srv.Addr() {
				t.Fatalf("got %v ttl %s from %s, want %v ttl %s", a.Addrs, a.TTL, a.Server, tc.addrs, tc.ttl)
			}
		})
	}
}

func TestLookupHostNXDomainTTL(t *testing.T) {
	srv := dnstest.New(t)
	_, err := testResolver(srv.Addr()).LookupHost(context.Background(), "gone.example.test")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.NXDomain || nf.TTL != time.Second {
		t.Fatalf("err = %#v, want NXDOMAIN with the SOA's 1s negative TTL", err)
	}
}

func TestLookupAddr(t *testing.T) {
	srv := dnstest.New(t)
	srv.SetRR(t, "10.2.0.192.in-addr.arpa. 20 IN PTR host.example.test.")
	r := testResolver(srv.Addr())
	a, err := r.LookupAddr(context.Background(), netip.MustParseAddr("192.0.2.10"))
	if err != nil || !slices.Equal(a.Names, []string{"host.example.test."}) || a.TTL != 20*time.Second {
		t.Fatalf("got %+v, %v", a, err)
	}
	_, err = r.LookupAddr(context.Background(), netip.MustParseAddr("192.0.2.11"))
	if err == nil || !strings.Contains(err.Error(), "192.0.2.11 does not exist (NXDOMAIN") {
		t.Fatalf("err = %v", err)
	}
}

// A silent first server is skipped for the next one; all silent is a
// timeout naming the servers.
func TestFailover(t *testing.T) {
	dead, live := dnstest.New(t), dnstest.New(t)
	dead.Silent(true)
	live.SetA("www.example.test", time.Minute, "192.0.2.1")
	r := testResolver(dead.Addr(), live.Addr())
	a, err := r.LookupHost(context.Background(), "www.example.test")
	if err != nil || a.Server != live.Addr() {
		t.Fatalf("got %+v, %v; want an answer from %s", a, err, live.Addr())
	}
	live.Silent(true)
	_, err = r.LookupHost(context.Background(), "www.example.test")
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), fmt.Sprintf("no answer from DNS server %s", live.Addr())) {
		t.Fatalf("err = %v, want timeouts", err)
	}
}

func TestQueryCancelled(t *testing.T) {
	srv := dnstest.New(t)
	srv.Silent(true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Query(ctx, srv.Addr(), "www.example.test.", dns.TypeA, QueryOptions{Timeout: time.Minute, Attempts: 3})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
