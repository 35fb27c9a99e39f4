package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
	"github.com/vantage-monitor/vantage/internal/flowstore"
)

// Flows is the server side of the flow views.
type Flows interface {
	Exporters(ctx context.Context) ([]FlowExporter, error)
	Top(ctx context.Context, q flowstore.Query, inside bool) ([]FlowRow, error)
	Chart(ctx context.Context, q flowstore.Query, buckets int, inside bool) (flowstore.Chart, error)
	About(ctx context.Context) (FlowAbout, error)
}

// FlowExporter is an exporter with the map devices at its address.
type FlowExporter struct {
	flow.ExporterInfo
	// Devices are map~device ids of the devices with this address.
	Devices []string `json:"devices"`
}

// FlowRow is a top-N row; Interface names the exporter's ifIndex.
type FlowRow struct {
	flowstore.Row
	Interface string `json:"interface,omitempty"`
}

// FlowAbout is GET /api/v1/flows/about: what to paste into a bug report.
type FlowAbout struct {
	Versions      []string               `json:"versions"`
	Listeners     []string               `json:"listeners"`
	Backend       string                 `json:"backend"`
	Exporters     int                    `json:"exporters"`
	Templates     int                    `json:"templates"`
	Collector     flow.Stats             `json:"collector"`
	Sessions      flowstore.BuilderStats `json:"sessions"`
	DatabaseBytes int64                  `json:"database_bytes"`
	MaxBytes      int64                  `json:"max_bytes"`
	DatabaseError string                 `json:"database_error,omitempty"`
	Progress      flowstore.Progress     `json:"progress"`
	Time          time.Time              `json:"time"`
}

func (a *API) flowRoutes() {
	a.handle("GET /api/v1/flows/exporters", "Flow exporters: address, versions (format → records), records, sequence gaps, templates, last seen, devices at that address", false, a.flowExporters)
	a.handle("GET /api/v1/flows/top", "Top hosts, clients, servers, conversations, protocols, applications, exporters or interfaces: by, metric (bytes|packets|sessions), from, to, limit, exporter, interface (ifIndex), dir (in|out), host, subnet, port, proto, inside=true", false, a.flowTop)
	a.handle("GET /api/v1/flows/chart", "Traffic over time in about 200 buckets (buckets=N), each session spread over the time it lasted; same filters as top", false, a.flowChart)
	a.handle("GET /api/v1/flows/about", "Flow collector diagnostics: versions, listeners, exporters, templates, drops, database size", false, a.flowAbout)
}

func (a *API) flows(w http.ResponseWriter) (Flows, bool) {
	if a.deps.Flows == nil || a.deps.Flows() == nil {
		writeError(w, http.StatusNotImplemented, errors.New("flows are not collected by this server: enable --netflow, --sflow or --jflow"))
		return nil, false
	}
	return a.deps.Flows(), true
}

func (a *API) flowExporters(w http.ResponseWriter, r *http.Request) {
	if a.deps.Flows == nil || a.deps.Flows() == nil {
		writeJSON(w, http.StatusOK, []FlowExporter{})
		return
	}
	ex, err := a.deps.Flows().Exporters(r.Context())
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}

