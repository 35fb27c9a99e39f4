package netnstest

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
)

// reachable pings a from the host once with fping, only ever at an
// address inside the topology's guarded block.
func reachable(t *testing.T, tp *Topology, a netip.Addr) bool {
	t.Helper()
	if !tp.Block().Contains(a) {
		t.Fatalf("refusing to ping %s: outside the topology's block %s", a, tp.Block())
	}
	if _, err := exec.LookPath("fping"); err != nil {
		t.Skip("fping is missing")
	}
	return exec.Command("fping", "-q", "-c1", "-t300", a.String()).Run() == nil
}

// routeStaysLocal checks that the host routes a either into the topology's
// links or nowhere, never off the machine.
func routeStaysLocal(t *testing.T, a netip.Addr) {
	t.Helper()
	out, _ := exec.Command("ip", "route", "get", a.String()).CombinedOutput()
	if !strings.Contains(string(out), " dev vta") && !strings.Contains(string(out), "unreachable") && !strings.Contains(string(out), "No route to host") {
		t.Fatalf("route to %s leaves the topology: %s", a, out)
	}
}

func TestTopologyChain(t *testing.T) {
	var names []string
	t.Run("chain", func(t *testing.T) {
		tp := NewTopology(t, "chain")
		n2, n1, n3 := tp.Router("n2"), tp.Router("n1"), tp.Leaf("n3")
		up := tp.Link(tp.Host(), n2)
		tp.Link(n2, n1)
		tp.Link(n1, n3)
		tp.Build()
		names = []string{n2.Name(), n1.Name(), n3.Name()}
		all := []*Node{n2, n1, n3}
		for _, n := range all {
			if !reachable(t, tp, n.Addr()) {
				t.Fatalf("%s (%s) does not answer", n.Label(), n.Addr())
			}
		}
		if out, err := n3.Exec("ip", "route", "get", tp.Host().links[0].aAddr.String()); err != nil || !strings.Contains(out, " via ") {
			t.Fatalf("n3's way back: %v %s", err, out)
		}
		up.Down()
		for _, n := range all {
			routeStaysLocal(t, n.Addr())
			if reachable(t, tp, n.Addr()) {
				t.Fatalf("%s answers with its uplink cut", n.Label())
			}
		}
		up.Up()
		for _, n := range all {
			if !reachable(t, tp, n.Addr()) {
				t.Fatalf("%s does not answer after the link is back", n.Label())
			}
		}
	})
	if names == nil {
		return // skipped
	}
	out, _ := exec.Command("ip", "netns", "list").CombinedOutput()
	for _, n := range names {
		if strings.Contains(string(out), n) {
			t.Errorf("namespace %s left behind", n)
		}
	}
}

// TestTopologyRing: a ring of four routers reached by two uplinks. One cut
// uplink moves traffic to the other; with both cut nothing answers and
// nothing leaves the machine.
func TestTopologyRing(t *testing.T) {
	tp := NewTopology(t, "ring")
	ua, ub := tp.Router("ua"), tp.Router("ub")
	r := []*Node{tp.Router("r1"), tp.Router("r2"), tp.Router("r3"), tp.Router("r4")}
	la := tp.Link(tp.Host(), ua)
	lb := tp.Link(tp.Host(), ub)
	tp.Link(ua, r[0])
	tp.Link(ub, r[2])
	for i := range r {
		tp.Link(r[i], r[(i+1)%len(r)])
	}
	tp.Build()
	// The uplinks are probed on their side of the host link: that address
	// is cut with the link, while their own (loopback) address is still
	// reached through the ring.
	addr := func(n *Node) netip.Addr {
		switch n {
		case ua:
			return la.BAddr()
		case ub:
			return lb.BAddr()
		}
		return n.Addr()
	}
	check := func(want map[*Node]bool) {
		t.Helper()
		for _, n := range append([]*Node{ua, ub}, r...) {
			routeStaysLocal(t, addr(n))
			if got := reachable(t, tp, addr(n)); got != want[n] {
				t.Fatalf("%s answers: %v, want %v", n.Label(), got, want[n])
			}
		}
		if got := reachable(t, tp, ua.Addr()); got != (want[ub] || want[ua]) {
			t.Fatalf("ua's own address answers: %v", got)
		}
	}
	everyone := map[*Node]bool{ua: true, ub: true, r[0]: true, r[1]: true, r[2]: true, r[3]: true}
	check(everyone)
	la.Down()
	check(map[*Node]bool{ub: true, r[0]: true, r[1]: true, r[2]: true, r[3]: true})
	lb.Down()
	check(map[*Node]bool{})
	la.Up()
	check(map[*Node]bool{ua: true, r[0]: true, r[1]: true, r[2]: true, r[3]: true})
	lb.Up()
	check(everyone)
}
