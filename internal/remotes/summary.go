package remotes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
)

// MapStatusProbe is InterMapper's identifier of the Map Status probe.
const MapStatusProbe = "com.dartware.map.status"

// Summary is one map's status at a glance: GET /api/v1/maps/{map}/summary,
// what the Map Status probe reads and what the remote map list shows.
type Summary struct {
	Map string `json:"map"`
	// Status is the worst status of the map's devices.
	Status string `json:"status"`
	// Counts are devices by status ("ok": 38, "down": 2).
	Counts       map[string]int `json:"counts"`
	Devices      int            `json:"devices"`
	Unreachable  int            `json:"unreachable"`
	Acknowledged int            `json:"acknowledged"`
	Maintenance  int            `json:"maintenance"`
	// Loops name the Map Status devices left out of the summary because
	// they lead back to this map ("Top/Campus → Campus"): counting them
	// would latch the map in its own worst status forever.
	Loops []string `json:"loops,omitempty"`
	// Server is the answering server's name (its server_name or host).
	Server string `json:"server,omitempty"`
	// Key names this map on this server in other summaries' Follows
	// (MapKey), and Follows are the paths of maps its status depends on
	// through Map Status devices (see follows.go): with them a Map Status
	// device on another server tells when it would count itself.
	Key     string `json:"key,omitempty"`
	Follows []Path `json:"follows,omitempty"`
}

// DeviceState is what Summarize needs of one device's live status.
type DeviceState struct {
	Level                           status.Level
	Unreachable, Acked, Maintenance bool
	// Loop and Follows are a Map Status device's, from its last poll
	// (LoopState): the loop it closes, and what it depends on.
	Loop    string
	Follows []Path
}

// StatusFunc reports a device's live status.
type StatusFunc func(mapName, device string) DeviceState

// Summarize computes the summary of the map named name among all (every
// map of this server). isMapStatus tells whether a probe identifier or
// alias is the Map Status probe; such devices pointing at this server's
// maps (no "server" parameter) form a graph, and those whose references
// lead back to name are left out and listed in Loops, as are devices
// whose last poll found a loop through other servers (DeviceState.Loop).
// It reports false when there is no such map.
func Summarize(all []*netmap.Map, name string, st StatusFunc, isMapStatus func(string) bool) (Summary, bool) {
	byName := make(map[string]*netmap.Map, len(all))
	for _, m := range all {
		byName[m.Name] = m
	}
	m, ok := byName[name]
	if !ok {
		return Summary{}, false
	}
	refs := localRefs(all, isMapStatus)
	s := Summary{Map: m.Name, Counts: map[string]int{}}
	worst := status.Unknown
	for _, d := range m.Devices {
		if target, ok := refs[m.Name][d.Name]; ok {
			if path, loops := reaches(refs, target, m.Name); loops {
				s.Loops = append(s.Loops, m.Name+"/"+d.Name+" → "+strings.Join(path, " → "))
				continue
			}
		}
		ds := st(m.Name, d.Name)
		if ds.Loop != "" {
			// A device following another server's map that leads back
			// here: counting it would latch both maps.
			s.Loops = append(s.Loops, m.Name+"/"+d.Name+": "+ds.Loop)
			continue
		}
		s.Devices++
		s.Counts[ds.Level.String()]++
		worst = status.Worst(worst, ds.Level)
		if ds.Unreachable {
			s.Unreachable++
		}
		if ds.Acked {
			s.Acknowledged++
		}
		if ds.Maintenance {
			s.Maintenance++
		}
	}
	s.Status = worst.String()
	return s, true
}

// localRefs returns, per map, its Map Status devices that point at a map
// of this server: map → device → target map.
func localRefs(all []*netmap.Map, isMapStatus func(string) bool) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, m := range all {
		for _, d := range m.Devices {
			if d.Probe == "" || !isMapStatus(d.Probe) {
				continue
			}
			p := NormalizeParams(d.Params)
			if p.Server != "" || p.Map == "" {
				continue
			}
			if out[m.Name] == nil {
				out[m.Name] = map[string]string{}
			}
			out[m.Name][d.Name] = p.Map
		}
	}
	return out
}

// reaches reports whether following Map Status references from map from
// arrives at map to, and the path taken (breadth first, so the shortest).
func reaches(refs map[string]map[string]string, from, to string) ([]string, bool) {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for n := cur; n != ""; n = prev[n] {
				path = append(path, n)
			}
			slices.Reverse(path)
			return path, true
		}
		targets := make([]string, 0, len(refs[cur]))
		for _, t := range refs[cur] {
			targets = append(targets, t)
		}
		slices.Sort(targets)
		for _, t := range targets {
			if _, seen := prev[t]; !seen {
				prev[t] = cur
				queue = append(queue, t)
			}
		}
	}
	return nil, false
}

// Reason words a summary for a device's status window: "map Campus on
// vantage2: 2 down, 1 warning of 40 devices".
func (s Summary) Reason(where string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "map %s", s.Map)
	if where != "" {
		fmt.Fprintf(&b, " on %s", where)
	}
	b.WriteString(": ")
	var parts []string
	for _, l := range []status.Level{status.Down, status.Critical, status.Alarm, status.Warning, status.Unknown} {
		if n := s.Counts[l.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, l))
		}
	}
	switch {
	case s.Devices == 0:
		b.WriteString("no devices")
	case len(parts) == 0:
		fmt.Fprintf(&b, "all %d devices ok", s.Devices)
	default:
		fmt.Fprintf(&b, "%s of %d devices", strings.Join(parts, ", "), s.Devices)
	}
	var extra []string
	if s.Unreachable > 0 {
		extra = append(extra, fmt.Sprintf("%d unreachable", s.Unreachable))
	}
	if s.Acknowledged > 0 {
		extra = append(extra, fmt.Sprintf("%d acknowledged", s.Acknowledged))
	}
	if s.Maintenance > 0 {
		extra = append(extra, fmt.Sprintf("%d in maintenance", s.Maintenance))
	}
	if len(s.Loops) > 0 {
		extra = append(extra, fmt.Sprintf("loop ignored: %s", strings.Join(s.Loops, "; ")))
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(extra, ", "))
	}
	return b.String()
}
