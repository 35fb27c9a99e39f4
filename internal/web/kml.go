package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/vantage-monitor/vantage/internal/geo"
)

func (a *API) kmlRoutes() {
	a.route("GET /api/v1/maps/{map}/kml", "The map as KML for Google Earth: devices placed by their lat/lon or the map's geo benchmarks, coloured by status, and the links between them", mapRead, a.mapKML)
}

// mapKML serves a map as a KML document, named after the map, for download.
func (a *API) mapKML(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	err := geo.WriteKML(&buf, m, func(device string) geo.Status {
		v := a.live(m.Name, device)
		return geo.Status{Level: v.Status, Reason: v.Reason, Acknowledged: v.Acknowledged, Maintenance: v.Maintenance}
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.google-earth.kml+xml")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", kmlFileName(m.Name)))
	w.Write(buf.Bytes())
}

// kmlFileName keeps a map name usable as a download's file name.
func kmlFileName(name string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"\/:*?<>|`, r) {
			return '_'
		}
		return r
	}, name)
	return clean + ".kml"
}
