package netmap

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// topo builds a map from a vantage point, device names, network names and
// links written as "a-b".
func topo(vantage string, devices, networks []string, links ...[2]string) *Map {
	m := &Map{Name: "t", Vantage: vantage}
	for _, d := range devices {
		m.Devices = append(m.Devices, Device{Name: d, Address: "dns." + d})
	}
	for _, n := range networks {
		m.Networks = append(m.Networks, Network{Name: n})
	}
	for _, l := range links {
		m.Links = append(m.Links, Link{From: l[0], To: l[1]})
	}
	return m
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func set(s ...string) map[string]bool {
	out := map[string]bool{}
	for _, x := range s {
		out[x] = true
	}
	return out
}

// seedMap is the FAQ's "[ InterMapper ]* — #2 — #1 — #3".
func seedMap() *Map {
	return topo("IM", []string{"IM", "#2", "#1", "#3"}, nil,
		[2]string{"IM", "#2"}, [2]string{"#2", "#1"}, [2]string{"#1", "#3"})
}

// ringMap is a ring r0…r5 with two uplinks from the vantage point (to r0
// and r3), and a leaf hanging off r4.
func ringMap() *Map {
	devs := append([]string{"vp", "leaf"}, names("r", 6)...)
	links := [][2]string{{"vp", "r0"}, {"vp", "r3"}, {"r4", "leaf"}}
	for i := range 6 {
		links = append(links, [2]string{fmt.Sprintf("r%d", i), fmt.Sprintf("r%d", (i+1)%6)})
	}
	return topo("vp", devs, nil, links...)
}

// starMap is vp — core — sw — h0…h49.
func starMap() *Map {
	hosts := names("h", 50)
	links := [][2]string{{"vp", "core"}, {"core", "sw"}}
	for _, h := range hosts {
		links = append(links, [2]string{"sw", h})
	}
	return topo("vp", append([]string{"vp", "core", "sw"}, hosts...), nil, links...)
}

func TestGraphUpstream(t *testing.T) {
	// lanMap: the vantage point is the oval "office"; the router sits
	// between it and "dmz", where web and mail sit; printer is on office
	// directly; backup hangs off both the router and vpn.
	lanMap := topo("office",
		[]string{"router", "web", "mail", "printer", "backup", "vpn"},
		[]string{"office", "dmz"},
		[2]string{"office", "router"}, [2]string{"router", "dmz"},
		[2]string{"dmz", "web"}, [2]string{"dmz", "mail"},
		[2]string{"office", "printer"},
		[2]string{"router", "backup"}, [2]string{"office", "vpn"}, [2]string{"vpn", "backup"},
	)
	// devLan: device — lan — device, the vantage point a device.
	devLan := topo("srv", []string{"srv", "gw", "a", "b"}, []string{"lan"},
		[2]string{"srv", "gw"}, [2]string{"gw", "lan"}, [2]string{"lan", "a"}, [2]string{"lan", "b"}, [2]string{"b", "c-unknown"})
	// cycle behind a bridge: vp — gw — {x, y, z triangle} — tail.
	cyc := topo("vp", []string{"vp", "gw", "x", "y", "z", "tail"}, nil,
		[2]string{"vp", "gw"}, [2]string{"gw", "x"}, [2]string{"x", "y"}, [2]string{"y", "z"}, [2]string{"z", "x"},
		[2]string{"z", "tail"})
	// loops and duplicates must not create false alternative paths.
	dups := topo("vp", []string{"vp", "a", "b"}, nil,
		[2]string{"vp", "a"}, [2]string{"a", "vp"}, [2]string{"vp", "a"}, [2]string{"a", "a"},
		[2]string{"a", "b"}, [2]string{"b", "a"}, [2]string{"b", "b"})
	disc := topo("vp", []string{"vp", "a", "island", "island2"}, nil,
		[2]string{"vp", "a"}, [2]string{"island", "island2"})

	tests := []struct {
		name   string
		m      *Map
		device string
		want   []string
	}{
		{"seed #3", seedMap(), "#3", []string{"#2", "#1"}},
		{"seed #1", seedMap(), "#1", []string{"#2"}},
		{"seed #2", seedMap(), "#2", nil},
		{"seed vantage", seedMap(), "IM", nil},
		{"seed unknown", seedMap(), "nope", nil},
		{"ring member", ringMap(), "r1", nil},
		{"ring far side", ringMap(), "r4", nil},
		{"ring leaf", ringMap(), "leaf", []string{"r4"}},
		{"star host", starMap(), "h17", []string{"core", "sw"}},
		{"star switch", starMap(), "sw", []string{"core"}},
		{"oval vantage direct", lanMap, "printer", nil},
		{"oval vantage behind router", lanMap, "web", []string{"router"}},
		{"oval vantage two paths", lanMap, "backup", nil},
		{"device-lan-device", devLan, "a", []string{"gw"}},
		{"device-lan-device gw", devLan, "gw", nil},
		{"cycle entry", cyc, "x", []string{"gw"}},
		{"cycle member", cyc, "y", []string{"gw", "x"}},
		{"cycle tail", cyc, "tail", []string{"gw", "x", "z"}},
		{"duplicates and self-loops", dups, "b", []string{"a"}},
		{"disconnected", disc, "island2", nil},
		{"no vantage", topo("", []string{"a", "b"}, nil, [2]string{"a", "b"}), "b", nil},
		{"unknown vantage", topo("ghost", []string{"a", "b"}, nil, [2]string{"a", "b"}), "b", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph(tc.m)
			if got := g.Upstream(tc.device); !slices.Equal(got, tc.want) {
				t.Errorf("Upstream(%q) = %q, want %q", tc.device, got, tc.want)
			}
		})
	}
}