func (a *API) flowTop(w http.ResponseWriter, r *http.Request) {
	f, ok := a.flows(w)
	if !ok {
		return
	}
	q, inside, err := parseFlowQuery(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	rows, err := f.Top(r.Context(), q, inside)
	if err != nil {
		flowError(w, err)
		return
	}
	if rows == nil {
		rows = []FlowRow{}
	}
	writeJSON(w, http.StatusOK, rows)
}

func (a *API) flowChart(w http.ResponseWriter, r *http.Request) {
	f, ok := a.flows(w)
	if !ok {
		return
	}
	q, inside, err := parseFlowQuery(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	buckets := 200
	if s := r.URL.Query().Get("buckets"); s != "" {
		if buckets, err = strconv.Atoi(s); err != nil || buckets < 1 || buckets > 2000 {
			writeError(w, http.StatusBadRequest, fmt.Errorf("buckets: %q is not a number from 1 to 2000", s))
			return
		}
	}
	c, err := f.Chart(r.Context(), q, buckets, inside)
	if err != nil {
		flowError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) flowAbout(w http.ResponseWriter, r *http.Request) {
	f, ok := a.flows(w)
	if !ok {
		return
	}
	about, err := f.About(r.Context())
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, about)
}

// ErrFlowCollector marks failures to reach a separate flow collector (502,
// not the caller's mistake).
var ErrFlowCollector = errors.New("flow collector")

func flowError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrFlowCollector) {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	writeError(w, http.StatusBadRequest, err)
}

// FlowQueryValues writes q back as the query string parseFlowQuery reads,
// for asking another server.
func FlowQueryValues(q flowstore.Query, inside bool) url.Values {
	v := url.Values{"from": {q.From.UTC().Format(time.RFC3339Nano)}, "to": {q.To.UTC().Format(time.RFC3339Nano)}}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("by", string(q.By))
	set("metric", string(q.Metric))
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Exporter.IsValid() {
		v.Set("exporter", q.Exporter.String())
	}
	if q.Host.IsValid() {
		v.Set("host", q.Host.String())
	}
	if q.Subnet.IsValid() {
		v.Set("subnet", q.Subnet.String())
	}
	if q.Port != 0 {
		v.Set("port", strconv.Itoa(int(q.Port)))
	}
	if q.Proto != 0 {
		v.Set("proto", strconv.Itoa(int(q.Proto)))
	}
	if q.Interface != nil {
		v.Set("interface", strconv.FormatUint(uint64(q.Interface.Index), 10))
		set("dir", q.Interface.Dir)
	}
	if inside {
		v.Set("inside", "true")
	}
	return v
}

// parseFlowQuery reads a flow query; the range defaults to the last hour.
func parseFlowQuery(r *http.Request, now time.Time) (flowstore.Query, bool, error) {
	v := r.URL.Query()
	q := flowstore.Query{To: now, By: flowstore.By(v.Get("by")), Metric: flowstore.Metric(v.Get("metric"))}
	var err error
	if s := v.Get("to"); s != "" {
		if q.To, err = parseChartTime(s, now); err != nil {
			return q, false, fmt.Errorf("to: %w", err)
		}
	}
	q.From = q.To.Add(-time.Hour)
	if s := v.Get("from"); s != "" {
		if q.From, err = parseChartTime(s, now); err != nil {
			return q, false, fmt.Errorf("from: %w", err)
		}
	}
	if !q.From.Before(q.To) {
		return q, false, errors.New("from must be before to")
	}
	num := func(key string, bits int) (uint64, error) {
		s := v.Get(key)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(s, 10, bits)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a number", key, s)
		}
		return n, nil
	}
	limit, err := num("limit", 16)
	if err != nil {
		return q, false, err
	}
	q.Limit = int(limit)
	port, err := num("port", 16)
	if err != nil {
		return q, false, err
	}
	q.Port = uint16(port)
	proto, err := num("proto", 8)
	if err != nil {
		return q, false, err
	}
	q.Proto = uint8(proto)
	addr := func(key string) (netip.Addr, error) {
		s := v.Get(key)
		if s == "" {
			return netip.Addr{}, nil
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return a, fmt.Errorf("%s: %q is not an IP address", key, s)
		}
		return a.Unmap(), nil
	}
	if q.Exporter, err = addr("exporter"); err != nil {
		return q, false, err
	}
	if q.Host, err = addr("host"); err != nil {
		return q, false, err
	}
	if s := v.Get("subnet"); s != "" {
		if q.Subnet, err = netip.ParsePrefix(s); err != nil {
			return q, false, fmt.Errorf("subnet: %q is not a CIDR range", s)
		}
		q.Subnet = q.Subnet.Masked()
	}
	if s := v.Get("interface"); s != "" {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return q, false, fmt.Errorf("interface: %q is not an ifIndex", s)
		}
		dir := v.Get("dir")
		if dir != "" && dir != "in" && dir != "out" {
			return q, false, fmt.Errorf("dir: %q is not in or out", dir)
		}
		q.Interface = &flowstore.Interface{Index: uint32(n), Dir: dir}
	}
	return q, v.Get("inside") == "true", nil
}
