package discover

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

func TestParseRoutes(t *testing.T) {
	const table = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	0102000A	0003	0	0	0	00000000	0	0	0
eth0	0002000A	00000000	0001	0	0	0	00FFFFFF	0	0	0
eth1	00000000	0102000A	0003	0	0	100	00000000	0	0	0
`
	got := parseRoutes(strings.NewReader(table))
	if len(got) != 1 || got[0] != netip.MustParseAddr("10.0.2.1") {
		t.Fatalf("gateways = %v", got)
	}
}

func TestParseResolvConf(t *testing.T) {
	got := parseResolvConf(strings.NewReader("# c\nsearch example.test\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\nnameserver bogus\n"))
	if len(got) != 2 || got[0].String() != "192.0.2.53" || got[1].String() != "fe80::1" {
		t.Fatalf("dns = %v", got)
	}
}

func TestStarterMap(t *testing.T) {
	f := HostFacts{
		Hostname: "mon1",
		Addrs:    []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("192.0.2.10/24"), netip.MustParsePrefix("2001:db8::10/64"), netip.MustParsePrefix("fe80::1/64")},
		Gateways: []netip.Addr{netip.MustParseAddr("192.0.2.1")},
		DNS:      []netip.Addr{netip.MustParseAddr("127.0.0.53"), netip.MustParseAddr("198.51.100.53")},
	}
	m := StarterMap(f)
	if m.Vantage != "mon1" || len(m.Devices) != 3 || len(m.Networks) != 2 {
		t.Fatalf("map = %+v", m)
	}
	if m.Devices[0].Address != "192.0.2.10" || m.Devices[1].Address != "192.0.2.1" || m.Devices[2].Address != "198.51.100.53" {
		t.Fatalf("devices = %+v", m.Devices)
	}
	// The map must be valid as a map file.
	b, err := netmap.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := netmap.Parse("local", b)
	if err != nil {
		t.Fatalf("starter map does not parse: %v\n%s", err, b)
	}
	links := back.AutoLinks()
	if len(links) != 2 {
		t.Fatalf("auto links = %+v (server and gateway sit in 192.0.2.0/24)", links)
	}
}

func TestLocalFactsDoesNotFail(t *testing.T) {
	f := LocalFacts()
	if f.Hostname == "" {
		t.Fatal("no hostname")
	}
	StarterMap(f) // must not panic on whatever this machine has
}
