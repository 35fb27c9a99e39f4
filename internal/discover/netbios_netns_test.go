package discover

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

// The test binary doubles as a tiny NetBIOS name server for the tests
// below: run inside a namespace with VANTAGE_NBNS_NAME set, it answers
// node status requests and name queries for that name on UDP 137, for at
// most a minute.
func TestMain(m *testing.M) {
	if name := os.Getenv("VANTAGE_NBNS_NAME"); name != "" {
		serveNBNS(name, netip.MustParseAddr(os.Getenv("VANTAGE_NBNS_ADDR")))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func serveNBNS(name string, self netip.Addr) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: NetBIOSPort})
	if err != nil {
		os.Exit(3)
	}
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	want, _ := NameQueryRequest(0, name)
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		b := buf[:n]
		if len(b) < len(want) {
			continue
		}
		id := binary.BigEndian.Uint16(b)
		switch {
		case string(b[2:]) == string(NodeStatusRequest(id)[2:]):
			names := []NetBIOSName{{Name: name, Suffix: 0x00, Flags: 0x0400}, {Name: "LABGROUP", Suffix: 0x00, Group: true}}
			c.WriteToUDPAddrPort(nodeStatusResponse(id, names, [6]byte{2, 0, 0, 0, 0, 1}), from)
		case string(b[12:]) == string(want[12:]):
			c.WriteToUDPAddrPort(nameQueryResponse(id, name, self), from)
		}
	}
}

// A host on our own LAN without a DNS name is named by NetBIOS, and a
// device written \NAME is found by a broadcast on that LAN (a veth into a
// namespace: nothing leaves on the machine's real interfaces).
func TestNetBIOSOnLocalLAN(t *testing.T) {
	ns := netnstest.New(t, "nbns")
	lan := netip.PrefixFrom(ns.HostAddr(), 30).Masked()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	startInNS(t, ns.Name(), "env", "VANTAGE_NBNS_NAME=PC-ALICE", "VANTAGE_NBNS_ADDR="+ns.Addr().String(), self, "-test.run=^$")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var addr netip.Addr
	waitFor(t, "NetBIOS responder", func() bool {
		addr, err = ResolveNetBIOS(ctx, `\pc-alice`, []netip.Prefix{lan}, 200*time.Millisecond)
		return err == nil
	})
	if addr != ns.Addr() {
		t.Fatalf(`\PC-ALICE resolved to %s, want %s`, addr, ns.Addr())
	}
	if _, err := ResolveNetBIOS(ctx, `\NOBODY`, []netip.Prefix{lan}, 200*time.Millisecond); err == nil {
		t.Fatal("unknown name resolved")
	}

	eng, err := icmp.Open(icmp.DefaultConfig(), nil)
	if err != nil {
		t.Skipf("no ICMP: %v", err)
	}
	defer eng.Close()
	s := New(Deps{Pinger: eng, LocalPrefixes: func() []netip.Prefix { return []netip.Prefix{netip.PrefixFrom(ns.HostAddr(), 30)} }})
	res, err := s.Scan(ctx, Request{CIDRs: []string{ns.Addr().String()}, Ports: []int{}, Rate: 1000, Timeout: 500 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 1 {
		t.Fatalf("hosts %+v", res.Hosts)
	}
	h := res.Hosts[0]
	if h.Name != "PC-ALICE" || h.NamedBy != NamedByNetBIOS || h.Workgroup != "LABGROUP" {
		t.Fatalf("host %+v", h)
	}
	// Off the LAN, the same host is not asked.
	s = New(Deps{Pinger: eng, LocalPrefixes: func() []netip.Prefix { return nil }})
	res, err = s.Scan(ctx, Request{CIDRs: []string{ns.Addr().String()}, Ports: []int{}, Rate: 1000, Timeout: 500 * time.Millisecond}, nil)
	if err != nil || len(res.Hosts) != 1 || res.Hosts[0].NamedBy != NamedByAddress {
		t.Fatalf("off the LAN: %+v %v", res.Hosts, err)
	}
}
