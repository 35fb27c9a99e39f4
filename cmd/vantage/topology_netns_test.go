package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// The vantage-point tests of issue 7 on real routed networks: every device
// is a network namespace (or an address in one) reached from the server
// through namespaces that forward, and a failure is a cut link, so the
// devices behind it really stop answering, all at once. The tests force the
// order in which the server notices (poll-now, one device after another)
// and check that, whatever the order, only the device whose link was cut is
// announced.

// The devices' polling: short enough to keep the tests quick, long enough
// that the forced polls, not the schedule, decide the order.
const (
	topoInterval  = "3s"
	topoDownAfter = 2
)

var topoPing = map[string]string{"count": "1", "timeout": "300ms"}

// topoServer is a vantage server watching one map of namespace hosts, with
// every DOWN and UP sent to a webhook.
type topoServer struct {
	t       *testing.T
	in      *instance
	mapName string
	mu      sync.Mutex
	notices []string // "KIND device", in arrival order
}

// startTopoServer starts a server whose rule sends DOWN and UP to a webhook,
// and creates the map with the vantage point "vp" (the server itself) and
// the given devices (name → address) and links.
func startTopoServer(t *testing.T, mapName string, devices [][2]string, links [][2]string) *topoServer {
	t.Helper()
	recvURL, bodies := webhookReceiver(t)
	s := &topoServer{t: t, mapName: mapName}
	go func() {
		for body := range bodies {
			s.mu.Lock()
			s.notices = append(s.notices, fmt.Sprintf("%v %v", body["kind"], body["device"]))
			s.mu.Unlock()
		}
	}()
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "config.yaml"), []byte(fmt.Sprintf(
		"notifiers:\n  - {name: hook, type: webhook, url: %q}\nrules:\n  - {name: all, kinds: [DOWN, UP], notifiers: [hook]}\n", recvURL)), 0o644)
	s.in = start(t, buildBinary(t), data)
	devs := []map[string]any{{"name": "vp", "address": "127.0.0.1", "probe": "ping", "interval": topoInterval, "params": topoPing}}
	for _, d := range devices {
		devs = append(devs, map[string]any{"name": d[0], "address": d[1], "probe": "ping", "interval": topoInterval,
			"down_after": topoDownAfter, "params": topoPing})
	}
	var ls []map[string]string
	for _, l := range links {
		ls = append(ls, map[string]string{"from": l[0], "to": l[1]})
	}
	s.in.must("POST", "/api/v1/maps", map[string]any{"name": mapName, "vantage": "vp", "devices": devs, "links": ls}, 201, nil)
	return s
}

// use makes the helpers report to t (a subtest) until the returned
// function restores the test they reported to before.
func (s *topoServer) use(t *testing.T) (restore func()) {
	was := s.t
	s.t, s.in.t = t, t
	return func() { s.t, s.in.t = was, was }
}

type topoDevice struct {
	Status      string
	Reason      string
	Polls       int64
	Misses      int
	Unreachable bool
	Behind      string
}

func (s *topoServer) device(name string) topoDevice {
	s.t.Helper()
	var d topoDevice
	s.in.must("GET", "/api/v1/maps/"+s.mapName+"/devices/"+name, nil, 200, &d)
	return d
}

