package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/chartpng"
	"github.com/vantage-monitor/vantage/internal/report"
)

// ReportSource builds availability and performance reports; a
// *report.Builder is one.
type ReportSource interface {
	Report(ctx context.Context, mapName, device string, from, to time.Time) (report.Report, error)
}

// maxReportRange bounds one report: a year and a bit covers "last year".
const maxReportRange = 400 * 24 * time.Hour

// reportRoutes registers the reports and the chart pictures.
func (a *API) reportRoutes() {
	a.route("GET /api/v1/reports", "Availability, outages, response time and interface utilisation (95th percentile) of a map or device: map, device (optional), from, to (RFC 3339, Unix seconds or a duration back like 7d), format=json|html|csv", anyUser, a.report)
	a.route("GET /api/v1/charts/{id}/{dataset}/png", "One dataset of a device as an MRTG-style PNG (an interface's in_bps or in_util brings its out twin): from, to, width, height, title, tz", deviceRead, a.onePNG)
	a.route("GET /api/v1/charts/png", "Several datasets in one PNG: series=map~device/dataset (repeated), from, to, width, height, title, tz", anyUser, a.manyPNG)
}

func (a *API) report(w http.ResponseWriter, r *http.Request) {
	if a.deps.Reports == nil {
		writeError(w, http.StatusNotImplemented, errors.New("reports are not available on this server"))
		return
	}
	v := r.URL.Query()
	mapName, device := v.Get("map"), v.Get("device")
	if mapName == "" {
		writeError(w, http.StatusBadRequest, errors.New("map: required"))
		return
	}
	if m, ok := a.deps.Maps.Get(mapName); !ok || !a.can(r, mapName, auth.Read) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map %q", mapName))
		return
	} else if device != "" && m.FindDevice(device) == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("no device %q on map %q", device, mapName))
		return
	}
	q, err := parseChartQuery(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if q.to.Sub(q.from) > maxReportRange {
		writeError(w, http.StatusBadRequest, fmt.Errorf("from–to: at most %d days in one report", int(maxReportRange.Hours()/24)))
		return
	}
	format := v.Get("format")
	switch format {
	case "", "json", "html", "csv":
	default:
		writeError(w, http.StatusBadRequest, fmt.Errorf("format: %q is not json, html or csv", format))
		return
	}
	rep, err := a.deps.Reports.Report(r.Context(), mapName, device, q.from, q.to)
	switch {
	case errors.Is(err, report.ErrNotFound):
		writeError(w, http.StatusNotFound, err)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	var b bytes.Buffer
	switch format {
	case "", "json":
		writeJSON(w, http.StatusOK, rep)
		return
	case "html":
		err = report.WriteHTML(&b, rep)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page is self-contained: no scripts, inline styles only.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	case "csv":
		err = report.WriteCSV(&b, rep)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+reportFileName(rep, "csv")+`"`)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b.Bytes())
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// reportFileName is "vantage-report-MAP[-DEVICE]-FROMDATE.EXT" with only
// characters safe in a header and on any file system.
func reportFileName(r report.Report, ext string) string {
	name := "vantage-report-" + r.Map
	if r.Device != "" {
		name += "-" + r.Device
	}
	name += "-" + r.From.Format("2006-01-02")
	return strings.Trim(unsafeFileChars.ReplaceAllString(name, "_"), "_") + "." + ext
}

func (a *API) onePNG(w http.ResponseWriter, r *http.Request) {
	a.servePNG(w, r, []string{r.PathValue("id") + "/" + r.PathValue("dataset")})
}

func (a *API) manyPNG(w http.ResponseWriter, r *http.Request) {
	if series, ok := seriesParam(w, r, 16, "picture"); ok {
		a.servePNG(w, r, series)
	}
}

// twinOf is the "out" dataset drawn with an interface's "in" one, the pair
// that makes an MRTG picture.
var twinOf = regexp.MustCompile(`^(if\.[^.]+)\.in_(bps|util)$`)

// servePNG draws the series as one picture.
func (a *API) servePNG(w http.ResponseWriter, r *http.Request, specs []string) {
	c, ok := a.charts(w)
	if !ok {
		return
	}
	q, err := parseChartQuery(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	opt, err := parsePNGOptions(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	var series []chart.Series
	for _, spec := range specs {
		s, err := a.parseSeries(r, spec)
		if err != nil {
			writeError(w, http.StatusNotFound, err)
			return
		}
		series = append(series, s)
	}
	metas := map[chart.Series]chart.Meta{}
	for _, s := range series {
		key := chart.Series{Map: s.Map, Device: s.Device}
		if _, done := metas[key]; done {
			continue
		}
		metas[key] = chart.Meta{}
		list, err := c.Datasets(r.Context(), s.Map, s.Device)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		for _, m := range list {
			metas[chart.Series{Map: s.Map, Device: s.Device, Dataset: m.Dataset}] = m
		}
	}
	series = withTwins(series, metas)
	width, _ := opt.Size()
	charts := make([]chart.Chart, 0, len(series))
	devices := map[string]bool{}
	for _, s := range series {
		devices[s.Map+"\x00"+s.Device] = true
	}
	for _, s := range series {
		ch, err := c.Query(r.Context(), s, q.from, q.to, width)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		charts = append(charts, ch)
		m := metas[s]
		label := m.Label
		if label == "" {
			label = s.Dataset
		}
		if len(devices) > 1 {
			label = s.Device + " " + label
		}
		opt.Labels = append(opt.Labels, label)
		if opt.Units == "" {
			opt.Units = m.Units
		}
	}
	if opt.Title == "" && len(series) > 0 {
		opt.Title = series[0].Map + " / " + series[0].Device
		if len(devices) > 1 {
			opt.Title = series[0].Map
		}
	}
	var b bytes.Buffer
	if err := chartpng.Render(&b, charts, opt); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b.Bytes())
}

// withTwins adds each interface's out dataset after its in one, when the
// device records it and it was not asked for already.
func withTwins(series []chart.Series, metas map[chart.Series]chart.Meta) []chart.Series {
	have := map[chart.Series]bool{}
	for _, s := range series {
		have[s] = true
	}
	var out []chart.Series
	for _, s := range series {
		out = append(out, s)
		m := twinOf.FindStringSubmatch(s.Dataset)
		if m == nil {
			continue
		}
		twin := s
		twin.Dataset = m[1] + ".out_" + m[2]
		if _, recorded := metas[twin]; recorded && !have[twin] {
			out = append(out, twin)
			have[twin] = true
		}
	}
	return out
}

// parsePNGOptions reads width, height, title and tz (an IANA zone for the
// time axis; default the server's).
func parsePNGOptions(r *http.Request) (chartpng.Options, error) {
	v := r.URL.Query()
	opt := chartpng.Options{Title: v.Get("title"), Location: time.Local}
	for _, p := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"width", &opt.Width, chartpng.MinWidth, chartpng.MaxWidth}, {"height", &opt.Height, chartpng.MinHeight, chartpng.MaxHeight}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < p.min || n > p.max {
				return opt, fmt.Errorf("%s: %q is not a number from %d to %d", p.name, s, p.min, p.max)
			}
			*p.dst = n
		}
	}
	if s := v.Get("tz"); s != "" {
		loc, err := time.LoadLocation(s)
		if err != nil {
			return opt, fmt.Errorf("tz: %q is not an IANA time zone", s)
		}
		opt.Location = loc
	}
	return opt, nil
}
