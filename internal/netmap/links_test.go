package netmap

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestNetworkContains(t *testing.T) {
	tests := []struct {
		name  string
		cidrs []string
		addr  string
		want  bool
	}{
		{"v4 inside", []string{"192.0.2.0/24"}, "192.0.2.77", true},
		{"v4 network address", []string{"192.0.2.0/24"}, "192.0.2.0", true},
		{"v4 outside", []string{"192.0.2.0/24"}, "192.0.3.1", false},
		{"v4 /32", []string{"192.0.2.9/32"}, "192.0.2.9", true},
		{"v6 inside", []string{"2001:db8:1::/48"}, "2001:db8:1:2::5", true},
		{"v6 outside", []string{"2001:db8:1::/48"}, "2001:db8:2::5", false},
		{"v6 zone ignored", []string{"fe80::/10"}, "fe80::1%eth0", true},
		{"v4-mapped in v4 oval", []string{"192.0.2.0/24"}, "::ffff:192.0.2.1", true},
		{"v4 not in v6 oval", []string{"::/0"}, "192.0.2.1", false},
		{"second of several CIDRs", []string{"10.0.0.0/8", "192.0.2.0/24"}, "192.0.2.1", true},
		{"v6 CIDR of a dual-stack oval", []string{"192.0.2.0/24", "2001:db8::/32"}, "2001:db8::1", true},
		{"none of several CIDRs", []string{"10.0.0.0/8", "172.16.0.0/12"}, "192.0.2.1", false},
		{"unnumbered oval", nil, "192.0.2.1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := Network{Name: "n", CIDRs: tc.cidrs}
			if got := n.Contains(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("Contains(%s) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

// ovalMap has a device in two ovals (InterMapper lets two ovals hold the
// same subnet), an IPv6 device, a DNS-name device and one outside all.
func ovalMap() *Map {
	return &Map{
		Name: "m",
		Devices: []Device{
			{Name: "gw", Address: "192.0.2.1"},
			{Name: "v6", Address: "2001:db8::10"},
			{Name: "dns", Address: "files.example.com"},
			{Name: "far", Address: "198.51.100.1"},
		},
		Networks: []Network{
			{Name: "lan", CIDRs: []string{"192.0.2.0/24"}},
			{Name: "lan-again", CIDRs: []string{"10.0.0.0/8", "192.0.2.0/25"}},
			{Name: "v6net", CIDRs: []string{"2001:db8::/64"}},
			{Name: "cloud"},
		},
	}
}

func TestAutoLinks(t *testing.T) {
	m := ovalMap()
	want := []Link{
		{From: "gw", To: "lan", Auto: true},
		{From: "gw", To: "lan-again", Auto: true},
		{From: "v6", To: "v6net", Auto: true},
	}
	if got := m.AutoLinks(); !reflect.DeepEqual(got, want) {
		t.Errorf("AutoLinks() = %+v\nwant %+v", got, want)
	}

	resolve := func(name string) []netip.Addr {
		if name == "files.example.com" {
			return []netip.Addr{netip.MustParseAddr("2001:db8::99"), netip.MustParseAddr("192.0.2.200")}
		}
		return nil
	}
	got := m.AutoLinksResolved(resolve)
	want = append(want[:2:2],
		Link{From: "v6", To: "v6net", Auto: true},
		Link{From: "dns", To: "lan", Auto: true}, // 192.0.2.200 is outside lan-again's /25
		Link{From: "dns", To: "v6net", Auto: true},
	)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AutoLinksResolved() = %+v\nwant %+v", got, want)
	}
}

func TestAllLinks(t *testing.T) {
	m := ovalMap()
	m.Links = []Link{
		{From: "lan", To: "gw", Label: "pinned"}, // the reverse of an auto link
		{From: "far", To: "cloud"},
		{From: "gw", To: "far"},
	}
	want := []Link{
		{From: "lan", To: "gw", Label: "pinned"},
		{From: "far", To: "cloud"},
		{From: "gw", To: "far"},
		{From: "gw", To: "lan-again", Auto: true},
		{From: "v6", To: "v6net", Auto: true},
	}
	if got := m.AllLinks(); !reflect.DeepEqual(got, want) {
		t.Errorf("AllLinks() = %+v\nwant %+v", got, want)
	}
}

func TestCheckLink(t *testing.T) {
	m := ovalMap()
	tests := []struct {
		from, to string
		want     string
	}{
		{"gw", "lan", ""},
		{"lan-again", "gw", ""},
		{"v6", "v6net", ""},
		{"gw", "far", ""},    // device to device: no subnet rule
		{"dns", "lan", ""},   // a DNS name cannot be checked until resolved
		{"far", "cloud", ""}, // an unnumbered oval takes anything
		{"lan", "v6net", ""}, // network to network
		{"far", "lan", `device "far" (198.51.100.1) is not in network "lan" (192.0.2.0/24)`},
		{"lan-again", "far", `device "far" (198.51.100.1) is not in network "lan-again" (10.0.0.0/8, 192.0.2.0/25)`},
		{"v6", "lan", `device "v6" (2001:db8::10) is not in network "lan" (192.0.2.0/24)`},
		{"gw", "v6net", `device "gw" (192.0.2.1) is not in network "v6net" (2001:db8::/64)`},
		{"gw", "nowhere", `unknown link endpoint "nowhere"`},
		{"", "gw", "link endpoint is missing"},
		{"gw", "gw", `link from "gw" to itself`},
	}
	for _, tc := range tests {
		err := m.CheckLink(Link{From: tc.from, To: tc.to})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("CheckLink(%s, %s) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestMaskMismatch(t *testing.T) {
	m := ovalMap()
	tests := []struct {
		addr, mask string
		want       []string
	}{
		{"192.0.2.1", "", nil},
		{"192.0.2.1", "/24", []string{`device mask /24 disagrees with network "lan-again" 192.0.2.0/25`}},
		{"192.0.2.1", "255.255.255.128", []string{`device mask /25 disagrees with network "lan" 192.0.2.0/24`}},
		{"192.0.2.1", "25", []string{`device mask /25 disagrees with network "lan" 192.0.2.0/24`}},
		{"192.0.2.200", "/24", nil}, // only lan contains it
		{"198.51.100.1", "/24", nil},
		{"2001:db8::10", "/64", nil},
		{"2001:db8::10", "/48", []string{`device mask /48 disagrees with network "v6net" 2001:db8::/64`}},
		{"files.example.com", "/24", nil},
	}
	for _, tc := range tests {
		got := m.MaskMismatch(Device{Name: "d", Address: tc.addr, Mask: tc.mask})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("MaskMismatch(%s %s) = %q, want %q", tc.addr, tc.mask, got, tc.want)
		}
	}
}

func TestParseMask(t *testing.T) {
	for in, want := range map[string]int{
		"/25": 25, "25": 25, "0": 0, "/128": 128, "255.255.255.128": 25, "255.255.255.255": 32,
		"0.0.0.0": 0, "ffff:ffff:ffff:ffff::": 64,
	} {
		if got, _, err := parseMask(in); err != nil || got != want {
			t.Errorf("parseMask(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "/129", "-1", "+8", "255.0.255.0", "255.255.255.1", "x", "1.2.3"} {
		if _, _, err := parseMask(in); err == nil {
			t.Errorf("parseMask(%q) succeeded", in)
		}
	}
}
