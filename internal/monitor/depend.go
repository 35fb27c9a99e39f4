package monitor

import (
	"fmt"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/status"
)

// A device that stops answering is declared only after the devices between
// it and the vantage point have been re-checked, nearest the vantage point
// first. If one of them is failing, the device is unreachable, not down:
// logged as UNREACHABLE, drawn as such, and kept out of notifications. So
// the outcome does not depend on which device happened to be polled first.

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
		g := m.graphs[d.Map]
		if g == nil {
			continue
		}
		for _, u := range g.Upstream(d.Device) {
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
		for _, dep := range g.Dependents(d.Device) {
			if b := m.devices[ref{d.Map, dep}]; b.key != "" && m.states[b.key].Level == status.Down {
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