// waitAll waits until every named device has the status and the
// unreachable mark wanted.
func (s *topoServer) waitAll(names []string, status string, unreachable bool, within time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for _, n := range names {
		for {
			d := s.device(n)
			if d.Status == status && d.Unreachable == unreachable {
				break
			}
			if time.Now().After(deadline) {
				s.t.Fatalf("%s: %+v, want status %s, unreachable %v", n, d, status, unreachable)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// poll forces a poll of each named device at once, and waits until each
// has been polled since; with lost true, until each has a missed poll
// counted (a poll in flight at the cut may still have had its answer).
func (s *topoServer) poll(lost bool, names ...string) {
	s.t.Helper()
	before := map[string]int64{}
	for _, n := range names {
		before[n] = s.device(n).Polls
		s.in.must("POST", "/api/v1/devices/"+netmap.DeviceID(s.mapName, n)+"/poll", nil, 202, nil)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, n := range names {
		for {
			d := s.device(n)
			if d.Polls > before[n] && (!lost || d.Misses > 0) {
				break
			}
			if time.Now().After(deadline) {
				s.t.Fatalf("forced poll of %s: %+v", n, d)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// inOrder forces polls one device after the other, each finished before
// the next starts.
func (s *topoServer) inOrder(lost bool, order []string) {
	s.t.Helper()
	for _, n := range order {
		s.poll(lost, n)
	}
}

// expectNotices waits for the wanted notifications (in any order), then
// for quiet more, and fails if anything else arrived. It consumes them.
func (s *topoServer) expectNotices(what string, want []string, quiet time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got []string
	for {
		s.mu.Lock()
		got = slices.Clone(s.notices)
		s.mu.Unlock()
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(quiet)
	s.mu.Lock()
	got = slices.Clone(s.notices)
	s.notices = nil
	s.mu.Unlock()
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		s.t.Fatalf("%s: notifications %q, want %q\n%s", what, got, want, s.eventDump())
	}
}

// eventDump is the map's DOWN, UP, UNREACHABLE and NOTIFY events, for a
// failure message.
func (s *topoServer) eventDump() string {
	var b strings.Builder
	for _, e := range s.in.events("limit=10000&map=" + s.mapName) {
		switch e.Kind {
		case "DOWN", "UP", "UNREACHABLE", "NOTIFY":
			fmt.Fprintf(&b, "  %s %s %s: %s\n", e.Time.Format("15:04:05.000"), e.Kind, e.Device, e.Message)
		}
	}
	return b.String()
}

// kinds counts the map's events of each kind per device.
func (s *topoServer) kinds() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, e := range s.in.events("limit=10000&map=" + s.mapName) {
		if out[e.Device] == nil {
			out[e.Device] = map[string]int{}
		}
		out[e.Device][e.Kind]++
	}
	return out
}

// checkBehind checks that devices are unreachable behind the named device.
func (s *topoServer) checkBehind(names []string, behind string) {
	s.t.Helper()
	for _, n := range names {
		if d := s.device(n); !d.Unreachable || d.Behind != behind {
			s.t.Fatalf("%s: %+v, want unreachable behind %s", n, d, behind)
		}
	}
}

// permutations lists every order of names.
func permutations(names []string) [][]string {
	if len(names) <= 1 {
		return [][]string{slices.Clone(names)}
	}
	var out [][]string
	for i, first := range names {
		rest := slices.Concat(names[:i:i], names[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]string{first}, p...))
		}
	}
	return out
}

// TestTopologyChain is the seed's topology, vantage point — #2 — #1 — #3,
// as routed namespaces: the server reaches #1 through #2 and #3 through
// #1. The link of #2 is cut and restored once for each of the six orders in
// which the server can notice: exactly one DOWN notification (#2), #1 and
// #3 unreachable and never announced, and one UP notification (#2) on
// recovery, with #1 and #3 back to ok without a word.
func TestTopologyChain(t *testing.T) {
	tp := netnstest.NewTopology(t, "chain")
	n2, n1, n3 := tp.Router("n2"), tp.Router("n1"), tp.Leaf("n3")
	cut := tp.Link(tp.Host(), n2)
	tp.Link(n2, n1)
	tp.Link(n1, n3)
	tp.Build()

	s := startTopoServer(t, "Chain",
		[][2]string{{"n2", n2.Addr().String()}, {"n1", n1.Addr().String()}, {"n3", n3.Addr().String()}},
		[][2]string{{"vp", "n2"}, {"n2", "n1"}, {"n1", "n3"}})
	all := []string{"n2", "n1", "n3"}
	s.waitAll(all, "ok", false, 20*time.Second)

	for _, order := range permutations(all) {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			defer s.use(t)()
			cut.Down()
			// Twice round in the order: the first misses, then the
			// declarations (down_after 2), in this order.
			s.inOrder(true, order)
			s.inOrder(true, order)
			s.waitAll([]string{"n2"}, "down", false, 15*time.Second)
			s.waitAll([]string{"n1", "n3"}, "down", true, 15*time.Second)
			s.checkBehind([]string{"n1", "n3"}, "n2")
			s.expectNotices("outage", []string{"DOWN n2"}, time.Second)

			cut.Up()
			s.inOrder(false, order)
			s.waitAll(all, "ok", false, 15*time.Second)
			s.expectNotices("recovery", []string{"UP n2"}, time.Second)
		})
		if t.Failed() {
			return
		}
	}
	k := s.kinds()
	if k["n2"]["DOWN"] != 6 || k["n2"]["UP"] < 6 {
		t.Errorf("n2 events %v: want 6 DOWN and UP", k["n2"])
	}
	for _, n := range []string{"n1", "n3"} {
		if k[n]["DOWN"] != 0 || k[n]["UNREACHABLE"] != 6 {
			t.Errorf("%s events %v: want 6 UNREACHABLE, no DOWN", n, k[n])
		}
	}
	s.in.stop()
}

// TestTopologyRing: a ring of four routers that the server reaches through
// two uplinks (ua to r1, ub to r3). With one uplink cut the ring answers
// through the other: one DOWN (the uplink) and nothing about the ring. With
// both cut the ring is unreachable behind the uplinks: DOWN for the second
// uplink only, nothing about the ring, then a clean recovery.
func TestTopologyRing(t *testing.T) {
	tp := netnstest.NewTopology(t, "ring")
	ua, ub := tp.Router("ua"), tp.Router("ub")
	r := []*netnstest.Node{tp.Router("r1"), tp.Router("r2"), tp.Router("r3"), tp.Router("r4")}
	la, lb := tp.Link(tp.Host(), ua), tp.Link(tp.Host(), ub)
	tp.Link(ua, r[0])
	tp.Link(ub, r[2])
	for i := range r {
		tp.Link(r[i], r[(i+1)%len(r)])
	}
	tp.Build()

	// The uplinks are probed on their side of the link to the server: that
	// address goes with the link (their own address is still reachable
	// through the ring).
	devices := [][2]string{{"ua", la.BAddr().String()}, {"ub", lb.BAddr().String()}}
	ring := []string{"r1", "r2", "r3", "r4"}
	for i, n := range ring {
		devices = append(devices, [2]string{n, r[i].Addr().String()})
	}
	links := [][2]string{{"vp", "ua"}, {"vp", "ub"}, {"ua", "r1"}, {"ub", "r3"}, {"r1", "r2"}, {"r2", "r3"}, {"r3", "r4"}, {"r4", "r1"}}
	s := startTopoServer(t, "Ring", devices, links)
	var got []netmap.Link
	s.in.must("GET", "/api/v1/maps/Ring/links", nil, 200, &got)
	for _, l := range links {
		if !slices.ContainsFunc(got, func(g netmap.Link) bool {
			return g.From == l[0] && g.To == l[1] || g.From == l[1] && g.To == l[0]
		}) {
			t.Fatalf("link %s—%s missing from the map: %+v", l[0], l[1], got)
		}
	}
	all := append([]string{"ua", "ub"}, ring...)
	s.waitAll(all, "ok", false, 20*time.Second)

	for _, ringFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("ring-polled-first=%v", ringFirst), func(t *testing.T) {
			defer s.use(t)()
			order := func(uplink string) []string {
				if ringFirst {
					return append(slices.Clone(ring), uplink)
				}
				return append([]string{uplink}, ring...)
			}
			// One uplink cut: the ring still answers through the other.
			la.Down()
			s.inOrder(false, order("ua"))
			s.inOrder(false, order("ua"))
			s.waitAll([]string{"ua"}, "down", false, 15*time.Second)
			s.waitAll(slices.Concat([]string{"ub"}, ring), "ok", false, time.Second)
			s.expectNotices("ua cut", []string{"DOWN ua"}, time.Second)

			// Both cut: the ring is cut off.
			lb.Down()
			s.inOrder(true, order("ub"))
			s.inOrder(true, order("ub"))
			s.waitAll([]string{"ua", "ub"}, "down", false, 15*time.Second)
			s.waitAll(ring, "down", true, 15*time.Second)
			s.checkBehind(ring, "ua, ub")
			s.expectNotices("both cut", []string{"DOWN ub"}, time.Second)

			la.Up()
			lb.Up()
			s.inOrder(false, order("ub"))
			s.waitAll(all, "ok", false, 15*time.Second)
			s.expectNotices("recovery", []string{"UP ua", "UP ub"}, time.Second)
		})
		if t.Failed() {
			return
		}
	}
	k := s.kinds()
	for _, n := range ring {
		if k[n]["DOWN"] != 0 || k[n]["UNREACHABLE"] != 2 {
			t.Errorf("%s events %v: want 2 UNREACHABLE, no DOWN", n, k[n])
		}
	}
	s.in.stop()
}

// TestTopologyStar: a hub router with 50 hosts behind it (addresses of
// one namespace beyond the hub, one device each, linked to the hub on the
// map). The hub's link is cut with the leaves noticed first, then with the
// hub noticed first: each time one DOWN (the hub), 50 unreachable leaves
// and not one notification for them, then one UP.
func TestTopologyStar(t *testing.T) {
	const leaves = 50
	tp := netnstest.NewTopology(t, "star")
	hub, far := tp.Router("hub"), tp.Leaf("leaves")
	cut := tp.Link(tp.Host(), hub)
	tp.Link(hub, far)
	addrs := []string{far.Addr().String()}
	for len(addrs) < leaves {
		addrs = append(addrs, far.AddAddr().String())
	}
	tp.Build()

	devices := [][2]string{{"hub", hub.Addr().String()}}
	links := [][2]string{{"vp", "hub"}}
	var names []string
	for i, a := range addrs {
		n := fmt.Sprintf("leaf%02d", i+1)
		names = append(names, n)
		devices = append(devices, [2]string{n, a})
		links = append(links, [2]string{"hub", n})
	}
	s := startTopoServer(t, "Star", devices, links)
	s.waitAll(append([]string{"hub"}, names...), "ok", false, 30*time.Second)

	for _, leavesFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("leaves-polled-first=%v", leavesFirst), func(t *testing.T) {
			defer s.use(t)()
			round := func(lost bool) {
				if leavesFirst {
					s.poll(lost, names...)
					s.poll(lost, "hub")
				} else {
					s.poll(lost, "hub")
					s.poll(lost, names...)
				}
			}
			cut.Down()
			round(true)
			round(true)
			s.waitAll([]string{"hub"}, "down", false, 15*time.Second)
			s.waitAll(names, "down", true, 15*time.Second)
			s.checkBehind(names, "hub")
			s.expectNotices("outage", []string{"DOWN hub"}, time.Second)

			cut.Up()
			round(false)
			s.waitAll(append([]string{"hub"}, names...), "ok", false, 15*time.Second)
			s.expectNotices("recovery", []string{"UP hub"}, time.Second)
		})
		if t.Failed() {
			return
		}
	}
	k := s.kinds()
	for _, n := range names {
		if k[n]["DOWN"] != 0 || k[n]["UNREACHABLE"] != 2 {
			t.Errorf("%s events %v: want 2 UNREACHABLE, no DOWN", n, k[n])
		}
	}
	s.in.stop()
}