func TestGraphUnreachable(t *testing.T) {
	ovalVP := topo("lan", []string{"a", "b", "r", "c"}, []string{"lan", "far"},
		[2]string{"lan", "a"}, [2]string{"lan", "b"}, [2]string{"b", "r"}, [2]string{"r", "far"}, [2]string{"far", "c"})
	disc := topo("vp", []string{"vp", "a", "b", "island", "island2"}, nil,
		[2]string{"vp", "a"}, [2]string{"a", "b"}, [2]string{"island", "island2"})

	tests := []struct {
		name string
		m    *Map
		down map[string]bool
		want map[string]bool
	}{
		{"seed #2 down", seedMap(), set("#2"), set("#1", "#3")},
		{"seed #1 down", seedMap(), set("#1"), set("#3")},
		{"seed #3 down", seedMap(), set("#3"), set()},
		{"seed #1 and #2 down", seedMap(), set("#1", "#2"), set("#3")},
		{"seed nothing down", seedMap(), nil, set()},
		{"seed false entries ignored", seedMap(), map[string]bool{"#2": false}, set()},
		{"seed vantage down", seedMap(), set("IM"), set("#1", "#2", "#3")},
		{"ring one failure", ringMap(), set("r1"), set()},
		{"ring uplink failure", ringMap(), set("r0"), set()},
		{"ring two failures cut", ringMap(), set("r0", "r4"), set("r5", "leaf")},
		{"ring both uplinks cut", ringMap(), set("r0", "r3"), set("r1", "r2", "r4", "r5", "leaf")},
		{"ring two failures, paths remain", ringMap(), set("r1", "r2"), set()},
		{"star switch down", starMap(), set("sw"), set(names("h", 50)...)},
		{"star host down", starMap(), set("h3"), set()},
		{"oval vantage", ovalVP, set("b"), set("r", "c")},
		{"oval vantage, far side", ovalVP, set("r"), set("c")},
		{"networks never down", ovalVP, set("lan", "far"), set()},
		{"unknown names ignored", ovalVP, set("ghost"), set()},
		{"disconnected never unreachable", disc, set("a"), set("b")},
		{"disconnected down", disc, set("island"), set()},
		{"no vantage", topo("", []string{"a", "b"}, nil, [2]string{"a", "b"}), set("a"), set()},
		{"unknown vantage", topo("ghost", []string{"a", "b"}, nil, [2]string{"a", "b"}), set("a"), set()},
		{"nil map", nil, set("a"), set()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph(tc.m)
			got := g.Unreachable(tc.down)
			if got == nil {
				t.Fatal("Unreachable returned nil")
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("Unreachable(%v) = %v, want %v", slices.Sorted(maps.Keys(tc.down)), slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(tc.want)))
			}
		})
	}
}

