package web

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/ctl"
)

// ctlRoutes offers the admin console's commands over the API, for
// `vantage ctl`; the output is the console's text, byte for byte.
func (a *API) ctlRoutes() {
	if a.deps.Ctl == nil {
		return
	}
	a.handle("POST /api/v1/ctl", `Run an admin console command: body {"command":"status","args":["Lab~gw"]}; answers the command's text (text/plain)`, false, a.ctl)
}

// ctlRequest is the body of POST /api/v1/ctl.
type ctlRequest struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

func (a *API) ctl(w http.ResponseWriter, r *http.Request) {
	var req ctlRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if req.Command == "quit" {
		writeError(w, http.StatusBadRequest, errors.New("quit only ends a console session"))
		return
	}
	var out bytes.Buffer
	err := ctl.Run(r.Context(), a.deps.Ctl, req.Command, req.Args, &out)
	switch {
	case errors.Is(err, ctl.ErrUsage):
		writeError(w, http.StatusBadRequest, err)
		return
	case errors.Is(err, ctl.ErrNotFound):
		writeError(w, http.StatusNotFound, err)
		return
	case err != nil:
		a.deps.Logger.Error("ctl command failed", "command", req.Command, "user", User(r), "err", err)
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	a.deps.Logger.Info("ctl command", "command", req.Command, "user", User(r))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(out.Bytes())
}
