package netmap

import (
	"cmp"
	"net/netip"
	"slices"
)

// Graph is the undirected reachability graph of a map from its vantage point.
//
// Its nodes are the map's devices and networks: a network oval is a node
// too, so two devices linked to the same oval reach each other through it.
// Its edges are the map's links (explicit plus automatic). Only devices can
// fail; a network is never down.
//
// A Graph is immutable once built and safe for concurrent use. Building it
// is O(V+E) (one iterative Tarjan DFS from the vantage point); Upstream is
// O(result), Unreachable and Dependents are O(V+E).
type Graph struct {
	vantage string
	root    int32 // index of the vantage point, -1 when none

	names  []string
	device []bool // device[i]: node i is a device (else a network)
	index  map[string]int32

	// adjacency in CSR form: the neighbours of i are adj[off[i]:off[i+1]].
	off []int32
	adj []int32

	// connected[i]: node i is reachable from the vantage point when nothing
	// is down.
	connected []bool
	// dist is the hop count from the vantage point (-1 when not connected).
	dist []int32
	// up[i] is the nearest device strictly between the vantage point and i
	// whose failure alone cuts i off, or -1. Following up from i lists
	// Upstream(i) nearest-to-i first.
	up []int32
}

// NewGraph builds the dependency graph of m from m.AllLinks(). Links whose
// endpoints are not on the map, links from a node to itself and duplicate
// links are ignored. When m has no vantage point, or names one that is not
// on the map, no device depends on any other: every device is direct and
// is never reported unreachable.
func NewGraph(m *Map) *Graph {
	if m == nil {
		return newGraph(&Map{}, nil)
	}
	return newGraph(m, m.AllLinks())
}

// NewGraphResolved is NewGraph with the addresses of DNS-name devices
// supplied by resolve, as for AllLinksResolved.
func NewGraphResolved(m *Map, resolve func(name string) []netip.Addr) *Graph {
	if m == nil {
		return newGraph(&Map{}, nil)
	}
	return newGraph(m, m.AllLinksResolved(resolve))
}

func newGraph(m *Map, links []Link) *Graph {
	g := &Graph{vantage: m.Vantage, root: -1, index: make(map[string]int32, len(m.Devices)+len(m.Networks))}
	addNode := func(name string, dev bool) {
		if _, dup := g.index[name]; dup || name == "" {
			return // names are unique on a valid map; the first one wins
		}
		g.index[name] = int32(len(g.names))
		g.names = append(g.names, name)
		g.device = append(g.device, dev)
	}
	for i := range m.Devices {
		addNode(m.Devices[i].Name, true)
	}
	for i := range m.Networks {
		addNode(m.Networks[i].Name, false)
	}
	n := len(g.names)

	// Edges, deduplicated and without self-loops.
	type edge struct{ a, b int32 }
	edges := make([]edge, 0, len(links))
	seen := make(map[edge]struct{}, len(links))
	deg := make([]int32, n+1)
	for _, l := range links {
		a, okA := g.index[l.From]
		b, okB := g.index[l.To]
		if !okA || !okB || a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		e := edge{a, b}
		if _, dup := seen[e]; dup {
			continue
		}
		seen[e] = struct{}{}
		edges = append(edges, e)
		deg[a]++
		deg[b]++
	}
	g.off = make([]int32, n+1)
	for i := 0; i < n; i++ {
		g.off[i+1] = g.off[i] + deg[i]
	}
	g.adj = make([]int32, 2*len(edges))
	fill := slices.Clone(g.off[:n])
	for _, e := range edges {
		g.adj[fill[e.a]] = e.b
		fill[e.a]++
		g.adj[fill[e.b]] = e.a
		fill[e.b]++
	}

	g.connected = make([]bool, n)
	g.dist = make([]int32, n)
	g.up = make([]int32, n)
	for i := range g.dist {
		g.dist[i] = -1
		g.up[i] = -1
	}
	if r, ok := g.index[m.Vantage]; ok {
		g.root = r
		g.bfsDist()
		g.separators()
	}
	return g
}

// bfsDist fills connected and dist by a BFS from the root.
func (g *Graph) bfsDist() {
	queue := make([]int32, 0, len(g.names))
	queue = append(queue, g.root)
	g.connected[g.root] = true
	g.dist[g.root] = 0
	for h := 0; h < len(queue); h++ {
		v := queue[h]
		for _, w := range g.adj[g.off[v]:g.off[v+1]] {
			if !g.connected[w] {
				g.connected[w] = true
				g.dist[w] = g.dist[v] + 1
				queue = append(queue, w)
			}
		}
	}
}