func TestGraphDependents(t *testing.T) {
	tests := []struct {
		name   string
		m      *Map
		device string
		want   []string
	}{
		{"seed #2", seedMap(), "#2", []string{"#1", "#3"}},
		{"seed #3", seedMap(), "#3", nil},
		{"seed vantage", seedMap(), "IM", []string{"#2", "#1", "#3"}},
		{"ring member", ringMap(), "r2", nil},
		{"ring leaf parent", ringMap(), "r4", []string{"leaf"}},
		{"star core", starMap(), "core", append([]string{"sw"}, slices.Sorted(slices.Values(names("h", 50)))...)},
		{"unknown", seedMap(), "ghost", nil},
		{"no vantage", topo("", []string{"a", "b"}, nil, [2]string{"a", "b"}), "a", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph(tc.m)
			if got := g.Dependents(tc.device); !slices.Equal(got, tc.want) {
				t.Errorf("Dependents(%q) = %q, want %q", tc.device, got, tc.want)
			}
		})
	}
}

func TestGraphAutoLinksAndVantage(t *testing.T) {
	// Devices joined only by automatic links through an oval.
	m := &Map{
		Vantage:  "srv",
		Devices:  []Device{{Name: "srv", Address: "10.0.0.1"}, {Name: "gw", Address: "192.0.2.1"}, {Name: "host", Address: "192.0.2.20"}},
		Networks: []Network{{Name: "lan", CIDRs: []string{"192.0.2.0/24"}}},
		Links:    []Link{{From: "srv", To: "gw"}},
	}
	g := NewGraph(m)
	if g.Vantage() != "srv" || !g.HasVantage() {
		t.Fatalf("Vantage() = %q, HasVantage() = %v", g.Vantage(), g.HasVantage())
	}
	if got := g.Upstream("host"); !slices.Equal(got, []string{"gw"}) {
		t.Errorf("Upstream(host) = %q, want [gw]", got)
	}
	if !g.Connected("lan") || g.Connected("ghost") {
		t.Errorf("Connected(lan) = %v, Connected(ghost) = %v", g.Connected("lan"), g.Connected("ghost"))
	}
	g = NewGraph(&Map{Vantage: "ghost"})
	if g.Vantage() != "ghost" || g.HasVantage() {
		t.Errorf("unknown vantage: Vantage() = %q, HasVantage() = %v", g.Vantage(), g.HasVantage())
	}
}

// bruteUpstream is the definition: the devices (other than the vantage
// point and the target) whose removal alone cuts the target off, ordered by
// distance from the vantage point.
func bruteUpstream(g *Graph, target string) []string {
	var out []string
	for i, name := range g.names {
		if !g.device[i] || int32(i) == g.root || name == target || !g.Connected(target) {
			continue
		}
		if g.Unreachable(set(name))[target] {
			out = append(out, name)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return int(g.dist[g.index[a]] - g.dist[g.index[b]]) })
	return out
}

// TestGraphUpstreamRandom checks Upstream and Dependents against the
// definition on random sparse graphs with cycles, ovals, duplicates and
// disconnected parts.
func TestGraphUpstreamRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	for iter := range 300 {
		nd, nn := 2+r.IntN(14), r.IntN(4)
		devs, nets := names("d", nd), names("n", nn)
		all := append(slices.Clone(devs), nets...)
		var links [][2]string
		for range r.IntN(2 * len(all)) {
			links = append(links, [2]string{all[r.IntN(len(all))], all[r.IntN(len(all))]})
		}
		m := topo(all[r.IntN(len(all))], devs, nets, links...)
		g := NewGraph(m)
		for _, d := range devs {
			want := bruteUpstream(g, d)
			if got := g.Upstream(d); !slices.Equal(got, want) {
				t.Fatalf("iter %d: %v: Upstream(%s) = %q, want %q", iter, m.Links, d, got, want)
			}
			for _, u := range want {
				if !slices.Contains(g.Dependents(u), d) {
					t.Fatalf("iter %d: %s upstream of %s but not in Dependents(%s) = %q", iter, u, d, u, g.Dependents(u))
				}
			}
		}
	}
}

