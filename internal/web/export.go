package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// Exporter writes this server's settings archive: maps, probe files, MIBs,
// tools and config.yaml without its local keys (settingsync.Export).
type Exporter interface {
	Export(ctx context.Context, w io.Writer) error
}

// exportRoutes serves the archive a secondary server pulls with
// `vantage sync` (map sync for redundancy). The archive holds SNMP
// credentials and notifier settings, so only administrators get it.
func (a *API) exportRoutes(ex Exporter) {
	a.handle("GET /api/v1/export", "Administrators: the settings archive (tar.gz: maps, probe files, MIBs, tools, config.yaml without listeners, server_name, database, servers, icmp; manifest.json last) that vantage sync imports", false,
		func(w http.ResponseWriter, r *http.Request) {
			if !a.exportAdmin(r) {
				writeError(w, http.StatusForbidden, errors.New("only administrators (the admin group) may export the settings"))
				return
			}
			name := fmt.Sprintf("vantage-export-%s.tar.gz", time.Now().UTC().Format("20060102T150405Z"))
			w.Header().Set("Content-Type", "application/gzip")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			w.Header().Set("Cache-Control", "no-store")
			if err := ex.Export(r.Context(), w); err != nil {
				// The status line is gone; the importer refuses the
				// truncated archive (no manifest, bad gzip).
				a.deps.Logger.Error("export failed", "user", User(r), "err", err)
				panic(http.ErrAbortHandler)
			}
			a.deps.Logger.Info("settings exported", "user", User(r), "remote", r.RemoteAddr)
		})
}

// exportAdmin says whether the caller is in the admin group.
func (a *API) exportAdmin(r *http.Request) bool {
	users, err := a.deps.Auth.Users(r.Context())
	if err != nil {
		a.deps.Logger.Error("export: list users", "err", err)
		return false
	}
	name := User(r)
	for _, u := range users {
		if u.Name == name {
			return slices.Contains(u.Groups, "admin")
		}
	}
	return false
}
