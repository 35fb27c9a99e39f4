package monitor

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
)

// A device that stops answering is declared only after the devices between
// it and the vantage point have been re-checked, nearest the vantage point
// first. If one of them is failing, the device is unreachable, not down:
// logged as UNREACHABLE, drawn as such, and kept out of notifications. So
// the outcome does not depend on which device happened to be polled first.
// A device with several paths to the vantage point is unreachable once
// failing devices cut every one of them (cutOff), and the devices on all
// its paths are re-checked before it is declared (between).

// shadowChange is a device's "behind" before and after a poll.
type shadowChange struct{ was, now string }

// deferDown decides, with m.mu held, whether this poll would declare the
// device down before its upstream devices were re-checked; it returns the
// keys to re-check, or nil.
func (m *Monitor) deferDown(key string, refs []ref, prev status.State, r status.Result, downAfter int) []string {
	if !r.NoResponse {
		delete(m.rechecked, key)
		return nil
	}
	if prev.Level == status.Down || prev.Misses+1 < downAfter || m.rechecked[key] {
		return nil
	}
	var keys []string
	seen := map[string]bool{key: true}
	for _, d := range refs {
		for _, u := range m.between(d.Map, d.Device) {
			if k := m.devices[ref{d.Map, u}].key; k != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	if m.rechecked == nil {
		m.rechecked = map[string]bool{}
	}
	m.rechecked[key] = true
	return keys
}

// between lists, with m.mu held, the devices on the shortest paths from
// the map's vantage point to device, nearest the vantage point first: the
// devices it depends on alone (Graph.Upstream) and, where there are several
// paths, the devices on each of them, which can cut it off together.
func (m *Monitor) between(mapName, device string) []string {
	dist, adj := m.distances(mapName)
	d, ok := dist[device]
	if !ok {
		return nil
	}
	vantage := m.graphs[mapName].Vantage()
	on := map[string]bool{}
	for level := []string{device}; d > 1; d-- {
		var up []string
		for _, v := range level {
			for _, w := range adj[v] {
				if dist[w] == d-1 && !on[w] {
					on[w] = true
					up = append(up, w)
				}
			}
		}
		level = up
	}
	var out []string
	for w := range on {
		if _, isDevice := m.devices[ref{mapName, w}]; isDevice && w != vantage {
			out = append(out, w)
		}
	}
	sortByDist(out, dist, false)
	return out
}

// distances are the hop counts from the map's vantage point over its links
// (networks included), with the adjacency; nil when the map has no vantage
// point. m.mu is held.
func (m *Monitor) distances(mapName string) (map[string]int, map[string][]string) {
	g := m.graphs[mapName]
	if g == nil || !g.HasVantage() {
		return nil, nil
	}
	var mp *netmap.Map
	for _, x := range m.maps {
		if x.Name == mapName {
			mp = x
		}
	}
	if mp == nil {
		return nil, nil
	}
	known := map[string]bool{}
	for _, d := range mp.Devices {
		known[d.Name] = true
	}
	for _, n := range mp.Networks {
		known[n.Name] = true
	}
	adj := map[string][]string{}
	for _, l := range mp.AllLinks() {
		if l.From != l.To && known[l.From] && known[l.To] {
			adj[l.From] = append(adj[l.From], l.To)
			adj[l.To] = append(adj[l.To], l.From)
		}
	}
	dist := map[string]int{g.Vantage(): 0}
	for queue := []string{g.Vantage()}; len(queue) > 0; queue = queue[1:] {
		for _, w := range adj[queue[0]] {
			if _, seen := dist[w]; !seen {
				dist[w] = dist[queue[0]] + 1
				queue = append(queue, w)
			}
		}
	}
	return dist, adj
}

// sortByDist orders names by hop count (farthest first when far), then name.
func sortByDist(names []string, dist map[string]int, far bool) {
	sort.Slice(names, func(i, j int) bool {
		a, b := dist[names[i]], dist[names[j]]
		if a != b {
			return a < b != far
		}
		return names[i] < names[j]
	})
}

// cutOff names, with m.mu held, the failing devices that together cut d
// off from the vantage point when no single device does (it has several
// paths and every one is broken), nearest the vantage point preferred, or
// "" when d is still reachable.
func (m *Monitor) cutOff(d ref) string {
	g := m.graphs[d.Map]
	if g == nil || !g.HasVantage() {
		return ""
	}
	failing := map[string]bool{}
	for r := range m.devices {
		if r.Map == d.Map && r.Device != d.Device && r.Device != g.Vantage() && m.failing(r.Map, r.Device) {
			failing[r.Device] = true
		}
	}
	if len(failing) == 0 || !g.Unreachable(failing)[d.Device] {
		return ""
	}
	// Keep a minimal set, dropping the devices farthest from the vantage
	// point first: those nearest it are the ones that failed.
	dist, _ := m.distances(d.Map)
	names := make([]string, 0, len(failing))
	for n := range failing {
		names = append(names, n)
	}
	sortByDist(names, dist, true)
	for _, n := range names {
		delete(failing, n)
		if !g.Unreachable(failing)[d.Device] {
			failing[n] = true
		}
	}
	names = names[:0]
	for n := range failing {
		names = append(names, n)
	}
	sortByDist(names, dist, false)
	return strings.Join(names, ", ")
}

// recheck polls the upstream devices in order, waiting for each, then the
// device itself, whose next poll decides.
func (m *Monitor) recheck(key string, upstream []string) {
	for _, k := range upstream {
		if done := m.deps.Scheduler.PollNowDone(k); done != nil {
			select {
			case <-done:
			case <-time.After(time.Minute):
			}
		}
	}
	m.deps.Scheduler.PollNow(key)
}

// failing reports, with m.mu held, whether a device is down or has just
// missed a poll.
func (m *Monitor) failing(mapName, device string) bool {
	b, ok := m.devices[ref{mapName, device}]
	if !ok || b.key == "" {
		return false
	}
	st := m.states[b.key]
	return st.Level == status.Down || st.Misses > 0
}

// classify updates, with m.mu held, which of refs are behind a failing
// device, and returns each one's before and after.
func (m *Monitor) classify(refs []ref, next status.State) []shadowChange {
	if m.unreach == nil {
		m.unreach = map[ref]string{}
	}
	out := make([]shadowChange, len(refs))
	for i, d := range refs {
		out[i].was = m.unreach[d]
		if next.Level == status.Down {
			if g := m.graphs[d.Map]; g != nil {
				for _, u := range g.Upstream(d.Device) {
					if m.failing(d.Map, u) {
						out[i].now = u
						break
					}
				}
			}
		}
		if out[i].now == "" && next.Level == status.Down {
			out[i].now = m.cutOff(d)
		}
		if out[i].now == "" {
			delete(m.unreach, d)
		} else {
			m.unreach[d] = out[i].now
		}
	}
	return out
}

// dependentsToRepoll lists, with m.mu held, the keys of down devices behind
// one that just recovered: they are polled at once, before anything about
// them is announced.
func (m *Monitor) dependentsToRepoll(refs []ref, change *status.Change) []string {
	if change == nil || change.From != status.Down || change.To == status.Down {
		return nil
	}
	var keys []string
	for _, d := range refs {
		g := m.graphs[d.Map]
		if g == nil {
			continue
		}
		deps := g.Dependents(d.Device)
		// A device cut off by several failures (see cutOff) may be reached
		// again through this one.
		for u := range m.unreach {
			if u.Map == d.Map && !slices.Contains(deps, u.Device) {
				deps = append(deps, u.Device)
			}
		}
		for _, dep := range deps {
			if b := m.devices[ref{d.Map, dep}]; b.key != "" && m.states[b.key].Level == status.Down && !slices.Contains(keys, b.key) {
				keys = append(keys, b.key)
			}
		}
	}
	return keys
}

// announceShadowChanges logs a down device that stops or starts being
// behind a failed device without changing level: one still down once its
// upstream is back is announced as DOWN now.
func (m *Monitor) announceShadowChanges(refs []ref, shadow []shadowChange, next status.State, t time.Time) {
	for i, d := range refs {
		sc := shadow[i]
		switch {
		case next.Level != status.Down || sc.was == sc.now:
		case sc.now == "":
			m.write(eventlog.Event{Time: t, Kind: "DOWN", Map: d.Map, Device: d.Device,
				Message: fmt.Sprintf("%s (no longer behind %s)", next.Reason, sc.was)})
			if m.deps.OnChange != nil {
				m.deps.OnChange(d.Map, d.Device, status.Down, status.Down)
			}
		case sc.was == "":
			m.write(eventlog.Event{Time: t, Kind: "UNREACHABLE", Map: d.Map, Device: d.Device,
				Message: fmt.Sprintf("behind %s: %s", sc.now, next.Reason)})
		}
	}
}
