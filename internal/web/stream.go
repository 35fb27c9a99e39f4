package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Stream timing: status deltas are coalesced per device and flushed a few
// times a second, so 10,000 devices polling never become 10,000 messages.
const (
	flushEvery     = 500 * time.Millisecond
	heartbeatEvery = 15 * time.Second
)

// statusDelta is one device's new status on the stream.
type statusDelta struct {
	Map    string `json:"map"`
	Device string `json:"device"`
	ID     string `json:"id"`
	liveStatus
}

type mapDelta struct {
	Map    string `json:"map"`
	Action string `json:"action"`
}

// stream serves GET /api/v1/stream: server-sent events of status, map and
// event-log changes. ?map=NAME limits status deltas to one map.
func (a *API) stream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, errors.New("streaming unsupported"))
		return
	}
	only := r.URL.Query().Get("map")
	// Access is checked for each delta, not once: grants can change while
	// the stream is open.
	var mu sync.Mutex
	dirty := map[[2]string]struct{}{}
	maps := map[string]string{}
	wake := make(chan struct{}, 1)
	cancel := a.deps.Monitor.Subscribe(func(u monitor.Update) {
		if only != "" && u.Map != only || !a.can(r, u.Map, auth.Read) {
			return
		}
		mu.Lock()
		switch {
		case u.MapDeleted:
			maps[u.Map] = "deleted"
		case u.MapChanged:
			maps[u.Map] = "changed"
		default:
			dirty[[2]string{u.Map, u.Device}] = struct{}{}
		}
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	defer cancel()
	logs, unsub := a.deps.Events.Subscribe(256)
	defer unsub()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n: connected\n\n")
	fl.Flush()

	flush := time.NewTicker(flushEvery)
	defer flush.Stop()
	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	pending := false
	for {
		select {
		case <-r.Context().Done():
			return
		case <-wake:
			pending = true
			continue
		case e, ok := <-logs:
			if !ok {
				return
			}
			if only != "" && e.Map != "" && e.Map != only || !a.visibleEvent(r, e) {
				continue
			}
			if send(w, "log", e) != nil {
				return
			}
		case <-beat.C:
			fmt.Fprint(w, ": heartbeat\n\n")
		case <-flush.C:
			if !pending {
				continue
			}
			pending = false
			mu.Lock()
			d, m := dirty, maps
			dirty, maps = map[[2]string]struct{}{}, map[string]string{}
			mu.Unlock()
			for name, action := range m {
				if !a.can(r, name, auth.Read) {
					continue
				}
				if send(w, "map", mapDelta{Map: name, Action: action}) != nil {
					return
				}
			}
			for k := range d {
				if !a.can(r, k[0], auth.Read) {
					continue
				}
				if err := send(w, "status", a.delta(k[0], k[1])); err != nil {
					return
				}
			}
		}
		fl.Flush()
	}
}

func (a *API) delta(mapName, device string) statusDelta {
	return statusDelta{Map: mapName, Device: device, ID: netmap.DeviceID(mapName, device), liveStatus: a.live(mapName, device)}
}

func send(w http.ResponseWriter, event string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
	return err
}
