package remotes

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
)

// TestFollows: a map's follows are its local Map Status targets (by key),
// what those maps follow in turn, and the paths other servers reported to
// its devices that follow their maps; each map reached once, by its
// shortest path, never through a map twice, never longer than MaxHops.
func TestFollows(t *testing.T) {
	local := func(name, target string) netmap.Device {
		return netmap.Device{Name: name, Address: "127.0.0.1", Probe: "map.status", Params: map[string]string{"map": target}}
	}
	remote := func(name string) netmap.Device {
		return netmap.Device{Name: name, Address: "127.0.0.1", Probe: "map.status", Params: map[string]string{"map": "Y", "server": "https://beta"}}
	}
	plain := netmap.Device{Name: "gw", Address: "192.0.2.1", Probe: "ping"}
	long := make(Path, MaxHops)
	for i := range long {
		long[i] = "far" + strings.Repeat("x", i)
	}
	all := []*netmap.Map{
		{Name: "Top", Devices: []netmap.Device{local("x", "X"), plain}},
		{Name: "X", Devices: []netmap.Device{remote("toB"), local("back", "Top"), plain}},
		{Name: "Leaf", Devices: []netmap.Device{plain}},
		{Name: "Echo", Devices: []netmap.Device{remote("echo")}},
		{Name: "Long", Devices: []netmap.Device{local("x", "X"), remote("long")}},
	}
	reported := map[string][]Path{
		"X/toB": {{"beta:Y"}, {"beta:Y", "gamma:Z"}},
		// A path that comes back through a map it already passed is a
		// loop's echo; a path at the hop limit cannot be extended.
		"Echo/echo": {{"beta:Y", "gamma:Z", "beta:Y"}, {"beta:Y"}},
		"Long/long": {long},
	}
	st := func(m, d string) DeviceState { return DeviceState{Level: status.OK, Follows: reported[m+"/"+d]} }
	isMS := func(p string) bool { return p == "map.status" }
	key := func(m string) string { return "alpha:" + m }
	for _, tc := range []struct {
		name string
		want []Path
	}{
		{"Top", []Path{{"alpha:X"}, {"alpha:X", "alpha:Top"}, {"alpha:X", "beta:Y"}, {"alpha:X", "beta:Y", "gamma:Z"}}},
		{"X", []Path{{"alpha:Top"}, {"beta:Y"}, {"alpha:Top", "alpha:X"}, {"beta:Y", "gamma:Z"}}},
		{"Leaf", nil},
		{"Echo", []Path{{"beta:Y"}}},
		{"Long", []Path{{"alpha:X"}, {"alpha:X", "alpha:Top"}, {"alpha:X", "beta:Y"}, {"alpha:X", "beta:Y", "gamma:Z"}, long}},
		{"Nope", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Follows(all, tc.name, st, isMS, key); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestLoopTo: a summary's map depends on self when one of its paths ends
// there (the shortest is reported) or when it is self.
func TestLoopTo(t *testing.T) {
	s := Summary{Map: "Y", Key: "beta:Y", Follows: []Path{{"gamma:Z"}, {"gamma:Z", "delta:W", "alpha:X"}, {"alpha:X"}}}
	for _, tc := range []struct {
		self string
		hops Path
		loop bool
	}{
		{"alpha:X", Path{"alpha:X"}, true},
		{"beta:Y", Path{}, true},
		{"gamma:Q", nil, false},
		{"", nil, false},
	} {
		hops, loop := s.LoopTo(tc.self)
		if loop != tc.loop || !slices.Equal(hops, tc.hops) {
			t.Errorf("LoopTo(%q) = %q %v, want %q %v", tc.self, hops, loop, tc.hops, tc.loop)
		}
	}
	if _, loop := (Summary{Map: "Y", Follows: []Path{{"alpha:X"}}}).LoopTo("alpha:X"); loop {
		t.Error("a summary without a key (an older server) reported a loop")
	}
	// One path to each map reached, the shortest.
	if got, want := s.Through(), []Path{{"beta:Y"}, {"beta:Y", "alpha:X"}, {"beta:Y", "gamma:Z"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Through: %q, want %q", got, want)
	}
}

func TestLoopText(t *testing.T) {
	for _, tc := range []struct {
		hops Path
		own  string
		want string
	}{
		{Path{"alpha:X"}, "alpha/X", "alpha/X → beta/Y → alpha/X"},
		{Path{"gamma:Z", "alpha:X"}, "alpha/X", "alpha/X → beta/Y → 1 more map → alpha/X"},
		{Path{"gamma:Z", "delta:W", "alpha:X"}, "alpha/X", "alpha/X → beta/Y → 2 more maps → alpha/X"},
		{Path{}, "beta/Y", "beta/Y → beta/Y"},
	} {
		if got := LoopText(tc.own, "beta/Y", tc.hops); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestSummarizeRemoteLoop: a device whose last poll found a loop through
// other servers is left out of its map's summary and named in Loops, so
// the map shows its other devices' status and cannot latch.
func TestSummarizeRemoteLoop(t *testing.T) {
	all := []*netmap.Map{{Name: "X", Devices: []netmap.Device{
		{Name: "svc", Address: "192.0.2.1", Probe: "tcp"},
		{Name: "toB", Address: "127.0.0.1", Probe: "map.status", Params: map[string]string{"map": "Y", "server": "https://beta"}},
	}}}
	st := func(m, d string) DeviceState {
		if d == "toB" {
			return DeviceState{Level: status.Critical, Loop: "alpha/X → beta/Y → alpha/X"}
		}
		return DeviceState{Level: status.OK}
	}
	s, ok := Summarize(all, "X", st, func(p string) bool { return p == "map.status" })
	if !ok || s.Status != "ok" || s.Devices != 1 || !slices.Equal(s.Loops, []string{"X/toB: alpha/X → beta/Y → alpha/X"}) {
		t.Fatalf("%+v", s)
	}
	if r := s.Reason(""); !strings.Contains(r, "all 1 devices ok") || !strings.Contains(r, "loop ignored: X/toB: alpha/X → beta/Y → alpha/X") {
		t.Fatalf("reason %q", r)
	}
}
