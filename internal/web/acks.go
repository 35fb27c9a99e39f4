package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
)

func (a *API) ackRoutes() {
	a.route("POST /api/v1/devices/{id}/acknowledge", `Acknowledge a device's problem or put it in maintenance: {"comment", "maintenance": bool, "until": RFC 3339 or "2h"}`, deviceAck, a.acknowledge)
	a.route("DELETE /api/v1/devices/{id}/acknowledge", "Remove a device's acknowledgement or maintenance", deviceAck, a.unacknowledge)
}

func (a *API) acknowledge(w http.ResponseWriter, r *http.Request) {
	if a.deps.Acknowledge == nil {
		writeError(w, http.StatusNotImplemented, errors.New("acknowledgements are not available on this server"))
		return
	}
	m, d, ok := a.deviceByID(w, r)
	if !ok {
		return
	}
	var body struct {
		Comment     string `json:"comment"`
		Maintenance bool   `json:"maintenance"`
		Until       string `json:"until"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	k := alert.Ack{Map: m.Name, Device: d.Name, Kind: alert.KindBasic, Comment: body.Comment, User: User(r)}
	if body.Maintenance {
		k.Kind = alert.KindMaintenance
	}
	until, err := parseUntil(body.Until, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	k.Until = until
	if k.Kind == alert.KindBasic {
		// As InterMapper: only a problem can be acknowledged; planned work
		// on a healthy device is maintenance.
		if st := a.live(m.Name, d.Name).Status; st == "ok" || st == "unknown" {
			writeError(w, http.StatusConflict, fmt.Errorf("device %q is %s: only a problem can be acknowledged (use maintenance for planned work)", d.Name, st))
			return
		}
	}
	saved, err := a.deps.Acknowledge(r.Context(), k)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

func (a *API) unacknowledge(w http.ResponseWriter, r *http.Request) {
	if a.deps.Unacknowledge == nil {
		writeError(w, http.StatusNotImplemented, errors.New("acknowledgements are not available on this server"))
		return
	}
	m, d, ok := a.deviceByID(w, r)
	if !ok {
		return
	}
	if err := a.deps.Unacknowledge(r.Context(), m.Name, d.Name, User(r)); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
