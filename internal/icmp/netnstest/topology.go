package netnstest

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A Topology is a small routed network made of namespaces: routers that
// forward, hosts that do not, and the host the test runs in (the vantage
// point), joined by veth links. Build installs static routes along the
// shortest paths, so that the test's own programs reach every namespace
// through the chain of routers, exactly as they would reach hosts behind
// real routers.
//
// Every address comes from one /24 of 198.18.0.0/15 picked for the
// topology: links are /30s from the bottom of it, node addresses /32s
// (on the node's loopback) from the top. Before anything is created an
// "unreachable" route for the whole /24 with a high metric is added to the
// host, so that when a link is cut, or a route is ignored, packets for the
// topology are refused on the spot instead of following the default route
// off the machine. The host never forwards (its ip_forward is left as it
// is, and it is not a transit node in the routes).
//
// When the host has several links into the topology, it gets one route per
// link and destination (metric by hop count), and its link ends ignore
// routes whose link is down, so that cutting one uplink moves traffic to
// the others, and cutting all of them leaves the guard route.
//
// Everything is removed in t.Cleanup, the guard route last.
type Topology struct {
	t     testing.TB
	name  string
	id    uint32
	block netip.Prefix
	// next /30 (from the bottom) and next /32 (from the top) of block.
	nextLink, nextAddr int
	nodes              []*Node
	links              []*Link
	built              bool
}

// Node is the host or a namespace in a Topology.
type Node struct {
	topo   *Topology
	label  string
	ns     string // "" for the host
	router bool
	addrs  []netip.Addr // on the loopback; addrs[0] is Addr
	links  []*Link
}

// Link is a veth pair between two nodes of a Topology, with a /30: A's end
// is .1, B's end .2.
type Link struct {
	topo         *Topology
	a, b         *Node
	aIf, bIf     string
	prefix       netip.Prefix
	aAddr, bAddr netip.Addr
}

// NewTopology picks and guards an address block for a topology; add nodes
// and links, then call Build. It skips the test without root or iproute2,
// unless the environment variable CI is "true", when it fails instead.
func NewTopology(t testing.TB, name string) *Topology {
	t.Helper()
	requireNetns(t)
	id := rand.Uint32()
	tp := &Topology{t: t, name: fmt.Sprintf("%s-%d-%08x", clean(name), os.Getpid(), id), id: id}
	tp.block = freeBlock(t)
	guard := []string{"route", "add", "unreachable", tp.block.String(), "metric", "9999"}
	if out, err := ipCmd(guard...); err != nil {
		t.Fatalf("netnstest: add guard route %s: %v: %s", tp.block, err, out)
	}
	t.Cleanup(func() {
		guard[1] = "del"
		if out, err := ipCmd(guard...); err != nil {
			t.Errorf("netnstest: delete guard route %s: %v: %s", tp.block, err, out)
		}
	})
	tp.nodes = append(tp.nodes, &Node{topo: tp, label: "host"})
	return tp
}

