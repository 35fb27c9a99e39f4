package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/dur"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Charts is the server side of strip charts.
type Charts interface {
	// Datasets lists a device's recorded datasets.
	Datasets(ctx context.Context, mapName, device string) ([]chart.Meta, error)
	// Query reads one dataset over [from, to] in about points points, at
	// the resolution that fits.
	Query(ctx context.Context, s chart.Series, from, to time.Time, points int) (chart.Chart, error)
}

// Retention is the server side of the retention settings.
type Retention interface {
	Retention() chart.Policies
	SetRetention(ctx context.Context, p chart.Policies, user string) (chart.Policies, error)
}

// defaultChartRange is what a chart shows when the request gives no range.
const defaultChartRange = 24 * time.Hour

func (a *API) chartRoutes() {
	a.route("GET /api/v1/devices/{id}/datasets", "A device's recorded datasets (name, label, units, interface, last sample)", deviceRead, a.datasets)
	a.route("GET /api/v1/charts/{id}/{dataset}", "One dataset of a device (id map~device): from, to (RFC 3339, Unix seconds or a duration back from now like 24h), points; format=csv for CSV", deviceRead, a.oneChart)
	a.route("GET /api/v1/retention", "How long chart data is kept at each resolution (raw, five_minutes, hour, day; 0 is forever) and per map/device/dataset rules", anyUser, a.retention)
	a.route("PUT /api/v1/retention", "Replace the retention settings; saved to config.yaml, applied at the next pruning pass", serverAdmin, a.setRetention)
	a.route("GET /api/v1/charts", "Several datasets in one chart: series=map~device/dataset (repeated), from, to, points; format=csv for CSV", anyUser, a.manyCharts)
}

func (a *API) charts(w http.ResponseWriter) (Charts, bool) {
	if a.deps.Charts == nil {
		writeError(w, http.StatusNotImplemented, errors.New("charts are not available on this server"))
		return nil, false
	}
	return a.deps.Charts, true
}

func (a *API) retention(w http.ResponseWriter, r *http.Request) {
	if a.deps.Retention == nil {
		writeError(w, http.StatusNotImplemented, errors.New("charts are not available on this server"))
		return
	}
	writeJSON(w, http.StatusOK, a.deps.Retention.Retention())
}

func (a *API) setRetention(w http.ResponseWriter, r *http.Request) {
	if a.deps.Retention == nil {
		writeError(w, http.StatusNotImplemented, errors.New("charts are not available on this server"))
		return
	}
	var p chart.Policies
	if err := decodeJSON(r, &p); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	saved, err := a.deps.Retention.SetRetention(r.Context(), p, User(r))
	if err != nil {
		toolError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

func (a *API) datasets(w http.ResponseWriter, r *http.Request) {
	c, ok := a.charts(w)
	if !ok {
		return
	}
	m, d, ok := a.deviceByID(w, r)
	if !ok {
		return
	}
	list, err := c.Datasets(r.Context(), m.Name, d.Name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	if list == nil {
		list = []chart.Meta{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (a *API) oneChart(w http.ResponseWriter, r *http.Request) {
	a.serveCharts(w, r, []string{r.PathValue("id") + "/" + r.PathValue("dataset")})
}

func (a *API) manyCharts(w http.ResponseWriter, r *http.Request) {
	if series, ok := seriesParam(w, r, 32, "chart"); ok {
		a.serveCharts(w, r, series)
	}
}

// seriesParam reads the repeated series= parameter of a chart or picture
// of several datasets, answering 400 when there are none or more than most.
func seriesParam(w http.ResponseWriter, r *http.Request, most int, what string) ([]string, bool) {
	series := r.URL.Query()["series"]
	if len(series) == 0 {
		writeError(w, http.StatusBadRequest, errors.New("series: give at least one, as map~device/dataset"))
		return nil, false
	}
	if len(series) > most {
		writeError(w, http.StatusBadRequest, fmt.Errorf("series: at most %d in one %s", most, what))
		return nil, false
	}
	return series, true
}

// serveCharts answers one or several series as JSON (one chart, or a list)
// or CSV.
func (a *API) serveCharts(w http.ResponseWriter, r *http.Request, specs []string) {
	c, ok := a.charts(w)
	if !ok {
		return
	}
	q, err := parseChartQuery(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	out := make([]chart.Chart, 0, len(specs))
	for _, spec := range specs {
		s, err := a.parseSeries(r, spec)
		if err != nil {
			writeError(w, http.StatusNotFound, err)
			return
		}
		ch, err := c.Query(r.Context(), s, q.from, q.to, q.points)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		out = append(out, ch)
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		if r.PathValue("dataset") != "" {
			writeJSON(w, http.StatusOK, out[0])
		} else {
			writeJSON(w, http.StatusOK, out)
		}
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="vantage-chart.csv"`)
		if err := chart.WriteCSV(w, out); err != nil {
			a.deps.Logger.Warn("chart CSV cut short", "err", err)
		}
	default:
		writeError(w, http.StatusBadRequest, fmt.Errorf("format: %q is not json or csv", r.URL.Query().Get("format")))
	}
}

// parseSeries reads map~device/dataset and checks the device exists and
// the caller may read its map (else it does not exist for them).
func (a *API) parseSeries(r *http.Request, spec string) (chart.Series, error) {
	id, dataset, ok := strings.Cut(spec, "/")
	if !ok || dataset == "" {
		return chart.Series{}, fmt.Errorf("series %q: want map~device/dataset", spec)
	}
	mapName, device, err := netmap.ParseDeviceID(id)
	if err != nil {
		return chart.Series{}, fmt.Errorf("series %q: %w", spec, err)
	}
	if m, ok := a.deps.Maps.Get(mapName); !ok || m.FindDevice(device) == nil || !a.can(r, mapName, auth.Read) {
		return chart.Series{}, fmt.Errorf("series %q: no device %q on map %q", spec, device, mapName)
	}
	return chart.Series{Map: mapName, Device: device, Dataset: dataset}, nil
}

type chartQuery struct {
	from, to time.Time
	points   int
}

// parseChartQuery reads from, to and points; the range defaults to the
// last 24 hours.
func parseChartQuery(r *http.Request, now time.Time) (chartQuery, error) {
	q := chartQuery{to: now}
	v := r.URL.Query()
	var err error
	if s := v.Get("to"); s != "" {
		if q.to, err = parseChartTime(s, now); err != nil {
			return q, fmt.Errorf("to: %w", err)
		}
	}
	q.from = q.to.Add(-defaultChartRange)
	if s := v.Get("from"); s != "" {
		if q.from, err = parseChartTime(s, now); err != nil {
			return q, fmt.Errorf("from: %w", err)
		}
	}
	if !q.from.Before(q.to) {
		return q, fmt.Errorf("from (%s) must be before to (%s)", q.from.Format(time.RFC3339), q.to.Format(time.RFC3339))
	}
	if s := v.Get("points"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > chart.MaxPoints {
			return q, fmt.Errorf("points: %q is not a number from 1 to %d", s, chart.MaxPoints)
		}
		q.points = n
	}
	return q, nil
}

// parseChartTime reads RFC 3339, Unix seconds, or a duration back from now
// ("24h", "7d").
func parseChartTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0), nil
	}
	if d, err := dur.Parse(strings.TrimPrefix(s, "-")); err == nil && d.Std() > 0 {
		return now.Add(-d.Std()), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time, Unix seconds or a duration like 24h or 7d", s)
}
