package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/report"
)

type fakeReportCharts struct{ queried []string }

func (f *fakeReportCharts) Datasets(ctx context.Context, m, d string) ([]chart.Meta, error) {
	return []chart.Meta{
		{Series: chart.Series{Map: m, Device: d, Dataset: "rtt"}, Label: "Round-trip time", Units: "ms"},
		{Series: chart.Series{Map: m, Device: d, Dataset: "if.3.in_bps"}, Label: "eth0 in", Units: "bit/s", Interface: "eth0"},
		{Series: chart.Series{Map: m, Device: d, Dataset: "if.3.out_bps"}, Label: "eth0 out", Units: "bit/s", Interface: "eth0"},
	}, nil
}

func (f *fakeReportCharts) Query(ctx context.Context, s chart.Series, from, to time.Time, points int) (chart.Chart, error) {
	f.queried = append(f.queried, s.Device+"/"+s.Dataset)
	c := chart.Chart{Series: s, Resolution: chart.FiveMinutes, Step: 5 * time.Minute, From: from, To: to}
	for t := from.Truncate(5 * time.Minute); t.Before(to); t = t.Add(5 * time.Minute) {
		c.Points = append(c.Points, chart.Point{Time: t, Min: 1e6, Avg: 2e6, Max: 3e6, Count: 5})
	}
	return c, nil
}

type fakeReports struct{ from, to time.Time }

func (f *fakeReports) Report(ctx context.Context, m, d string, from, to time.Time) (report.Report, error) {
	f.from, f.to = from, to
	p := 99.5
	return report.Report{Map: m, Device: d, From: from, To: to, Devices: []report.DeviceReport{
		{Map: m, Device: "sw", Availability: report.Availability{Percent: &p, Up: report.Seconds(time.Hour)}},
	}}, nil
}

func reportAPI(t *testing.T) (*API, *fakeReportCharts, *fakeReports) {
	t.Helper()
	maps, err := netmap.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := maps.Put(&netmap.Map{Name: "Campus", Devices: []netmap.Device{{Name: "sw", Address: "192.0.2.1", Probe: "ping"}, {Name: "gw", Address: "192.0.2.2", Probe: "ping"}}}); err != nil {
		t.Fatal(err)
	}
	fc, fr := &fakeReportCharts{}, &fakeReports{}
	return &API{deps: Deps{Maps: maps, Charts: fc, Reports: fr}, mux: http.NewServeMux()}, fc, fr
}

func TestReportHandler(t *testing.T) {
	a, _, fr := reportAPI(t)
	for _, tc := range []struct {
		query, wantType, wantBody string
		code                      int
	}{
		{"map=Campus&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", "application/json", `"pct": 99.5`, 200},
		{"map=Campus&device=sw&format=html", "text/html; charset=utf-8", "99.500%", 200},
		{"map=Campus&format=csv", "text/csv; charset=utf-8", "device,Campus,sw", 200},
		{"", "", "map: required", 400},
		{"map=Nowhere", "", "no map", 404},
		{"map=Campus&device=ghost", "", "no device", 404},
		{"map=Campus&format=pdf", "", "format", 400},
		{"map=Campus&from=1000d", "", "at most 400 days", 400},
	} {
		w := httptest.NewRecorder()
		a.report(w, adminRequest("GET", "/api/v1/reports?"+tc.query, nil))
		if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.wantBody) || tc.wantType != "" && w.Header().Get("Content-Type") != tc.wantType {
			t.Errorf("%q: %d %s %q", tc.query, w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}
	}
	if !fr.from.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) && fr.to.Sub(fr.from) != 24*time.Hour {
		t.Errorf("range %v..%v", fr.from, fr.to)
	}
	w := httptest.NewRecorder()
	a.report(w, adminRequest("GET", "/api/v1/reports?map=Campus&format=csv&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", nil))
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="vantage-report-Campus-2026-11-01.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rd := csv.NewReader(w.Body)
	rd.FieldsPerRecord = -1
	if _, err := rd.ReadAll(); err != nil {
		t.Errorf("CSV: %v", err)
	}
	var rep report.Report
	w = httptest.NewRecorder()
	a.report(w, adminRequest("GET", "/api/v1/reports?map=Campus", nil))
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || rep.Map != "Campus" {
		t.Errorf("JSON %v %+v", err, rep)
	}
	a.deps.Reports = nil
	w = httptest.NewRecorder()
	a.report(w, adminRequest("GET", "/api/v1/reports?map=Campus", nil))
	if w.Code != http.StatusNotImplemented {
		t.Errorf("no reports: %d", w.Code)
	}
}

func TestPNGHandlers(t *testing.T) {
	a, fc, _ := reportAPI(t)
	id := netmap.DeviceID("Campus", "sw")

	// One interface's in brings its out.
	w := httptest.NewRecorder()
	r := adminRequest("GET", "/api/v1/charts/"+id+"/if.3.in_bps/png?from=2h&width=400&height=150", nil)
	r.SetPathValue("id", id)
	r.SetPathValue("dataset", "if.3.in_bps")
	a.onePNG(w, r)
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	img, err := png.Decode(bytes.NewReader(w.Body.Bytes()))
	if err != nil || img.Bounds().Dx() != 400 || img.Bounds().Dy() != 150 {
		t.Fatalf("picture %v %v", err, img.Bounds())
	}
	if !slices.Equal(fc.queried, []string{"sw/if.3.in_bps", "sw/if.3.out_bps"}) {
		t.Errorf("queried %v", fc.queried)
	}

	// Several series, the out already asked for: no duplicate.
	fc.queried = nil
	w = httptest.NewRecorder()
	a.manyPNG(w, adminRequest("GET", "/api/v1/charts/png?series="+id+"/if.3.in_bps&series="+id+"/if.3.out_bps&series="+netmap.DeviceID("Campus", "gw")+"/rtt", nil))
	if w.Code != 200 || !slices.Equal(fc.queried, []string{"sw/if.3.in_bps", "sw/if.3.out_bps", "gw/rtt"}) {
		t.Errorf("%d queried %v", w.Code, fc.queried)
	}

	for _, q := range []string{"", "series=" + id + "/rtt&width=5", "series=" + id + "/rtt&tz=Nowhere/Land", "series=Campus~ghost/rtt"} {
		w = httptest.NewRecorder()
		a.manyPNG(w, adminRequest("GET", "/api/v1/charts/png?"+q, nil))
		if w.Code != 400 && w.Code != 404 {
			t.Errorf("%q: %d", q, w.Code)
		}
	}
}
