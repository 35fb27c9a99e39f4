package discover

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/dnsmon/dnstest"
	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// The test: a namespace router running snmpd joins two /28
// subnets, each a bridge in the router with host namespaces on it; one
// host runs only sshd, one answers nothing. The scanner runs in the test's
// own namespace, across the router, and the map it builds must match the
// topology built here.
//
// Safety: every address is in the topology's /24 of 198.18.0.0/15, which
// netnstest guards with an "unreachable" route; the scan's ranges are the
// two /28s inside it, and the scanner's guard refuses anything else.

const discCommunity = "disc-secret"

// subnetIn is the /28 at offset off of the topology's block.
func subnetIn(block netip.Prefix, off byte) netip.Prefix {
	a := block.Addr().As4()
	a[3] = off
	return netip.PrefixFrom(netip.AddrFrom4(a), 28)
}

func nth(p netip.Prefix, n int) netip.Addr {
	a := p.Addr()
	for range n {
		a = a.Next()
	}
	return a
}

func mustRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// lanHost is a namespace on a router's bridge, at addr with gateway gw.
func lanHost(t *testing.T, router, bridge, label string, addr netip.Addr, bits int, gw netip.Addr) string {
	t.Helper()
	id := rand.Uint32()
	ns := fmt.Sprintf("vantage-disc-%d-%08x-%s", os.Getpid(), id, label)
	rIf, hIf := fmt.Sprintf("vdr%08x", id), fmt.Sprintf("vdh%08x", id)
	mustRun(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	mustRun(t, "ip", "-n", router, "link", "add", rIf, "type", "veth", "peer", "name", hIf, "netns", ns)
	mustRun(t, "ip", "-n", router, "link", "set", rIf, "master", bridge, "up")
	mustRun(t, "ip", "-n", ns, "link", "set", "lo", "up")
	mustRun(t, "ip", "-n", ns, "addr", "add", fmt.Sprintf("%s/%d", addr, bits), "dev", hIf)
	mustRun(t, "ip", "-n", ns, "link", "set", hIf, "up")
	mustRun(t, "ip", "-n", ns, "route", "add", "default", "via", gw.String())
	return ns
}

// startInNS runs a daemon in a namespace until the test ends.
func startInNS(t *testing.T, ns string, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", args[0], err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(args[0]), out.String())
		}
	})
}

// waitFor polls ok every 100ms for at most 20s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for range 200 {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not ready after 20s", what)
}

