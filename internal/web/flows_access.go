package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Who sees which flows. Flow records show every host's traffic, which is
// more than a map shows, so the whole network's flows (rankings over all
// exporters, the collector's diagnostics) are for administrators and for
// users who may read every map (a grant on "*"). Anyone else sees the
// flows of the exporters that are devices on maps they may read — a
// device's or a link's flows opened from their map — and the exporters
// list shows only those.

// errFlowScope is the refusal of a whole-network flow view.
var errFlowScope = errors.New("the flows of the whole network need read access to every map (a grant on \"*\") or an administrator; " +
	"add exporter=ADDRESS for an exporter that is a device on one of your maps (its status window's Flows link)")

// allFlows says whether the caller may see every exporter's flows.
func (a *API) allFlows(r *http.Request) bool {
	id := identity(r)
	return id.IsAdmin() || a.deps.Auth.Level(id, auth.AllMaps) >= auth.Read
}

// readableExporter says whether one of the devices at an exporter's
// address is on a map the caller may read.
func (a *API) readableExporter(r *http.Request, devices []string) bool {
	for _, id := range devices {
		if m, _, err := netmap.ParseDeviceID(id); err == nil && a.can(r, m, auth.Read) {
			return true
		}
	}
	return false
}

// flowScope refuses (403) a flow query the caller may not run: without
// whole-network access it must name an exporter on one of their maps.
func (a *API) flowScope(ctx context.Context, w http.ResponseWriter, r *http.Request, f Flows, exporter netip.Addr) bool {
	if a.allFlows(r) {
		return true
	}
	if !exporter.IsValid() {
		writeError(w, http.StatusForbidden, errFlowScope)
		return false
	}
	ex, err := f.Exporters(ctx)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return false
	}
	for _, e := range ex {
		if ea, err := netip.ParseAddr(e.Address); err == nil && ea.Unmap() == exporter.Unmap() && a.readableExporter(r, e.Devices) {
			return true
		}
	}
	writeError(w, http.StatusForbidden, fmt.Errorf("exporter %s is not a device on a map you may read", exporter))
	return false
}

// visibleExporters keeps the exporters the caller may see, with only
// the devices on maps the caller may read.
func (a *API) visibleExporters(r *http.Request, ex []FlowExporter) []FlowExporter {
	if a.allFlows(r) {
		return ex
	}
	out := []FlowExporter{}
	for _, e := range ex {
		if !a.readableExporter(r, e.Devices) {
			continue
		}
		// Devices on maps the caller may not read are not named either.
		devs := []string{}
		for _, id := range e.Devices {
			if m, _, err := netmap.ParseDeviceID(id); err == nil && a.can(r, m, auth.Read) {
				devs = append(devs, id)
			}
		}
		e.Devices = devs
		out = append(out, e)
	}
	return out
}
