// Package netnstest gives tests a throw-away network namespace joined to the
// host by a veth pair: a real host at a real address that tests can ping,
// silence, or cut off, without sending a packet off the machine.
//
// Addresses come from 198.18.0.0/15, the benchmarking range (RFC 2544): the
// host side is 198.18.X.1/30 and the namespace side 198.18.X.2/30. The only
// route to them is the veth, and an "unreachable" route for the same /30
// with a high metric backs it up, so that even when the veth route is gone
// or ignored nothing for those addresses ever follows the default route.
//
// Creating namespaces needs root (CAP_NET_ADMIN) and iproute2; without them
// New skips the test with a message saying so.
package netnstest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// NS is a network namespace with one veth link to the host.
type NS struct {
	t      testing.TB
	name   string
	hostIf string // veth end in the host namespace
	nsIf   string // veth end inside the namespace
	prefix netip.Prefix
	host   netip.Addr
	addr   netip.Addr
}

// New creates a namespace for the test and removes it in t.Cleanup. name
// only makes the namespace recognisable in `ip netns list`; a pid and a
// random suffix keep parallel tests and packages apart.
func New(t testing.TB, name string) *NS {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netnstest: network namespaces need root (CAP_NET_ADMIN); run the tests as root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("netnstest: the ip command is missing; install iproute2 (apt-get install -y iproute2)")
	}
	id := rand.Uint32()
	ns := &NS{
		t:      t,
		name:   fmt.Sprintf("vantage-%s-%d-%08x", clean(name), os.Getpid(), id),
		hostIf: fmt.Sprintf("vth%08x", id), // interface names: 15 bytes at most
		nsIf:   fmt.Sprintf("vtn%08x", id),
		prefix: freePrefix(t),
	}
	ns.host = ns.prefix.Addr().Next()
	ns.addr = ns.host.Next()

	if out, err := ipCmd("netns", "add", ns.name); err != nil {
		t.Skipf("netnstest: cannot create network namespace %s: %v: %s", ns.name, err, out)
	}
	t.Cleanup(func() {
		// Deleting the namespace deletes its veth end, and with it ours.
		if out, err := ipCmd("netns", "del", ns.name); err != nil {
			t.Errorf("netnstest: delete namespace %s: %v: %s", ns.name, err, out)
		}
	})
	guard := []string{"route", "add", "unreachable", ns.prefix.String(), "metric", "9999"}
	if out, err := ipCmd(guard...); err != nil {
		t.Fatalf("netnstest: add guard route %s: %v: %s", ns.prefix, err, out)
	}
	t.Cleanup(func() {
		guard[1] = "del"
		if out, err := ipCmd(guard...); err != nil {
			t.Errorf("netnstest: delete guard route %s: %v: %s", ns.prefix, err, out)
		}
	})
	if out, err := ipCmd("link", "add", ns.hostIf, "type", "veth", "peer", "name", ns.nsIf, "netns", ns.name); err != nil {
		t.Skipf("netnstest: cannot create a veth pair (is the veth module available?): %v: %s", err, out)
	}
	bits := ns.prefix.Bits()
	for _, args := range [][]string{
		{"addr", "add", fmt.Sprintf("%s/%d", ns.host, bits), "dev", ns.hostIf},
		{"link", "set", ns.hostIf, "up"},
		{"-n", ns.name, "link", "set", "lo", "up"},
		{"-n", ns.name, "addr", "add", fmt.Sprintf("%s/%d", ns.addr, bits), "dev", ns.nsIf},
		{"-n", ns.name, "link", "set", ns.nsIf, "up"},
	} {
		if out, err := ipCmd(args...); err != nil {
			t.Fatalf("netnstest: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return ns
}

// Name is the namespace's name, for `ip netns exec`.
func (ns *NS) Name() string { return ns.name }

// Addr is the namespace side of the link: the address to probe.
func (ns *NS) Addr() netip.Addr { return ns.addr }

// HostAddr is the host side of the link.
func (ns *NS) HostAddr() netip.Addr { return ns.host }

// HostIf is the name of the veth end in the host's namespace, for tools
// that capture on it (tcpdump, fprobe, softflowd -i).
func (ns *NS) HostIf() string { return ns.hostIf }

// LinkDown takes the namespace's end of the link down, so Addr stops
// answering (echoes time out while ARP fails). The host end stays up on
// purpose: its route to the /30 must stay.
func (ns *NS) LinkDown() {
	ns.t.Helper()
	if out, err := ipCmd("-n", ns.name, "link", "set", ns.nsIf, "down"); err != nil {
		ns.t.Fatalf("netnstest: link down in %s: %v: %s", ns.name, err, out)
	}
}

// LinkUp brings the namespace's end of the link back up.
func (ns *NS) LinkUp() {
	ns.t.Helper()
	if out, err := ipCmd("-n", ns.name, "link", "set", ns.nsIf, "up"); err != nil {
		ns.t.Fatalf("netnstest: link up in %s: %v: %s", ns.name, err, out)
	}
}

// Exec runs a command inside the namespace and returns its combined output,
// e.g. ns.Exec("sysctl", "-w", "net.ipv4.icmp_echo_ignore_all=1").
func (ns *NS) Exec(args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.name}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("in namespace %s: %s: %w", ns.name, strings.Join(args, " "), err)
	}
	return string(out), nil
}

func ipCmd(args ...string) (string, error) {
	out, err := exec.Command("ip", args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// clean keeps a test name usable as (part of) a namespace name.
func clean(name string) string {
	name = unsafeChars.ReplaceAllString(name, "_")
	if len(name) > 40 {
		name = name[:40]
	}
	return name
}

// freePrefix picks a random /30 in 198.18.0.0/15 that no local interface
// or route uses yet.
func freePrefix(t testing.TB) netip.Prefix {
	t.Helper()
	used := usedPrefixes()
	base := netip.MustParseAddr("198.18.0.0").As4()
	for range 100 {
		n := rand.IntN(1 << 15) // /30 blocks in a /15
		a := base
		a[1] += byte(n >> 14)
		a[2] = byte(n >> 6)
		a[3] = byte(n&0x3f) << 2
		p := netip.PrefixFrom(netip.AddrFrom4(a), 30)
		if !overlapsAny(p, used) {
			return p
		}
	}
	t.Fatal("netnstest: no free /30 in 198.18.0.0/15")
	return netip.Prefix{}
}

// usedPrefixes are the local interface prefixes, and the routes in
// 198.18.0.0/15 more specific than it (other tests' links and guards).
func usedPrefixes() []netip.Prefix {
	var used []netip.Prefix
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				used = append(used, p)
			}
		}
	}
	bench := netip.MustParsePrefix("198.18.0.0/15")
	out, _ := ipCmd("-4", "route", "show", "table", "all")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "unreachable" || len(f) > 1 && f[0] == "local" {
			f = f[1:]
		}
		if len(f) == 0 {
			continue
		}
		p, err := netip.ParsePrefix(f[0])
		if err != nil {
			if a, err2 := netip.ParseAddr(f[0]); err2 == nil {
				p = netip.PrefixFrom(a, 32)
			} else {
				continue
			}
		}
		if p.Bits() > bench.Bits() && bench.Overlaps(p) {
			used = append(used, p)
		}
	}
	return used
}

func overlapsAny(p netip.Prefix, used []netip.Prefix) bool {
	for _, u := range used {
		if u.Overlaps(p) {
			return true
		}
	}
	return false
}