func TestDiscoverNamespaceNetwork(t *testing.T) {
	for _, bin := range []string{snmptest.SnmpdPath, "/usr/sbin/sshd", "/usr/bin/ssh-keygen"} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s not installed (Debian snmpd, openssh-server)", bin)
		}
	}
	tp := netnstest.NewTopology(t, "discover")
	rtr := tp.Router("rtr")
	up := tp.Link(tp.Host(), rtr)
	tp.Build()
	block := tp.Block()
	subA, subB := subnetIn(block, 64), subnetIn(block, 96)
	gwA, gwB := nth(subA, 1), nth(subB, 1)
	for _, b := range []struct {
		name string
		gw   netip.Addr
	}{{"brA", gwA}, {"brB", gwB}} {
		mustRun(t, "ip", "-n", rtr.Name(), "link", "add", b.name, "type", "bridge")
		mustRun(t, "ip", "-n", rtr.Name(), "addr", "add", b.gw.String()+"/28", "dev", b.name)
		mustRun(t, "ip", "-n", rtr.Name(), "link", "set", b.name, "up")
	}
	for _, p := range []netip.Prefix{subA, subB} {
		mustRun(t, "ip", "route", "add", p.String(), "via", up.BAddr().String())
		t.Cleanup(func() { _ = exec.Command("ip", "route", "del", p.String(), "via", up.BAddr().String()).Run() })
	}
	plainA, sshA := nth(subA, 2), nth(subA, 3)
	plainB, silentB := nth(subB, 2), nth(subB, 3)
	lanHost(t, rtr.Name(), "brA", "a1", plainA, 28, gwA)
	sshNS := lanHost(t, rtr.Name(), "brA", "ssh", sshA, 28, gwA)
	lanHost(t, rtr.Name(), "brB", "b1", plainB, 28, gwB)
	silentNS := lanHost(t, rtr.Name(), "brB", "silent", silentB, 28, gwB)
	mustRun(t, "ip", "netns", "exec", silentNS, "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")

	// snmpd in the router: the default community is refused, the
	// scan's listed community answers.
	dir := t.TempDir()
	conf := filepath.Join(dir, "snmpd.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("rocommunity %s %s\nsysName vantage-rtr\nsysDescr Vantage test router\n", discCommunity, block)), 0o600)
	os.MkdirAll(filepath.Join(dir, "persist"), 0o700)
	startInNS(t, rtr.Name(), "env", "SNMP_PERSISTENT_DIR="+filepath.Join(dir, "persist"), "SNMPCONFPATH="+dir, "MIBS=", "HOME="+dir,
		snmptest.SnmpdPath, "-f", "-Lo", "-C", "-c", conf, "-M", filepath.Join(dir, "no-mibs"), "-m", "", "udp:161")
	// sshd alone in its host.
	key := filepath.Join(dir, "hostkey")
	mustRun(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
	os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	startInNS(t, sshNS, "/usr/sbin/sshd", "-D", "-e", "-f", "/dev/null", "-h", key, "-p", "22", "-o", "PidFile=none", "-o", "UsePAM=no")

	sc, err := snmp.New(snmp.Config{Timeout: 500 * time.Millisecond, Retries: 1, MaxRepetitions: 25, MaxOIDs: 16, MaxSessions: 64}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	agent := snmp.Target{Address: gwA.String(), Creds: snmp.Credentials{Version: "2c", Community: discCommunity, Port: 161}}
	waitFor(t, "snmpd", func() bool { _, err := sc.Get(context.Background(), agent, oidSysName); return err == nil })
	waitFor(t, "sshd", func() bool {
		c, err := net.DialTimeout("tcp", netip.AddrPortFrom(sshA, 22).String(), 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	eng, err := icmp.Open(icmp.DefaultConfig(), nil)
	if err != nil {
		t.Skipf("no ICMP: %v", err)
	}
	defer eng.Close()
	dns := dnstest.New(t)
	ptr := func(a netip.Addr, name string) string {
		rev, _ := dnsmon.ReverseName(a)
		return rev + " 60 IN PTR " + name
	}
	dns.SetRR(t, ptr(plainB, "b1.disc.test."), ptr(plainA, "dhcp-a1.disc.test."))
	dcfg := dnsmon.DefaultConfig()
	dcfg.Servers, dcfg.Attempts, dcfg.Timeout = []string{dns.Addr()}, 1, time.Second

	s := New(Deps{Pinger: eng, SNMP: sc, DNS: dnsmon.New(dcfg, nil), Credentials: snmp.DefaultCredentials()})
	var last Progress
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.Scan(ctx, Request{CIDRs: []string{subA.String(), subB.String()}, Communities: []string{discCommunity},
		Ports: []int{22, 80}, ProbeSilent: true, Rate: 1000, Timeout: 500 * time.Millisecond}, func(p Progress) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	if last.Phase != PhaseDone || res.Refused != 0 || res.Scanned != 28 {
		t.Fatalf("last progress %+v, refused %d, scanned %d", last, res.Refused, res.Scanned)
	}

	// Hosts: the router once (its second address an alias), named by
	// sysName; the DHCP-named host keeps its DNS name (not on our LAN, so
	// no NetBIOS); the ssh host with port 22; the silent host absent.
	var got []string
	for _, h := range res.Hosts {
		got = append(got, fmt.Sprintf("%s %s %s ports=%v snmp=%v subnet=%s aliases=%v", h.Addr, h.Name, h.NamedBy, h.OpenPorts, h.SNMP != nil, h.Subnet, h.Aliases))
	}
	want := []string{
		fmt.Sprintf("%s vantage-rtr sysname ports=[] snmp=true subnet=%s aliases=[%s]", gwA, subA, gwB),
		fmt.Sprintf("%s dhcp-a1.disc.test dns ports=[] snmp=false subnet=%s aliases=[]", plainA, subA),
		fmt.Sprintf("%s %s address ports=[22] snmp=false subnet=%s aliases=[]", sshA, sshA, subA),
		fmt.Sprintf("%s b1.disc.test dns ports=[] snmp=false subnet=%s aliases=[]", plainB, subB),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("hosts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Hosts[0].SNMP.Creds.Community != discCommunity || res.Hosts[0].Mask != 28 {
		t.Errorf("router SNMP %+v mask %d", res.Hosts[0].SNMP, res.Hosts[0].Mask)
	}
	if len(res.Subnets) != 2 || res.Subnets[0] != (Subnet{subA, "snmp"}) || res.Subnets[1] != (Subnet{subB, "snmp"}) {
		t.Errorf("subnets %+v, want %s and %s from SNMP", res.Subnets, subA, subB)
	}

	// The map: two ovals with the real masks, the router as SNMP
	// Traffic linked to both through its bridges, every address inside
	// the ranges.
	m := &netmap.Map{Name: "disc", LabelTemplate: "${ShortName}\n${Address}"}
	Apply(m, res)
	if err := m.Validate(); err != nil {
		t.Fatalf("map invalid: %v", err)
	}
	if len(m.Networks) != 2 || m.Networks[0].CIDRs[0] != subA.String() || m.Networks[1].CIDRs[0] != subB.String() {
		t.Fatalf("networks %+v", m.Networks)
	}
	r := m.FindDevice("vantage-rtr")
	if r == nil || r.Probe != ProbeSNMPTraffic || r.SNMP == nil || r.SNMP.Community != discCommunity || r.Label != "vantage-rtr\n"+gwA.String() {
		t.Fatalf("router device %+v", r)
	}
	links := map[string]string{}
	for _, l := range m.AllLinks() {
		if l.From == "vantage-rtr" {
			links[l.To] = l.FromInterface
		}
	}
	if links[subA.String()] != "brA" || links[subB.String()] != "brB" {
		t.Errorf("router links %v, want both subnets through brA and brB", links)
	}
	if d := m.FindDevice(sshA.String()); d == nil || d.Probe != ProbePing || !strings.Contains(d.Notes, "open TCP ports: 22") {
		t.Errorf("ssh host %+v", d)
	}
	for _, d := range m.Devices {
		a, _ := d.Addr()
		if !subA.Contains(a) && !subB.Contains(a) || a == silentB {
			t.Errorf("device %s at %s", d.Name, d.Address)
		}
	}
}
