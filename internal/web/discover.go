package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/discover"
)

// Discovery runs subnet scans in the background and merges what they
// find into a map.
type Discovery interface {
	// Start checks req and starts scanning for mapName, returning the
	// job's id; a bad request is an error wrapping ErrBadRequest.
	Start(ctx context.Context, mapName string, req discover.Request) (string, error)
	// Job returns a job's progress and, once finished, its outcome.
	Job(id string) (DiscoveryJob, bool)
}

// DiscoveryJob is GET /api/v1/discover/{job}.
type DiscoveryJob struct {
	ID       string               `json:"id"`
	Map      string               `json:"map"`
	User     string               `json:"user,omitempty"`
	State    string               `json:"state"` // "running", "done", "failed"
	Progress discover.Progress    `json:"progress"`
	Error    string               `json:"error,omitempty"`
	Changes  *discover.Changes    `json:"changes,omitempty"`
	Hosts    []discover.Host      `json:"hosts,omitempty"`
	Subnets  []discover.Subnet    `json:"subnets,omitempty"`
	Links    []discover.FoundLink `json:"links,omitempty"`
}

// discoverRoutes registers the discovery endpoints; with d nil they are
// not offered. The scan runs on the server's context, not the request's:
// it goes on after the 202.
func (a *API) discoverRoutes(d Discovery) {
	if d == nil {
		return
	}
	a.handle("POST /api/v1/maps/{map}/discover", "Scan subnets and add what answers to the map: {cidrs, communities, v3_users, ports, probe_silent, concurrency, rate} → 202 {id}", false, a.startDiscovery(d))
	a.handle("GET /api/v1/discover/{job}", "A discovery job: state, progress {phase, done, total, found}, and when done what was added", false, a.discoveryJob(d))
}

func (a *API) startDiscovery(d Discovery) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, ok := a.findMap(w, r)
		if !ok {
			return
		}
		var req discover.Request
		if err := decodeJSON(r, &req); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		id, err := d.Start(context.WithoutCancel(r.Context()), m.Name, req)
		switch {
		case errors.Is(err, ErrBadRequest):
			writeError(w, http.StatusBadRequest, err)
			return
		case err != nil:
			writeError(w, http.StatusServiceUnavailable, fmt.Errorf("discovery: %w", err))
			return
		}
		a.deps.Logger.Info("discovery requested", "map", m.Name, "job", id, "user", User(r), "cidrs", req.CIDRs)
		w.Header().Set("Location", "/api/v1/discover/"+id)
		writeJSON(w, http.StatusAccepted, map[string]string{"id": id, "status": "/api/v1/discover/" + id})
	}
}

func (a *API) discoveryJob(d Discovery) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j, ok := d.Job(r.PathValue("job"))
		if !ok {
			writeError(w, http.StatusNotFound, fmt.Errorf("no discovery job %q", r.PathValue("job")))
			return
		}
		writeJSON(w, http.StatusOK, j)
	}
}
