package traceroute

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
)

func TestFormat(t *testing.T) {
	a := netip.MustParseAddr("131.123.46.1")
	b := netip.MustParseAddr("144.232.9.117")
	for _, tc := range []struct {
		name string
		hop  Hop
		want string
	}{
		{"named", Hop{TTL: 1, Probes: []Probe{
			{From: a, Name: "wraith.facnet.mcs.kent.edu", RTT: 878 * time.Microsecond},
			{From: a, Name: "wraith.facnet.mcs.kent.edu", RTT: 620 * time.Microsecond},
			{From: a, Name: "wraith.facnet.mcs.kent.edu", RTT: 553 * time.Microsecond}}},
			" 1  wraith.facnet.mcs.kent.edu (131.123.46.1)  0.878 ms  0.620 ms  0.553 ms"},
		{"lost in the middle", Hop{TTL: 10, Probes: []Probe{
			{From: b, RTT: 46752 * time.Microsecond}, {Lost: true}, {From: b, RTT: 40125 * time.Microsecond}}},
			"10  144.232.9.117  46.752 ms *  40.125 ms"},
		{"all lost", Hop{TTL: 14, Probes: []Probe{{Lost: true}, {Lost: true}, {Lost: true}}}, "14  * * *"},
		{"two routers", Hop{TTL: 3, Probes: []Probe{{From: a, RTT: time.Millisecond}, {From: b, RTT: 2 * time.Millisecond}}},
			" 3  131.123.46.1  1.000 ms 144.232.9.117  2.000 ms"},
		{"unreachable", Hop{TTL: 2, Probes: []Probe{{From: a, RTT: 3 * time.Millisecond, Note: "!H", Final: true}}},
			" 2  131.123.46.1  3.000 ms !H"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatHop(tc.hop); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	if got, want := FormatHeader("polaris.cis.ksu.edu", netip.MustParseAddr("129.130.10.93"), 30),
		"traceroute to polaris.cis.ksu.edu (129.130.10.93), 30 hops max, 40 byte packets"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
}

type fakeResolver map[string]string

func (f fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if n, ok := f[addr]; ok {
		return []string{n}, nil
	}
	return nil, errors.New("no name")
}

func TestLookup(t *testing.T) {
	r := fakeResolver{"192.0.2.1": "gw.example.net."}
	cache := map[netip.Addr]string{}
	if got := lookup(context.Background(), r, cache, netip.MustParseAddr("192.0.2.1")); got != "gw.example.net" {
		t.Errorf("named: %q", got)
	}
	if got := lookup(context.Background(), r, cache, netip.MustParseAddr("192.0.2.2")); got != "192.0.2.2" {
		t.Errorf("unnamed: %q, want the address as traceroute prints it", got)
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		ok   bool
	}{
		{"defaults", Options{}, true},
		{"bad mode", Options{Mode: "tcp"}, false},
		{"too many hops", Options{MaxHops: 256}, false},
		{"too many queries", Options{Queries: 11}, false},
		{"ports overflow", Options{Port: 65500}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opt.normalize(); (err == nil) != tc.ok {
				t.Errorf("normalize: %v", err)
			}
		})
	}
}

func TestUnreachableNote(t *testing.T) {
	for _, tc := range []struct {
		v6   bool
		code uint8
		want string
	}{{false, 1, "!H"}, {false, 0, "!N"}, {false, 3, ""}, {false, 13, "!X"}, {false, 99, "!<99>"}, {true, 4, ""}, {true, 3, "!H"}, {true, 1, "!X"}} {
		if got := unreachableNote(icmp.Message{Kind: icmp.KindUnreachable, Code: tc.code}, tc.v6); got != tc.want {
			t.Errorf("v6=%v code %d: %q, want %q", tc.v6, tc.code, got, tc.want)
		}
	}
}
