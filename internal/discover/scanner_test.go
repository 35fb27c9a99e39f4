package discover

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// recorder is a fake network: it records every destination it is asked
// to send to, answers pings from the addresses in up, SNMP from agents,
// and TCP from open.
type recorder struct {
	mu     sync.Mutex
	sent   []netip.Addr
	up     map[netip.Addr]bool
	agents map[netip.Addr]fakeAgent
	open   map[netip.AddrPort]bool
}

type fakeAgent struct {
	community string
	sys       map[string]string
	tables    map[string]map[string]map[string]snmp.Value // first column → rows
}

func (r *recorder) note(a netip.Addr) {
	r.mu.Lock()
	r.sent = append(r.sent, a)
	r.mu.Unlock()
}

func (r *recorder) Ping(ctx context.Context, req icmp.Request) (icmp.Stats, error) {
	r.note(req.Addr)
	st := icmp.Stats{Addr: req.Addr, Sent: 1}
	if r.up[req.Addr] {
		st.Received, st.Min = 1, time.Millisecond
	}
	return st, nil
}

func (r *recorder) Get(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error) {
	a := netip.MustParseAddr(t.Address)
	r.note(a)
	ag, ok := r.agents[a]
	if !ok || ag.community != t.Creds.Community {
		return nil, snmp.ErrTimeout
	}
	var out []snmp.Value
	for _, o := range oids {
		out = append(out, snmp.Value{OID: o, Type: snmp.OctetString, Bytes: []byte(ag.sys[o])})
	}
	return out, nil
}

func (r *recorder) Table(ctx context.Context, t snmp.Target, cols ...string) (map[string]map[string]snmp.Value, error) {
	a := netip.MustParseAddr(t.Address)
	r.note(a)
	if rows, ok := r.agents[a].tables[cols[0]]; ok {
		return rows, nil
	}
	return nil, errors.New("no such table")
}

func (r *recorder) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap := netip.MustParseAddrPort(address)
	r.note(ap.Addr())
	if network == "tcp" && r.open[ap] {
		c1, c2 := net.Pipe()
		c2.Close()
		return c1, nil
	}
	return nil, errors.New("connection refused")
}

type fakeDNS map[netip.Addr]string

func (f fakeDNS) LookupAddr(ctx context.Context, a netip.Addr) (dnsmon.Answer, error) {
	if n, ok := f[a]; ok {
		return dnsmon.Answer{Names: []string{n + "."}}, nil
	}
	return dnsmon.Answer{}, &dnsmon.NotFoundError{Name: a.String(), NXDomain: true}
}

func ipVal(s string) snmp.Value { return snmp.Value{Type: snmp.IPAddress, Text: s} }
func intVal(i int64) snmp.Value { return snmp.Value{Type: snmp.Integer, Int: i} }
func strVal(s string) snmp.Value {
	return snmp.Value{Type: snmp.OctetString, Bytes: []byte(s)}
}

