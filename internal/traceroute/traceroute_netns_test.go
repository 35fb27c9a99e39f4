package traceroute

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

// chain builds host → r1 → r2 → target in namespaces and returns the
// addresses a trace to the target must list, in order. ICMP rate limits are
// lifted in the namespaces so that back-to-back traces all get answers.
func chain(t *testing.T) (tp *netnstest.Topology, target netip.Addr, hops []netip.Addr, cut *netnstest.Link) {
	t.Helper()
	tp = netnstest.NewTopology(t, "trace")
	r1, r2, dst := tp.Router("r1"), tp.Router("r2"), tp.Leaf("target")
	l1 := tp.Link(tp.Host(), r1)
	l2 := tp.Link(r1, r2)
	tp.Link(r2, dst)
	tp.Build()
	// When the r1–r2 link is cut, r1 must drop the probes silently, as a
	// router with a dead next hop does, rather than answer Host
	// Unreachable once its ARP entry for r2 fails: pin that entry.
	pinNeighbour(t, r1, l2.AAddr(), r2, l2.BAddr())
	for _, n := range []*netnstest.Node{r1, r2, dst} {
		if out, err := n.Exec("sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	// Routers answer from the address of the link the probe came in on
	// (the one on the way back to us); the target from the address probed.
	return tp, dst.Addr(), []netip.Addr{l1.BAddr(), l2.BAddr(), dst.Addr()}, l2
}

// pinNeighbour makes from's ARP entry for to's address on their link
// permanent.
func pinNeighbour(t *testing.T, from *netnstest.Node, fromAddr netip.Addr, to *netnstest.Node, toAddr netip.Addr) {
	t.Helper()
	ifOf := func(n *netnstest.Node, a netip.Addr) string {
		out, err := n.Exec("ip", "-o", "addr", "show", "to", a.String()+"/32")
		f := strings.Fields(out)
		if err != nil || len(f) < 2 {
			t.Fatalf("interface of %s in %s: %v: %q", a, n.Label(), err, out)
		}
		name, _, _ := strings.Cut(f[1], "@")
		return name
	}
	out, err := to.Exec("cat", "/sys/class/net/"+ifOf(to, toAddr)+"/address")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if out, err := from.Exec("ip", "neigh", "replace", toAddr.String(), "lladdr", strings.TrimSpace(out),
		"dev", ifOf(from, fromAddr), "nud", "permanent"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}

// trace runs a trace after checking that the destination is inside the
// topology's guarded block: a trace anywhere else would send probes with
// growing TTLs onto the real network.
func trace(t *testing.T, block netip.Prefix, dst netip.Addr, opt Options) []Hop {
	t.Helper()
	if !block.Contains(dst) && !dst.IsLoopback() {
		t.Fatalf("refusing to trace %s: outside the test topology %s", dst, block)
	}
	var hops []Hop
	if err := Run(context.Background(), dst, opt, func(h Hop) { hops = append(hops, h) }); err != nil {
		t.Fatalf("trace %s: %v", dst, err)
	}
	for _, h := range hops {
		t.Log(FormatHop(h))
	}
	return hops
}

func TestTraceChain(t *testing.T) {
	tp, dst, want, _ := chain(t)
	for _, mode := range []string{ModeUDP, ModeICMP} {
		t.Run(mode, func(t *testing.T) {
			hops := trace(t, tp.Block(), dst, Options{Mode: mode, MaxHops: 8, Timeout: 2 * time.Second})
			if len(hops) != len(want) {
				t.Fatalf("%d hops, want %d (%v)", len(hops), len(want), want)
			}
			for i, h := range hops {
				if h.TTL != i+1 || len(h.Probes) != DefaultQueries {
					t.Fatalf("hop %d: TTL %d, %d probes", i+1, h.TTL, len(h.Probes))
				}
				for _, p := range h.Probes {
					if p.Lost || p.From != want[i] || p.Note != "" {
						t.Errorf("hop %d: %+v, want an answer from %s", i+1, p, want[i])
					}
				}
				if h.Final() != (i == len(want)-1) {
					t.Errorf("hop %d: final = %v", i+1, h.Final())
				}
			}
		})
	}
}

// TestTraceMatchesDebian compares our hops with those Debian's traceroute
// lists through the same namespaces, when it is installed.
func TestTraceMatchesDebian(t *testing.T) {
	bin, err := exec.LookPath("traceroute")
	if err != nil {
		t.Skip("Debian's traceroute is not installed (apt-get install traceroute)")
	}
	tp, dst, want, _ := chain(t)
	if !tp.Block().Contains(dst) {
		t.Fatalf("refusing to trace %s: outside %s", dst, tp.Block())
	}
	hopRE := regexp.MustCompile(`(?m)^\s*(\d+)\s+(\S+)`)
	for _, flag := range []string{"-U", "-I"} {
		t.Run(flag, func(t *testing.T) {
			out, err := exec.Command(bin, flag, "-n", "-w", "2", "-m", "8", dst.String()).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v: %s", bin, err, out)
			}
			var theirs []string
			for _, m := range hopRE.FindAllStringSubmatch(string(out), -1) {
				theirs = append(theirs, m[2])
			}
			mode := map[string]string{"-U": ModeUDP, "-I": ModeICMP}[flag]
			var ours []string
			for _, h := range trace(t, tp.Block(), dst, Options{Mode: mode, MaxHops: 8, Timeout: 2 * time.Second}) {
				ours = append(ours, h.Probes[0].From.String())
			}
			if fmt.Sprint(ours) != fmt.Sprint(theirs) || len(ours) != len(want) {
				t.Errorf("our hops %v, Debian's %v (output %s)", ours, theirs, out)
			}
		})
	}
}

func TestTraceCutLink(t *testing.T) {
	tp, dst, want, cut := chain(t)
	cut.Down()
	const maxHops = 4
	for _, mode := range []string{ModeUDP, ModeICMP} {
		t.Run(mode, func(t *testing.T) {
			hops := trace(t, tp.Block(), dst, Options{Mode: mode, MaxHops: maxHops, Timeout: time.Second})
			if len(hops) != maxHops {
				t.Fatalf("%d hops, want the trace to stop at max hops %d", len(hops), maxHops)
			}
			if p := hops[0].Probes[0]; p.Lost || p.From != want[0] {
				t.Errorf("hop 1: %+v, want %s", p, want[0])
			}
			for _, h := range hops[1:] {
				if line := FormatHop(h); line != fmt.Sprintf("%2d  * * *", h.TTL) {
					t.Errorf("hop %d: %q, want only lost probes", h.TTL, line)
				}
			}
		})
	}
}

// TestTraceLoopback6 covers IPv6 on ::1, which never leaves the host.
func TestTraceLoopback6(t *testing.T) {
	netnstest.New(t, "trace6") // root and iproute2, or skip, like the other tests
	dst := netip.IPv6Loopback()
	for _, mode := range []string{ModeUDP, ModeICMP} {
		t.Run(mode, func(t *testing.T) {
			hops := trace(t, netip.Prefix{}, dst, Options{Mode: mode, MaxHops: 3, Timeout: 2 * time.Second})
			if len(hops) != 1 || !hops[0].Final() || hops[0].Probes[0].From != dst {
				t.Fatalf("hops %+v, want one final hop from ::1", hops)
			}
		})
	}
}
