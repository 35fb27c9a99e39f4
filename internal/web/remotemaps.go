package web

import (
	"context"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/remotes"
)

// RemoteMaps lists the maps of the other Vantage servers in config.yaml's
// servers: list, each with its error if it could not be read.
type RemoteMaps interface {
	RemoteMaps(ctx context.Context) []remotes.ServerMaps
}

// remoteMapRoutes serves the "Other servers" part of the map list, fetched
// here with each server's token so the browser needs neither the tokens
// nor a way past the other servers' certificates.
func (a *API) remoteMapRoutes(rm RemoteMaps) {
	a.handle("GET /api/v1/remote-maps", "Maps of the other Vantage servers in config.yaml's servers: list, with status and a link to each; a server that cannot be read has an error and no maps", false,
		func(w http.ResponseWriter, r *http.Request) {
			out := rm.RemoteMaps(r.Context())
			if out == nil {
				out = []remotes.ServerMaps{}
			}
			writeJSON(w, http.StatusOK, out)
		})
}