// fakeNet is 192.0.2.0/28 and 192.0.2.16/28 joined by a router (.1 and
// .17) that answers SNMP to community "c2", knows addresses outside the
// scanned ranges (198.51.100.1/24) and an LLDP neighbour outside them too.
func fakeNet() *recorder {
	a := netip.MustParseAddr
	router := fakeAgent{community: "c2", sys: map[string]string{oidSysName: "core-rtr", oidSysDescr: "Linux router", oidSysObjectID: "1.3.6.1.4.1.8072.3.2.10"},
		tables: map[string]map[string]map[string]snmp.Value{
			oidIfDescr: {"2": {oidIfDescr: strVal("eth0")}, "3": {oidIfDescr: strVal("eth1")}, "4": {oidIfDescr: strVal("wan")}},
			oidIPAdEntAddr: {
				"192.0.2.1":    {oidIPAdEntAddr: ipVal("192.0.2.1"), oidIPAdEntIfIndex: intVal(2), oidIPAdEntNetMask: ipVal("255.255.255.240")},
				"192.0.2.17":   {oidIPAdEntAddr: ipVal("192.0.2.17"), oidIPAdEntIfIndex: intVal(3), oidIPAdEntNetMask: ipVal("255.255.255.240")},
				"198.51.100.1": {oidIPAdEntAddr: ipVal("198.51.100.1"), oidIPAdEntIfIndex: intVal(4), oidIPAdEntNetMask: ipVal("255.255.255.0")},
				"127.0.0.1":    {oidIPAdEntAddr: ipVal("127.0.0.1"), oidIPAdEntIfIndex: intVal(1), oidIPAdEntNetMask: ipVal("255.0.0.0")},
			},
			oidLldpRemSysName:   {"0.4.1": {oidLldpRemSysName: strVal("isp-edge"), oidLldpRemPortID: strVal("ge-0/0/1")}},
			oidLldpRemManAddrIf: {"0.4.1.1.4.198.51.100.254": {oidLldpRemManAddrIf: intVal(4)}},
		}}
	return &recorder{
		up:     map[netip.Addr]bool{a("192.0.2.1"): true, a("192.0.2.5"): true, a("192.0.2.6"): true, a("192.0.2.18"): true},
		agents: map[netip.Addr]fakeAgent{a("192.0.2.1"): router},
		open:   map[netip.AddrPort]bool{netip.MustParseAddrPort("192.0.2.5:22"): true, netip.MustParseAddrPort("192.0.2.20:443"): true},
	}
}

