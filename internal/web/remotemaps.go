package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/remotes"
)

// RemoteMaps lists the maps of the other Vantage servers: those in
// config.yaml's servers: list and the calling user's own, each with its
// error if it could not be read; it also keeps each user's own list.
type RemoteMaps interface {
	RemoteMaps(ctx context.Context, user string) []remotes.ServerMaps
	UserServers(ctx context.Context, user string) ([]remotes.Server, error)
	PutUserServer(ctx context.Context, user string, s remotes.Server) error
	DeleteUserServer(ctx context.Context, user, name string) (bool, error)
}

// remoteMapRoutes serves the "Other servers" part of the map list, fetched
// here with each server's token so the browser needs neither the tokens
// nor a way past the other servers' certificates.
func (a *API) remoteMapRoutes(rm RemoteMaps) {
	a.handle("GET /api/v1/remote-maps", "Maps of the other Vantage servers (config.yaml's servers: list and the caller's own, see /api/v1/servers), with status and a link to each; a server that cannot be read has an error and no maps", false,
		func(w http.ResponseWriter, r *http.Request) {
			out := rm.RemoteMaps(r.Context(), User(r))
			if out == nil {
				out = []remotes.ServerMaps{}
			}
			writeJSON(w, http.StatusOK, out)
		})
	a.route("GET /api/v1/servers", "The caller's own list of other Vantage servers (tokens are never shown)", anyUser,
		func(w http.ResponseWriter, r *http.Request) {
			list, err := rm.UserServers(r.Context(), User(r))
			if err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			for i := range list {
				list[i].Token = ""
			}
			writeJSON(w, http.StatusOK, list)
		})
	a.route("PUT /api/v1/servers/{name}", `Add or replace one of the caller's servers: {"url", "token" (an API token of the caller on that server), "fingerprint", "insecure"}`, anyUser,
		func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				URL         string `json:"url"`
				Token       string `json:"token"`
				Fingerprint string `json:"fingerprint"`
				Insecure    bool   `json:"insecure"`
			}
			if err := decodeJSON(r, &body); err != nil {
				writeError(w, http.StatusBadRequest, err)
				return
			}
			s := remotes.Server{Name: r.PathValue("name"), URL: body.URL, Token: body.Token, Fingerprint: body.Fingerprint, Insecure: body.Insecure}
			if err := rm.PutUserServer(r.Context(), User(r), s); err != nil {
				writeError(w, http.StatusBadRequest, err)
				return
			}
			s.Token = ""
			writeJSON(w, http.StatusOK, s)
		})
	a.route("DELETE /api/v1/servers/{name}", "Remove one of the caller's servers", anyUser,
		func(w http.ResponseWriter, r *http.Request) {
			ok, err := rm.DeleteUserServer(r.Context(), User(r), r.PathValue("name"))
			switch {
			case err != nil:
				writeError(w, http.StatusInternalServerError, err)
			case !ok:
				writeError(w, http.StatusNotFound, fmt.Errorf("you have no server named %q", r.PathValue("name")))
			default:
				w.WriteHeader(http.StatusNoContent)
			}
		})
}