// requireNetns skips (or, under CI=true, fails) the test when namespaces
// cannot be made here.
func requireNetns(t testing.TB) {
	t.Helper()
	stop := t.Skip
	if os.Getenv("CI") == "true" {
		stop = t.Fatal
	}
	if os.Geteuid() != 0 {
		stop("netnstest: network namespaces need root (CAP_NET_ADMIN); run the tests as root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		stop("netnstest: the ip command is missing; install iproute2 (apt-get install -y iproute2)")
	}
}

// Block is the topology's address block.
func (tp *Topology) Block() netip.Prefix { return tp.block }

// Host is the node for the host the test runs in.
func (tp *Topology) Host() *Node { return tp.nodes[0] }

// Router adds a namespace that forwards packets between its links.
func (tp *Topology) Router(label string) *Node { return tp.add(label, true) }

// Leaf adds a namespace that does not forward.
func (tp *Topology) Leaf(label string) *Node { return tp.add(label, false) }

func (tp *Topology) add(label string, router bool) *Node {
	tp.t.Helper()
	if tp.built {
		tp.t.Fatal("netnstest: node added after Build")
	}
	n := &Node{topo: tp, label: label, router: router,
		ns: fmt.Sprintf("vantage-%s-%s", tp.name, clean(label))}
	if out, err := ipCmd("netns", "add", n.ns); err != nil {
		tp.t.Fatalf("netnstest: cannot create network namespace %s: %v: %s", n.ns, err, out)
	}
	tp.t.Cleanup(func() {
		// Deleting the namespace deletes its veth ends, and with them the
		// peers in other namespaces and on the host.
		if out, err := ipCmd("netns", "del", n.ns); err != nil {
			tp.t.Errorf("netnstest: delete namespace %s: %v: %s", n.ns, err, out)
		}
	})
	tp.nodes = append(tp.nodes, n)
	cmds := [][]string{{"link", "set", "lo", "up"}}
	if router {
		cmds = append(cmds, []string{"netns", "exec", n.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"})
	}
	for _, c := range cmds {
		args := c
		if c[0] != "netns" {
			args = append([]string{"-n", n.ns}, c...)
		}
		if out, err := ipCmd(args...); err != nil {
			tp.t.Fatalf("netnstest: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	n.AddAddr()
	return n
}

// AddAddr gives the node one more address (a /32 on its loopback, routed
// like the first) and returns it. Call it before Build.
func (n *Node) AddAddr() netip.Addr {
	tp := n.topo
	tp.t.Helper()
	if tp.built {
		tp.t.Fatal("netnstest: address added after Build")
	}
	if n.ns == "" {
		tp.t.Fatal("netnstest: the host has no topology addresses of its own")
	}
	if 256-tp.nextAddr-1 < tp.nextLink*4 {
		tp.t.Fatalf("netnstest: address block %s is full", tp.block)
	}
	a := tp.block.Addr().As4()
	a[3] = byte(255 - tp.nextAddr)
	tp.nextAddr++
	addr := netip.AddrFrom4(a)
	if out, err := ipCmd("-n", n.ns, "addr", "add", addr.String()+"/32", "dev", "lo"); err != nil {
		tp.t.Fatalf("netnstest: address %s in %s: %v: %s", addr, n.ns, err, out)
	}
	n.addrs = append(n.addrs, addr)
	return addr
}

// Link joins a and b by a veth pair. Cutting it (Down) takes b's end down,
// so for a link from the host to a namespace the host keeps its route.
func (tp *Topology) Link(a, b *Node) *Link {
	tp.t.Helper()
	if tp.built {
		tp.t.Fatal("netnstest: link added after Build")
	}
	if a == b || b.ns == "" {
		tp.t.Fatal("netnstest: a link joins two different nodes, the host (if either) first")
	}
	if (tp.nextLink+1)*4 > 256-tp.nextAddr {
		tp.t.Fatalf("netnstest: address block %s is full", tp.block)
	}
	base := tp.block.Addr().As4()
	base[3] = byte(tp.nextLink * 4)
	tp.nextLink++
	p := netip.PrefixFrom(netip.AddrFrom4(base), 30)
	l := &Link{topo: tp, a: a, b: b, prefix: p, aAddr: p.Addr().Next(), bAddr: p.Addr().Next().Next(),
		aIf: fmt.Sprintf("vta%08x%02x", tp.id, len(tp.links)), bIf: fmt.Sprintf("vtb%08x%02x", tp.id, len(tp.links))}
	// Create both ends in b's namespace, then move A's end where it goes.
	if out, err := ipCmd("-n", b.ns, "link", "add", l.bIf, "type", "veth", "peer", "name", l.aIf); err != nil {
		tp.t.Fatalf("netnstest: cannot create a veth pair (is the veth module available?): %v: %s", err, out)
	}
	move := []string{"-n", b.ns, "link", "set", l.aIf, "netns", a.ns}
	if a.ns == "" {
		move[len(move)-1] = "1" // pid 1 is in the host's namespace
	}
	for _, args := range [][]string{
		move,
		a.ip("addr", "add", fmt.Sprintf("%s/30", l.aAddr), "dev", l.aIf),
		a.ip("link", "set", l.aIf, "up"),
		b.ip("addr", "add", fmt.Sprintf("%s/30", l.bAddr), "dev", l.bIf),
		b.ip("link", "set", l.bIf, "up"),
	} {
		if out, err := ipCmd(args...); err != nil {
			tp.t.Fatalf("netnstest: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	tp.links = append(tp.links, l)
	a.links = append(a.links, l)
	b.links = append(b.links, l)
	return l
}

// ip prefixes an ip command with the node's namespace.
func (n *Node) ip(args ...string) []string {
	if n.ns == "" {
		return args
	}
	return append([]string{"-n", n.ns}, args...)
}

// Build installs the routes: every node gets a route to every address and
// link of the topology it is not directly on, through the first hop of a
// shortest path that only crosses routers.
func (tp *Topology) Build() {
	tp.t.Helper()
	if tp.built {
		tp.t.Fatal("netnstest: Build called twice")
	}
	tp.built = true
	host := tp.Host()
	if len(host.links) > 1 {
		for _, l := range host.links {
			if out, err := exec.Command("sysctl", "-qw", "net.ipv4.conf."+l.aIf+".ignore_routes_with_linkdown=1").CombinedOutput(); err != nil {
				tp.t.Fatalf("netnstest: sysctl on %s: %v: %s", l.aIf, err, out)
			}
		}
	}
	for _, n := range tp.nodes {
		var batch []string
		for _, dst := range tp.destinations() {
			if dst.owner == n || dst.link != nil && (dst.link.a == n || dst.link.b == n) {
				continue // its own address, or a link it is on
			}
			if n == host {
				for i, l := range n.links {
					// Shorter paths first; equal ones in the order of the links.
					if d, ok := dst.distance(tp.distances(l.other(n), n)); ok {
						batch = append(batch, fmt.Sprintf("route add %s via %s dev %s metric %d", dst.prefix, l.peerAddr(n), l.ifOf(n), 100+100*d+i))
					}
				}
			} else if l, _ := n.route(dst); l != nil {
				batch = append(batch, fmt.Sprintf("route add %s via %s dev %s", dst.prefix, l.peerAddr(n), l.ifOf(n)))
			}
		}
		if len(batch) == 0 {
			continue
		}
		cmd := exec.Command("ip", n.ip("-batch", "-")...)
		cmd.Stdin = strings.NewReader(strings.Join(batch, "\n") + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			tp.t.Fatalf("netnstest: routes in %s: %v: %s", n.label, err, out)
		}
	}
}

type destination struct {
	prefix netip.Prefix
	owner  *Node // a node address
	link   *Link // or a link's /30
}

func (tp *Topology) destinations() []destination {
	var out []destination
	for _, n := range tp.nodes {
		for _, a := range n.addrs {
			out = append(out, destination{prefix: netip.PrefixFrom(a, 32), owner: n})
		}
	}
	for _, l := range tp.links {
		out = append(out, destination{prefix: l.prefix, link: l})
	}
	return out
}

// distance is the hop count to the destination given hop counts to nodes.
func (d destination) distance(dist map[*Node]int) (int, bool) {
	if d.owner != nil {
		v, ok := dist[d.owner]
		return v, ok
	}
	va, okA := dist[d.link.a]
	vb, okB := dist[d.link.b]
	if d.link.a.ns == "" {
		// The host never forwards, but takes packets for any of its
		// addresses on any link: a path to its end of this link must end
		// on this link, or replies would follow a link that may be cut.
		okA = false
		vb++
	}
	switch {
	case okA && okB:
		return min(va, vb), true
	case okA:
		return va, true
	case okB:
		return vb, true
	}
	return 0, false
}

// distances are hop counts from start to every node, by a BFS that only
// continues through routers and never through from (the node routing).
func (tp *Topology) distances(start, from *Node) map[*Node]int {
	dist := map[*Node]int{start: 0}
	queue := []*Node{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if !v.router {
			continue
		}
		for _, l := range v.links {
			w := l.other(v)
			if _, seen := dist[w]; seen || w == from {
				continue
			}
			dist[w] = dist[v] + 1
			queue = append(queue, w)
		}
	}
	return dist
}

// route is the link a namespace sends dst through: the first of its links
// on a shortest path.
func (n *Node) route(dst destination) (*Link, int) {
	var best *Link
	bestD := 0
	for _, l := range n.links {
		d, ok := dst.distance(n.topo.distances(l.other(n), n))
		if ok && (best == nil || d < bestD) {
			best, bestD = l, d
		}
	}
	return best, bestD
}

func (l *Link) other(n *Node) *Node {
	if l.a == n {
		return l.b
	}
	return l.a
}

func (l *Link) peerAddr(n *Node) netip.Addr {
	if l.a == n {
		return l.bAddr
	}
	return l.aAddr
}

func (l *Link) ifOf(n *Node) string {
	if l.a == n {
		return l.aIf
	}
	return l.bIf
}

// Down cuts the link by taking B's end down: B stops answering on it and
// everything routed through it is lost (or refused by the guard route).
func (l *Link) Down() {
	l.topo.t.Helper()
	if out, err := ipCmd(l.b.ip("link", "set", l.bIf, "down")...); err != nil {
		l.topo.t.Fatalf("netnstest: link down in %s: %v: %s", l.b.ns, err, out)
	}
}

// Up brings B's end back up.
func (l *Link) Up() {
	l.topo.t.Helper()
	if out, err := ipCmd(l.b.ip("link", "set", l.bIf, "up")...); err != nil {
		l.topo.t.Fatalf("netnstest: link up in %s: %v: %s", l.b.ns, err, out)
	}
}

// AAddr is A's address on the link.
func (l *Link) AAddr() netip.Addr { return l.aAddr }

// BAddr is B's address on the link: unlike B's own Addr, which other links
// may still lead to, it stops answering when the link is cut.
func (l *Link) BAddr() netip.Addr { return l.bAddr }

// Prefix is the link's /30.
func (l *Link) Prefix() netip.Prefix { return l.prefix }

// Name is the node's namespace, "" for the host.
func (n *Node) Name() string { return n.ns }

// Label is the name the node was added with.
func (n *Node) Label() string { return n.label }

// Addr is the node's first address, the one to probe. The host has none.
func (n *Node) Addr() netip.Addr {
	if len(n.addrs) == 0 {
		return netip.Addr{}
	}
	return n.addrs[0]
}

// Addrs are all the node's addresses, Addr first.
func (n *Node) Addrs() []netip.Addr { return append([]netip.Addr(nil), n.addrs...) }

// Exec runs a command inside the node's namespace (on the host for the
// host) and returns its combined output.
func (n *Node) Exec(args ...string) (string, error) {
	var cmd *exec.Cmd
	if n.ns == "" {
		cmd = exec.Command(args[0], args[1:]...)
	} else {
		cmd = exec.Command("ip", append([]string{"netns", "exec", n.ns}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("in %s: %s: %w", n.label, strings.Join(args, " "), err)
	}
	return string(out), nil
}

// freeBlock picks a random /24 in 198.18.0.0/15 that no local interface
// address or route uses yet.
func freeBlock(t testing.TB) netip.Prefix {
	t.Helper()
	used := usedPrefixes()
	base := netip.MustParseAddr("198.18.0.0").As4()
	for range 100 {
		n := rand.IntN(1 << 9) // /24 blocks in a /15
		a := base
		a[1] += byte(n >> 8)
		a[2] = byte(n)
		p := netip.PrefixFrom(netip.AddrFrom4(a), 24)
		if !overlapsAny(p, used) {
			return p
		}
	}
	t.Fatal("netnstest: no free /24 in 198.18.0.0/15")
	return netip.Prefix{}
}
