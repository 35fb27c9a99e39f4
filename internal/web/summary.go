package web

import (
	"fmt"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/remotes"
)

// summaryRoutes serves the light map summary that Map Status devices on
// other servers poll, instead of the whole map.
func (a *API) summaryRoutes() {
	a.handle("GET /api/v1/maps/{map}/summary", "A map's worst status and device counts by status, unreachable, acknowledged and in maintenance, with its key and what it follows through Map Status devices (what Map Status devices poll; the follows let them recognize loops)", false, a.mapSummary)
}

func (a *API) mapSummary(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("map")
	var s remotes.Summary
	var ok bool
	if a.deps.MapSummary != nil {
		s, ok = a.deps.MapSummary(r.Context(), name)
	} else {
		s, ok = remotes.Summarize(a.deps.Maps.Maps(), name, a.deviceState, a.isMapStatus)
	}
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", name))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// deviceState reads what a summary counts of one device.
func (a *API) deviceState(mapName, device string) remotes.DeviceState {
	var ds remotes.DeviceState
	if st, ok := a.deps.Monitor.Status(mapName, device); ok {
		ds.Level, ds.Unreachable = st.Level, st.Behind != ""
		ds.Loop, ds.Follows = remotes.LoopState(st.Last.Values)
	}
	if a.deps.Acks != nil {
		if k, ok := a.deps.Acks.Effective(mapName, device); ok {
			ds.Acked, ds.Maintenance = k.Kind == alert.KindBasic, k.Kind == alert.KindMaintenance
		}
	}
	return ds
}

// isMapStatus tells whether a device's probe is the Map Status probe.
func (a *API) isMapStatus(id string) bool {
	c, ok := a.deps.Probes.Canonical(id)
	return ok && c == remotes.MapStatusProbe
}
