package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/config"
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
	a.handle("GET /api/v1/flows/exporters", "Flow exporters the caller may see (every one for administrators and readers of every map; else those that are devices on the caller's maps): address, versions (format → records), records, sequence gaps, templates, last seen, devices at that address", false, a.flowExporters)
	a.handle("GET /api/v1/flows/top", "Top hosts, clients, servers, conversations, protocols, applications, exporters or interfaces: by, metric (bytes|packets|sessions), from, to, limit, exporter, interface (ifIndex), dir (in|out), host, subnet, port, proto, inside=true. Without read access to every map (\"*\") or the admin group, exporter= must name an exporter that is a device on a map the caller may read", false, a.flowTop)
	a.handle("GET /api/v1/flows/chart", "Traffic over time in about 200 buckets (buckets=N), each session spread over the time it lasted; same filters and access as top", false, a.flowChart)
	a.handle("GET /api/v1/flows/about", "Flow collector diagnostics: versions, listeners, exporters, templates, drops, database size (administrators and readers of every map)", false, a.flowAbout)
	a.route("GET /api/v1/flows/settings", "Flow settings as saved in config.yaml (inside networks, max_bytes, max_age, server_ports, listeners) beside the values the running server uses (running), the saved keys waiting for a restart (pending) and listener flags that win (flags)", anyUser, a.flowSettings)
	a.route("PUT /api/v1/flows/settings", "Change the flow settings (fields left out keep their values); saved to config.yaml. Inside networks, max_bytes and max_age apply at once; listeners and server_ports when the server restarts", serverAdmin, a.setFlowSettings)
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
	writeJSON(w, http.StatusOK, a.visibleExporters(r, ex))
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
	if !a.flowScope(r.Context(), w, r, f, q.Exporter) {
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
	if !a.flowScope(r.Context(), w, r, f, q.Exporter) {
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
	if !a.allFlows(r) {
		writeError(w, http.StatusForbidden, errFlowScope)
		return
	}
	about, err := f.About(r.Context())
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, about)
}

// FlowSettings is the server side of GET and PUT /api/v1/flows/settings.
type FlowSettings interface {
	FlowSettings() FlowSettingsView
	// SetFlowSettings lets edit change the saved settings, then saves and
	// applies them. Errors the caller made wrap ErrBadRequest.
	SetFlowSettings(ctx context.Context, edit func(*config.FlowSettings) error, user string) (FlowSettingsView, error)
}

// FlowSettingsView is GET and PUT /api/v1/flows/settings: the settings as
// config.yaml has them, and what the running server does.
type FlowSettingsView struct {
	config.FlowSettings
	// Running are the values in effect; they differ from the saved ones
	// for the keys in Pending.
	Running config.FlowSettings `json:"running"`
	// Pending names the saved keys that take effect when the server
	// restarts (listeners.netflow, flows.server_ports ...).
	Pending []string `json:"pending"`
	// Flags are listener flags given on the command line (name → address):
	// they win over config.yaml for as long as the server is started with
	// them.
	Flags map[string]string `json:"flags"`
	// Listening is the state of each flow listener (the bound address).
	Listening []FlowListenerState `json:"listening"`
	// Collecting says whether this server runs a flow collector; Remote is
	// the collector whose flows it shows instead (flows.remote.url).
	Collecting bool   `json:"collecting"`
	Remote     string `json:"remote,omitempty"`
	// Notices say in words what Pending, Flags and Remote mean.
	Notices []string `json:"notices"`
	// BuiltinPorts is the client/server rule's built-in list (port →
	// name), which server_ports adds to or removes from.
	BuiltinPorts map[uint16]string `json:"builtin_ports"`
}

// FlowListenerState is one flow listener as the running server has it.
type FlowListenerState struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	State   string `json:"state"`
	Error   string `json:"error,omitempty"`
}

func (a *API) flowSettings(w http.ResponseWriter, r *http.Request) {
	if a.deps.FlowSettings == nil {
		writeError(w, http.StatusNotImplemented, errors.New("flow settings are not available on this server"))
		return
	}
	writeJSON(w, http.StatusOK, a.deps.FlowSettings.FlowSettings())
}

// BadRequest marks err as the caller's mistake (400) while keeping its
// text as it is, without ErrBadRequest's words in front.
func BadRequest(err error) error {
	if err == nil {
		return nil
	}
	return badRequest{err}
}

type badRequest struct{ error }

func (b badRequest) Unwrap() []error { return []error{ErrBadRequest, b.error} }

// flowSettingKeys are the fields PUT /api/v1/flows/settings takes.
var flowSettingKeys = []string{"inside", "max_bytes", "max_age", "server_ports", "listeners"}

func (a *API) setFlowSettings(w http.ResponseWriter, r *http.Request) {
	if a.deps.FlowSettings == nil {
		writeError(w, http.StatusNotImplemented, errors.New("flow settings are not available on this server"))
		return
	}
	var body map[string]json.RawMessage
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	for k := range body {
		if !slices.Contains(flowSettingKeys, k) {
			writeError(w, http.StatusBadRequest, fmt.Errorf("request body: unknown field %q (the flow settings are %s)", k, strings.Join(flowSettingKeys, ", ")))
			return
		}
	}
	saved, err := a.deps.FlowSettings.SetFlowSettings(r.Context(), func(s *config.FlowSettings) error {
		return patchFlowSettings(s, body)
	}, User(r))
	switch {
	case errors.Is(err, ErrBadRequest):
		writeError(w, http.StatusBadRequest, err)
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
	default:
		writeJSON(w, http.StatusOK, saved)
	}
}

// patchFlowSettings sets the fields the body gives: a PUT that names only
// the inside networks must not turn the size cap into 0 (no cap). A list
// or map given replaces the saved one whole; listeners not named keep
// their addresses.
func patchFlowSettings(s *config.FlowSettings, body map[string]json.RawMessage) error {
	field := func(key string, v any, want string) error {
		raw, ok := body[key]
		if !ok {
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return BadRequest(fmt.Errorf("%s: want %s: %w", key, want, err))
		}
		return nil
	}
	var inside []string
	ports := map[uint16]string{}
	if err := errors.Join(
		field("inside", &inside, `a list of networks like ["10.0.0.0/8", "192.0.2.7"]`),
		field("max_bytes", &s.MaxBytes, "a number of bytes (0: no cap)"),
		field("max_age", &s.MaxAge, `a duration like "30d" (0: keep within the cap)`),
		field("server_ports", &ports, `an object of port → name, like {"8443": "https-alt", "8080": ""}`),
		field("listeners", &s.Listeners, `{"netflow": ":2055", "sflow": ":6343", "jflow": "off"}`),
	); err != nil {
		return err
	}
	if _, ok := body["inside"]; ok {
		s.Inside = inside
	}
	if _, ok := body["server_ports"]; ok {
		s.ServerPorts = ports
	}
	return nil
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