// TestGraphLarge checks that a long chain (deep DFS), a big star and a big
// ring are handled without recursion and give the right answers.
func TestGraphLarge(t *testing.T) {
	const n = 20000
	chain := names("c", n)
	var links [][2]string
	links = append(links, [2]string{"vp", chain[0]})
	for i := 1; i < n; i++ {
		links = append(links, [2]string{chain[i-1], chain[i]})
	}
	g := NewGraph(topo("vp", append([]string{"vp"}, chain...), nil, links...))
	if got := g.Upstream(chain[n-1]); len(got) != n-1 || got[0] != chain[0] || got[n-2] != chain[n-2] {
		t.Errorf("chain: Upstream of the last has %d entries", len(got))
	}
	// ring closing back to the vantage point: nothing is shadowed.
	links = append(links, [2]string{chain[n-1], "vp"})
	g = NewGraph(topo("vp", append([]string{"vp"}, chain...), nil, links...))
	for _, c := range []string{chain[0], chain[n/2], chain[n-1]} {
		if got := g.Upstream(c); got != nil {
			t.Errorf("ring: Upstream(%s) = %q", c, got)
		}
	}
	if got := g.Unreachable(set(chain[10], chain[20])); len(got) != 9 {
		t.Errorf("ring: two failures cut %d devices, want 9", len(got))
	}
	star := names("s", 1000)
	links = [][2]string{{"vp", "sw"}}
	for _, s := range star {
		links = append(links, [2]string{"sw", s})
	}
	g = NewGraph(topo("vp", append([]string{"vp", "sw"}, star...), nil, links...))
	if got := g.Dependents("sw"); len(got) != 1000 {
		t.Errorf("star: Dependents(sw) has %d, want 1000", len(got))
	}
}

func TestGraphConcurrent(t *testing.T) {
	g := NewGraph(ringMap())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := g.Unreachable(set("r0", "r4")); len(got) != 2 {
					t.Errorf("Unreachable = %v", got)
				}
				if got := g.Upstream("leaf"); !slices.Equal(got, []string{"r4"}) {
					t.Errorf("Upstream(leaf) = %q", got)
				}
			}
		})
	}
	wg.Wait()
}

// benchMap is a 5,000-device campus: vp — 2 cores (both linked to vp and to
// each other) — 50 distribution switches (each dual-homed to both cores) —
// 99 access devices per switch on the switch's own LAN oval.
func benchMap() *Map {
	m := &Map{Vantage: "vp"}
	dev := func(name string) { m.Devices = append(m.Devices, Device{Name: name, Address: "dns." + name}) }
	link := func(a, b string) { m.Links = append(m.Links, Link{From: a, To: b}) }
	dev("vp")
	for _, c := range []string{"core0", "core1"} {
		dev(c)
		link("vp", c)
	}
	link("core0", "core1")
	for s := range 50 {
		sw, lan := fmt.Sprintf("dist%d", s), fmt.Sprintf("lan%d", s)
		dev(sw)
		m.Networks = append(m.Networks, Network{Name: lan})
		link(sw, "core0")
		link(sw, "core1")
		link(sw, lan)
		for h := range 99 {
			name := fmt.Sprintf("h%d-%d", s, h)
			dev(name)
			link(lan, name)
		}
	}
	return m
}

func BenchmarkUnreachable(b *testing.B) {
	m := benchMap()
	g := NewGraph(m)
	if n := len(m.Devices); n < 5000 {
		b.Fatalf("only %d devices", n)
	}
	down := set("core0", "dist7", "h3-4")
	if got := len(g.Unreachable(down)); got != 99 {
		b.Fatalf("Unreachable cut %d, want 99", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		g.Unreachable(down)
	}
}

func BenchmarkNewGraph(b *testing.B) {
	m := benchMap()
	b.ReportAllocs()
	for b.Loop() {
		NewGraph(m)
	}
}