// separators runs an iterative Tarjan DFS from the root and fills up.
//
// In the DFS tree, a non-root vertex u separates the subtree of its child c
// from the root exactly when low[c] >= disc[u]. The separators of a vertex
// are therefore the ancestors u (other than the root) whose child on the
// path to it satisfies that test; they are found top-down, when each tree
// edge is first taken, since low[c] is final once c's subtree is done.
// Networks are never down, so only devices are recorded.
func (g *Graph) separators() {
	n := len(g.names)
	disc := make([]int32, n)
	low := make([]int32, n)
	parent := make([]int32, n)
	next := make([]int32, n) // next adjacency position to scan
	for i := range disc {
		disc[i] = -1
	}
	order := make([]int32, 0, n) // vertices in discovery order
	stack := make([]int32, 0, 64)
	var t int32
	visit := func(v, p int32) {
		disc[v], low[v], parent[v], next[v] = t, t, p, g.off[v]
		t++
		order = append(order, v)
		stack = append(stack, v)
	}
	visit(g.root, -1)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		if next[v] < g.off[v+1] {
			w := g.adj[next[v]]
			next[v]++
			switch {
			case disc[w] < 0:
				visit(w, v)
			case w != parent[v]: // edges are deduplicated, so this is a back edge
				low[v] = min(low[v], disc[w])
			}
			continue
		}
		stack = stack[:len(stack)-1]
		if p := parent[v]; p >= 0 {
			low[p] = min(low[p], low[v])
		}
	}
	// Parents come before children in discovery order, so up[parent] is
	// final when a child is reached.
	for _, c := range order {
		u := parent[c]
		if u < 0 {
			continue
		}
		if u != g.root && g.device[u] && low[c] >= disc[u] {
			g.up[c] = u
		} else {
			g.up[c] = g.up[u]
		}
	}
}

// Vantage returns the map's vantage point as named by the map, which may be
// empty or unknown (then nothing depends on anything).
func (g *Graph) Vantage() string { return g.vantage }

// HasVantage reports whether the vantage point names a device or network
// on the map.
func (g *Graph) HasVantage() bool { return g.root >= 0 }

// Connected reports whether name (a device or network) can be reached from
// the vantage point when nothing is down. The vantage point itself is
// connected; with no vantage point nothing is.
func (g *Graph) Connected(name string) bool {
	i, ok := g.index[name]
	return ok && g.connected[i]
}

// Upstream returns, for device name, the devices that lie on every path
// from the vantage point to it — the devices whose failure alone cuts it
// off — ordered nearest the vantage point first. These are what must be
// re-checked, upstream first, before declaring the device down.
//
// The vantage point itself and the device itself are not listed, nor are
// networks (which never fail). The result is nil for the vantage point, for
// an unknown name, for a device not connected to the vantage point, and
// when the map has no vantage point.
func (g *Graph) Upstream(device string) []string {
	i, ok := g.index[device]
	if !ok || !g.connected[i] {
		return nil
	}
	var out []string
	for u := g.up[i]; u >= 0; u = g.up[u] {
		out = append(out, g.names[u])
	}
	slices.Reverse(out)
	return out
}

// Unreachable reports, given the set of devices currently down, which
// devices can no longer be reached from the vantage point without crossing
// a down device. A device with several paths is unreachable only when every
// path is cut. Networks are never down (a network in down is ignored, as
// are unknown names). The down devices themselves are not in the result:
// they are down, not unreachable. Devices not connected to the vantage
// point at all are never reported. If the vantage point is itself a device
// and is down, every other connected device is unreachable.
//
// The result is never nil.
func (g *Graph) Unreachable(down map[string]bool) map[string]bool {
	out := map[string]bool{}
	if g.root < 0 || len(down) == 0 {
		return out
	}
	for _, i := range g.cutOff(down) {
		out[g.names[i]] = true
	}
	return out
}

// cutOff returns the indexes of the connected, not-down devices that a BFS
// from the root, not entering down devices, does not reach.
func (g *Graph) cutOff(down map[string]bool) []int32 {
	n := len(g.names)
	blocked := make([]bool, n)
	cut := false
	for name, isDown := range down {
		if !isDown {
			continue
		}
		if i, ok := g.index[name]; ok && g.device[i] && g.connected[i] {
			blocked[i] = true
			cut = true
		}
	}
	if !cut {
		return nil
	}
	seen := make([]bool, n)
	if !blocked[g.root] {
		queue := make([]int32, 0, 64)
		queue = append(queue, g.root)
		seen[g.root] = true
		for h := 0; h < len(queue); h++ {
			v := queue[h]
			for _, w := range g.adj[g.off[v]:g.off[v+1]] {
				if !seen[w] && !blocked[w] {
					seen[w] = true
					queue = append(queue, w)
				}
			}
		}
	}
	var out []int32
	for i := range n {
		if g.device[i] && g.connected[i] && !seen[i] && !blocked[i] {
			out = append(out, int32(i))
		}
	}
	return out
}

// Dependents returns the devices that become unreachable if device alone
// goes down, nearest the vantage point first (then by name). It is nil for
// an unknown name, a network, a device not connected to the vantage point,
// and when the map has no vantage point.
func (g *Graph) Dependents(device string) []string {
	i, ok := g.index[device]
	if !ok || !g.device[i] || !g.connected[i] {
		return nil
	}
	idx := g.cutOff(map[string]bool{device: true})
	if len(idx) == 0 {
		return nil
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(g.dist[a], g.dist[b]); c != 0 {
			return c
		}
		return cmp.Compare(g.names[a], g.names[b])
	})
	out := make([]string, len(idx))
	for k, j := range idx {
		out[k] = g.names[j]
	}
	return out
}
