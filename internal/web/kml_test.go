package web

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

func TestMapKML(t *testing.T) {
	maps, err := netmap.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lat, lon := 48.85, 2.35
	m := &netmap.Map{Name: `Paris "HQ"`, Devices: []netmap.Device{
		{Name: "gw", Address: "192.0.2.1", Lat: &lat, Lon: &lon},
		{Name: "nowhere", Address: "192.0.2.2"},
	}}
	if err := maps.Put(m); err != nil {
		t.Fatal(err)
	}
	a := &API{deps: Deps{Maps: maps, Monitor: monitor.New(monitor.Config{}, monitor.Deps{Maps: maps}), Logger: slog.New(slog.DiscardHandler)}, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /api/v1/maps/{map}/kml", a.mapKML)

	w := httptest.NewRecorder()
	a.mux.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/maps/Paris%20%22HQ%22/kml", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/vnd.google-earth.kml+xml" {
		t.Fatalf("%d %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="Paris _HQ_.kml"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	var k struct {
		Name       string `xml:"Document>name"`
		Placemarks []struct {
			Name  string `xml:"name"`
			Style string `xml:"styleUrl"`
			Point string `xml:"Point>coordinates"`
		} `xml:"Document>Placemark"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &k); err != nil {
		t.Fatal(err)
	}
	if k.Name != `Paris "HQ"` || len(k.Placemarks) != 1 || k.Placemarks[0].Point != "2.35,48.85,0" || k.Placemarks[0].Style != "#unknown" {
		t.Errorf("KML %+v", k)
	}

	w = httptest.NewRecorder()
	a.mux.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/maps/none/kml", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "no map") {
		t.Errorf("unknown map: %d %s", w.Code, w.Body.String())
	}
}