func scanFake(t *testing.T, net *recorder, req Request) Result {
	t.Helper()
	s := New(Deps{Pinger: net, SNMP: net, Dialer: net, Credentials: snmp.DefaultCredentials(),
		DNS:           fakeDNS{netip.MustParseAddr("192.0.2.5"): "build7.example.net", netip.MustParseAddr("192.0.2.6"): "dhcp-6.example.net"},
		LocalPrefixes: func() []netip.Prefix { return nil }})
	if req.Rate == 0 {
		req.Rate = MaxRate
	}
	var phases []string
	r, err := s.Scan(context.Background(), req, func(p Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{PhasePing, PhaseSNMP, PhaseTCP, PhaseTables, PhaseNames, PhaseDone}; !slices.Equal(phases, want) {
		t.Errorf("phases %v, want %v", phases, want)
	}
	return r
}

// The guard: whatever the agents say about addresses outside the
// ranges, nothing is sent there, nor to network or broadcast addresses.
func TestScanNeverLeavesRanges(t *testing.T) {
	for _, silent := range []bool{false, true} {
		net := fakeNet()
		r := scanFake(t, net, Request{CIDRs: []string{"192.0.2.0/28", "192.0.2.16/28"}, Communities: []string{"c2"}, ProbeSilent: silent})
		g := newGuard(r.Ranges)
		for _, a := range net.sent {
			if !g.allows(a) {
				t.Errorf("probe sent to %s", a)
			}
			if a == netip.MustParseAddr("192.0.2.0") || a == netip.MustParseAddr("192.0.2.15") || a == netip.MustParseAddr("192.0.2.16") {
				t.Errorf("probe sent to the network or broadcast address %s", a)
			}
		}
		if r.Refused != 0 {
			t.Errorf("guard refused %d sends", r.Refused)
		}
		// A silent address gets its two echoes, and SNMP and TCP probes
		// only with probe_silent.
		n := 0
		for _, a := range net.sent {
			if a == netip.MustParseAddr("192.0.2.20") {
				n++
			}
		}
		if silent != (n > 2) {
			t.Errorf("probe_silent=%v: %d probes to silent 192.0.2.20", silent, n)
		}
	}
}

func TestGuardRefuses(t *testing.T) {
	rec := &recorder{}
	g := newGuard([]netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")})
	for _, a := range []string{"192.0.2.0", "192.0.2.255", "192.0.3.1", "10.0.0.1"} {
		if _, err := (guardedPinger{g, rec}).Ping(context.Background(), icmp.Request{Addr: netip.MustParseAddr(a)}); !errors.Is(err, ErrOutsideRange) {
			t.Errorf("ping %s: %v", a, err)
		}
		if _, err := (guardedDialer{g, rec}).DialContext(context.Background(), "udp4", a+":137"); !errors.Is(err, ErrOutsideRange) {
			t.Errorf("dial %s: %v", a, err)
		}
		if _, err := (guardedSNMP{g, rec}).Get(context.Background(), snmp.Target{Address: a}); !errors.Is(err, ErrOutsideRange) {
			t.Errorf("snmp %s: %v", a, err)
		}
	}
	if _, err := (guardedSNMP{g, rec}).Table(context.Background(), snmp.Target{Address: "router.example.net"}); !errors.Is(err, ErrOutsideRange) {
		t.Errorf("snmp by name: %v", err)
	}
	if len(rec.sent) != 0 || g.refused.Load() != 13 {
		t.Fatalf("sent %v, refused %d", rec.sent, g.refused.Load())
	}
	if _, err := (guardedPinger{g, rec}).Ping(context.Background(), icmp.Request{Addr: netip.MustParseAddr("192.0.2.1")}); err != nil || len(rec.sent) != 1 {
		t.Fatalf("inside: %v %v", err, rec.sent)
	}
}

func TestScanFindsTopology(t *testing.T) {
	r := scanFake(t, fakeNet(), Request{CIDRs: []string{"192.0.2.0/28", "192.0.2.16/28"}, Communities: []string{"c2"}, Ports: []int{22, 443}})
	var got []string
	for _, h := range r.Hosts {
		got = append(got, h.Addr.String()+" "+h.Name+" "+h.NamedBy+" "+h.Subnet.String())
	}
	want := []string{
		"192.0.2.1 core-rtr sysname 192.0.2.0/28",
		"192.0.2.5 build7.example.net dns 192.0.2.0/28",
		"192.0.2.6 dhcp-6.example.net dns 192.0.2.0/28", // no NetBIOS: not on a local LAN
		"192.0.2.18 192.0.2.18 address 192.0.2.16/28",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("hosts:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rt := r.Hosts[0]; rt.SNMP == nil || rt.SNMP.Creds.Community != "c2" || rt.Mask != 28 || len(rt.SNMP.Addrs) != 4 {
		t.Fatalf("router: %+v", rt.SNMP)
	}
	if !slices.Equal(r.Hosts[1].OpenPorts, []int{22}) {
		t.Errorf("open ports %v", r.Hosts[1].OpenPorts)
	}
	if len(r.Subnets) != 2 || r.Subnets[0] != (Subnet{netip.MustParsePrefix("192.0.2.0/28"), "snmp"}) || r.Subnets[1].Prefix != netip.MustParsePrefix("192.0.2.16/28") {
		t.Errorf("subnets %+v", r.Subnets)
	}
	var links []string
	for _, l := range r.Links {
		links = append(links, l.From.String()+" "+l.ToSubnet.String()+" "+l.FromInterface+" "+l.How)
	}
	slices.Sort(links)
	if want := []string{"192.0.2.1 192.0.2.0/28 eth0 ipAddrTable", "192.0.2.1 192.0.2.16/28 eth1 ipAddrTable"}; !slices.Equal(links, want) {
		t.Errorf("links %q, want %q (the LLDP neighbour is not a host of the scan)", links, want)
	}
}

func TestApply(t *testing.T) {
	r := scanFake(t, fakeNet(), Request{CIDRs: []string{"192.0.2.0/28", "192.0.2.16/28"}, Communities: []string{"c2"}, Ports: []int{22}})
	m := &netmap.Map{Name: "m", LabelTemplate: "${ShortName}\n${Address}", Devices: []netmap.Device{
		{Name: "builder", Address: "192.0.2.5", X: 10, Y: 20, Notes: "Alice's box"},
	}}
	ch := Apply(m, r)
	if err := m.Validate(); err != nil {
		t.Fatalf("invalid map: %v", err)
	}
	if !slices.Equal(ch.UpdatedDevices, []string{"builder"}) || len(ch.AddedDevices) != 3 || len(ch.AddedNetworks) != 2 || ch.AddedLinks != 2 {
		t.Fatalf("changes %+v", ch)
	}
	b := m.FindDevice("builder")
	if b.X != 10 || b.Probe != ProbePing || b.Label != "build7\n192.0.2.5" || b.Notes != "Alice's box\n[discovery] open TCP ports: 22" {
		t.Errorf("updated device %+v", b)
	}
	rt := m.FindDevice("core-rtr")
	if rt == nil || rt.Probe != ProbeSNMPTraffic || rt.SNMP == nil || rt.SNMP.Community != "c2" || rt.Mask != "/28" || rt.Label != "core-rtr\n192.0.2.1" {
		t.Fatalf("router %+v", rt)
	}
	if !slices.ContainsFunc(m.Links, func(l netmap.Link) bool {
		return l.From == "core-rtr" && l.To == "192.0.2.16/28" && l.FromInterface == "eth1"
	}) {
		t.Errorf("router not linked to its second subnet: %+v", m.Links)
	}
	// Applying again changes nothing but updates.
	again := Apply(m, r)
	if len(again.AddedDevices)+len(again.AddedNetworks)+again.AddedLinks != 0 || len(m.Devices) != 4 || len(m.Networks) != 2 {
		t.Fatalf("second apply %+v", again)
	}
	if n := m.FindDevice("builder").Notes; strings.Count(n, notesMarker) != 1 {
		t.Errorf("notes duplicated: %q", n)
	}
	b2, err := netmap.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := netmap.Parse("m.yaml", b2); err != nil {
		t.Fatalf("map does not read back: %v\n%s", err, b2)
	}
}

func TestPrepareLimits(t *testing.T) {
	base := snmp.DefaultCredentials()
	for _, c := range []struct {
		name string
		req  Request
		err  string
	}{
		{"none", Request{}, "at least one range"},
		{"slash 15", Request{CIDRs: []string{"10.0.0.0/15"}}, "larger than a /16"},
		{"slash 16", Request{CIDRs: []string{"10.0.0.0/16"}}, ""},
		{"total", Request{CIDRs: []string{"10.0.0.0/16", "10.1.0.0/24"}}, "at most 65536"},
		{"host bits", Request{CIDRs: []string{"192.0.2.7/24"}}, "did you mean 192.0.2.0/24"},
		{"garbage", Request{CIDRs: []string{"192.0.2.0-10"}}, "not a CIDR"},
		{"broadcast", Request{CIDRs: []string{"255.255.255.255"}}, "broadcast"},
		{"multicast", Request{CIDRs: []string{"224.0.0.0/24"}}, "cannot be scanned"},
		{"overlap", Request{CIDRs: []string{"192.0.2.0/24", "192.0.2.128/25"}}, "overlaps"},
		{"ipv6 big", Request{CIDRs: []string{"2001:db8::/64"}}, "larger than a /112"},
		{"ipv6 ok", Request{CIDRs: []string{"2001:db8::/120"}}, ""},
		{"port", Request{CIDRs: []string{"192.0.2.1"}, Ports: []int{0}}, "not a TCP port"},
		{"rate", Request{CIDRs: []string{"192.0.2.1"}, Rate: 100000}, "rate"},
		{"concurrency", Request{CIDRs: []string{"192.0.2.1"}, Concurrency: -1}, "concurrency"},
		{"bad v3", Request{CIDRs: []string{"192.0.2.1"}, Users: []snmp.Credentials{{User: "u", Auth: "SHA", AuthKey: "short"}}}, "auth_key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.req.Prepare(base)
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
	p, err := Request{CIDRs: []string{"192.0.2.0/30", "192.0.2.9"}, Communities: []string{"public", "c2"}}.Prepare(base)
	if err != nil || p.Total != 3 || len(p.Credentials) != 2 || p.Credentials[1].Community != "c2" || !slices.Equal(p.Ports, DefaultPorts()) {
		t.Fatalf("plan %+v, %v", p, err)
	}
	var got []string
	hosts(p.Ranges[0], func(a netip.Addr) bool { got = append(got, a.String()); return true })
	if !slices.Equal(got, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Fatalf("hosts of /30: %v", got)
	}
}

func TestSmartName(t *testing.T) {
	addr := netip.MustParseAddr("192.0.2.7")
	for _, c := range []struct {
		n         Names
		name, how string
	}{
		{Names{DNS: "pc7.example.net", NetBIOS: "PC7", SysName: "pc7"}, "pc7.example.net", NamedByDNS},
		{Names{DNS: "dhcp-7.example.net", NetBIOS: "ALICE"}, "ALICE", NamedByNetBIOS},
		{Names{DNS: "host-DHCP7.example.net", NetBIOS: "ALICE"}, "ALICE", NamedByNetBIOS},
		{Names{NetBIOS: "ALICE", SysName: "alice-snmp"}, "ALICE", NamedByNetBIOS},
		{Names{SysName: "core-rtr"}, "core-rtr", NamedBySysName},
		{Names{DNS: "dhcp-7.example.net", SysName: "x"}, "x", NamedBySysName},
		{Names{DNS: "dhcp-7.example.net"}, "dhcp-7.example.net", NamedByDNS},
		{Names{}, "192.0.2.7", NamedByAddress},
	} {
		name, how := SmartName(c.n, addr)
		if name != c.name || how != c.how {
			t.Errorf("SmartName(%+v) = %q %q, want %q %q", c.n, name, how, c.name, c.how)
		}
	}
	for in, want := range map[string]string{"pc7.example.net": "pc7", "ALICE": "ALICE", "192.0.2.7": "192.0.2.7", "2001:db8::1": "2001:db8::1"} {
		if got := ShortName(in); got != want {
			t.Errorf("ShortName(%q) = %q", in, got)
		}
	}
	if !needsNetBIOS("") || !needsNetBIOS("Dhcp-1.x") || needsNetBIOS("pc.example.net") {
		t.Error("needsNetBIOS")
	}
}

func TestLabelTemplates(t *testing.T) {
	h := Host{Addr: netip.MustParseAddr("192.0.2.1"), Name: "core-rtr.example.net", DNSName: "core-rtr.example.net", NetBIOSName: "CORE",
		SNMP: &SNMPInfo{SysName: "core", SysDescr: "Linux"}}
	for tmpl, want := range map[string]string{
		"${ShortName}":                "core-rtr",
		"${SmartName}\n${Address}":    "core-rtr.example.net\n192.0.2.1",
		"${SysName} (${NetBIOSName})": "core (CORE)",
		"${DNSName}\n${SysDescr}":     "core-rtr.example.net\nLinux",
		"${Probe}: ${ShortName}":      "com.dartware.snmp: core-rtr",
	} {
		if got := netmap.ExpandLabel(tmpl, h.LabelVars(ProbeSNMPTraffic)); got != want {
			t.Errorf("%q → %q, want %q", tmpl, got, want)
		}
	}
}

func TestSNMPIndexes(t *testing.T) {
	if a, ok := inetAddressIndex("1.4.192.0.2.1"); !ok || a.String() != "192.0.2.1" {
		t.Errorf("v4 index: %v %v", a, ok)
	}
	if a, ok := inetAddressIndex("2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1"); !ok || a.String() != "2001:db8::1" {
		t.Errorf("v6 index: %v %v", a, ok)
	}
	for _, bad := range []string{"", "1", "1.4.1.2.3", "3.4.1.2.3.4", "1.4.1.2.3.400"} {
		if _, ok := inetAddressIndex(bad); ok {
			t.Errorf("index %q accepted", bad)
		}
	}
	if n, ok := prefixLenFromPointer("1.3.6.1.2.1.4.32.1.5.2.1.4.192.0.2.0.28"); !ok || n != 28 {
		t.Errorf("prefix pointer: %d %v", n, ok)
	}
	if _, ok := prefixLenFromPointer("0.0"); ok {
		t.Error("null pointer accepted")
	}
	for m, want := range map[string]int{"255.255.255.240": 28, "255.0.0.0": 8, "0.0.0.0": 0} {
		if n, ok := maskBits(netip.MustParseAddr(m)); !ok || n != want {
			t.Errorf("maskBits(%s) = %d %v", m, n, ok)
		}
	}
	if _, ok := maskBits(netip.MustParseAddr("255.0.255.0")); ok {
		t.Error("non-contiguous mask accepted")
	}
}
