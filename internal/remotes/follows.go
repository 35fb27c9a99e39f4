package remotes

// Loops of Map Status devices across servers. A Map Status device takes
// its map's status from the summary of the map it follows, and a summary
// counts the map's own Map Status devices. When server A's map X follows
// server B's map Y and Y follows X back, each counts the other: a failure
// on X makes Y down, which keeps X down after the failure ends, for ever.
// Within one server Summarize sees the whole graph; across servers each
// summary carries what its map depends on (Follows), so the device that
// closes a loop recognizes its own map at the end and reports the loop
// instead of counting itself. Summaries are read from each server's last
// polls, never by asking onwards, so a loop cannot recurse or hang a
// request; the knowledge travels one poll at a time.

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Path is a chain of maps, by their keys (MapKey), that one map's status
// depends on through Map Status devices: the map a device follows first,
// then what that map follows, and so on.
type Path []string

// MaxHops bounds a path: a loop through more maps than this is not
// recognized, and stale paths (a device deleted on the way) die out
// within this many polls.
const MaxHops = 8

// MaxFollows bounds how many paths a summary carries (one per map
// reached, the shortest), so a large federation cannot grow summaries
// without limit.
const MaxFollows = 64

// MapKey names one of a server's maps in Follows: an HMAC of the map's
// name under a secret the server draws at start-up, so keys differ
// between servers (and runs) and tell nobody the names of maps they may
// not read.
func MapKey(secret []byte, mapName string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(mapName))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// usable says whether a path may be passed on: within MaxHops and
// visiting no map twice (a path that revisits a map is a loop's echo, not
// news).
func usable(p Path) bool {
	if len(p) == 0 || len(p) > MaxHops {
		return false
	}
	seen := make(map[string]bool, len(p))
	for _, k := range p {
		if k == "" || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// pathSet keeps the shortest path to each map reached.
type pathSet map[string]Path

func (ps pathSet) add(p Path) {
	if !usable(p) {
		return
	}
	last := p[len(p)-1]
	if old, ok := ps[last]; !ok || len(p) < len(old) || len(p) == len(old) && slices.Compare(p, old) < 0 {
		ps[last] = p
	}
}

// list returns the paths shortest first (then in key order), at most
// MaxFollows.
func (ps pathSet) list() []Path {
	out := make([]Path, 0, len(ps))
	for _, p := range ps {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Path) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), slices.Compare(a, b))
	})
	if len(out) > MaxFollows {
		out = out[:MaxFollows]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// prefixed returns head followed by p.
func prefixed(head Path, p Path) Path {
	out := make(Path, 0, len(head)+len(p))
	return append(append(out, head...), p...)
}

// Follows lists what the map named name depends on: the maps of this
// server its Map Status devices follow (named by key), through them the
// maps those follow, and the paths other servers reported to the devices
// that follow their maps (DeviceState.Follows). It is what the map's
// summary carries for other servers' Map Status devices.
func Follows(all []*netmap.Map, name string, st StatusFunc, isMapStatus func(string) bool, key func(mapName string) string) []Path {
	byName := make(map[string]*netmap.Map, len(all))
	for _, m := range all {
		byName[m.Name] = m
	}
	if byName[name] == nil {
		return nil
	}
	refs := localRefs(all, isMapStatus)
	ps := pathSet{}
	type step struct {
		m      *netmap.Map
		prefix Path
	}
	// Breadth first over this server's maps, so each is reached by its
	// shortest path.
	visited := map[string]bool{name: true}
	queue := []step{{byName[name], nil}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if len(cur.prefix) >= MaxHops {
			continue
		}
		for _, d := range cur.m.Devices {
			if target, ok := refs[cur.m.Name][d.Name]; ok {
				p := prefixed(cur.prefix, Path{key(target)})
				ps.add(p)
				if t := byName[target]; t != nil && !visited[target] {
					visited[target] = true
					queue = append(queue, step{t, p})
				}
				continue
			}
			for _, fp := range st(cur.m.Name, d.Name).Follows {
				ps.add(prefixed(cur.prefix, fp))
			}
		}
	}
	return ps.list()
}

// Through is what a Map Status device that read s depends on: s's map,
// then everything s's map follows.
func (s Summary) Through() []Path {
	if s.Key == "" {
		return nil
	}
	ps := pathSet{}
	head := Path{s.Key}
	ps.add(head)
	for _, p := range s.Follows {
		ps.add(prefixed(head, p))
	}
	return ps.list()
}

// LoopTo says whether the map s summarizes depends on the map whose key
// is self, so a device on self that follows it would count itself. hops
// are the maps after s's map up to self (empty when s's map is self).
func (s Summary) LoopTo(self string) (hops Path, loop bool) {
	if self == "" || s.Key == "" {
		return nil, false
	}
	if s.Key == self {
		return Path{}, true
	}
	for _, p := range s.Follows {
		if len(p) > 0 && p[len(p)-1] == self && (hops == nil || len(p) < len(hops)) {
			hops = p
		}
	}
	return hops, hops != nil
}

// LoopText words a loop for a device's reason: the device's map, the map
// it follows, how many maps lie between, and the device's map again:
// "alpha/Campus → beta/Top → alpha/Campus".
func LoopText(own, target string, hops Path) string {
	parts := []string{own, target}
	switch n := len(hops) - 1; {
	case n == 1:
		parts = append(parts, "1 more map")
	case n > 1:
		parts = append(parts, strconv.Itoa(n)+" more maps")
	}
	if len(hops) > 0 || own != target {
		parts = append(parts, own)
	}
	return strings.Join(parts, " → ")
}

// The values a Map Status device's poll leaves for its map's summary.
const (
	// ValueFollows is the device's Through() ([]Path).
	ValueFollows = "follows"
	// ValueLoop is the loop the device closes (LoopText), when it does.
	ValueLoop = "loop"
)

// LoopState reads those values back from a device's last poll.
func LoopState(values map[string]any) (loop string, follows []Path) {
	loop, _ = values[ValueLoop].(string)
	follows, _ = values[ValueFollows].([]Path)
	return loop, follows
}
