// Package web serves the HTTP API under /api/v1, /metrics and (later) the
// web UI. Handlers only translate HTTP to calls on the components below.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/probe"
)

// Deps are what the API reads and changes.
type Deps struct {
	Maps    *netmap.Store
	Monitor *monitor.Monitor
	Events  *eventlog.Log
	Auth    *auth.Service
	Probes  *probe.Registry
	// ServerInfo returns the body of GET /api/v1/server.
	ServerInfo func() any
	Gatherer   prometheus.Gatherer
	Logger     *slog.Logger
}

// API is the HTTP handler.
type API struct {
	deps   Deps
	mux    *http.ServeMux
	routes []route
}

// route documents one endpoint for openapi.json.
type route struct {
	method, path, summary string
	public                bool
}

// maxBody bounds request bodies; a map file is far smaller.
const maxBody = 4 << 20

// New builds the handler.
func New(deps Deps) *API {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{deps: deps, mux: http.NewServeMux()}
	a.handle("GET /api/v1/health", "Liveness check (no authentication)", true, a.health)
	a.handle("GET /api/v1/openapi.json", "This API description (no authentication)", true, a.openapi)
	a.handle("GET /api/v1/server", "Server information: version, uptime, maps, devices, polls per second, listeners", false, a.server)
	a.handle("GET /api/v1/probes", "Probes this server knows, with their parameters", false, a.probes)
	a.mapRoutes()
	a.handle("GET /api/v1/events", "Event log; query since (RFC 3339), until, limit, map, device, kind", false, a.events)
	a.handle("GET /api/v1/users", "User accounts", false, a.users)
	a.handle("POST /api/v1/tokens", "Create an API token for the calling user; body {\"label\":\"…\"}", false, a.createToken)
	if deps.Gatherer != nil {
		a.mux.Handle("GET /metrics", promhttp.HandlerFor(deps.Gatherer, promhttp.HandlerOpts{}))
		a.routes = append(a.routes, route{"GET", "/metrics", "Prometheus metrics of the server itself (no authentication)", true})
	}
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.withAuth(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, fmt.Errorf("no such API endpoint: %s %s", r.Method, r.URL.Path))
		})(w, r)
	})
	return a
}

func (a *API) handle(pattern, summary string, public bool, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	a.routes = append(a.routes, route{method, path, summary, public})
	if !public {
		h = a.withAuth(h)
	}
	a.mux.HandleFunc(pattern, h)
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			a.deps.Logger.Error("panic in HTTP handler", "path", r.URL.Path, "panic", v)
			writeError(w, http.StatusInternalServerError, errors.New("internal error (see server log)"))
		}
	}()
	a.mux.ServeHTTP(w, r)
}

type ctxKey struct{}

// User returns the authenticated user of a request.
func User(r *http.Request) string {
	u, _ := r.Context().Value(ctxKey{}).(string)
	return u
}

func (a *API) withAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var user string
		var err error
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			user, err = a.deps.Auth.CheckToken(r.Context(), strings.TrimSpace(tok))
		} else if name, pw, ok := r.BasicAuth(); ok {
			user, err = a.deps.Auth.CheckPassword(r.Context(), name, pw)
		} else {
			err = errors.New("authentication required: HTTP Basic or Bearer token")
		}
		if err != nil {
			if !errors.Is(err, auth.ErrBadCredentials) && user == "" && r.Header.Get("Authorization") != "" {
				a.deps.Logger.Error("authentication failed", "err", err)
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="Vantage"`)
			if errors.Is(err, auth.ErrBadCredentials) {
				err = errors.New("invalid user name, password or token")
			}
			writeError(w, http.StatusUnauthorized, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, user)))
	}
}

func (a *API) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) server(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.deps.ServerInfo())
}

func (a *API) probes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.deps.Probes.All())
}

func (a *API) users(w http.ResponseWriter, r *http.Request) {
	users, err := a.deps.Auth.Users(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, users)
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Label string `json:"label"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	tok, err := a.deps.Auth.CreateToken(r.Context(), User(r), body.Label)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": tok, "user": User(r), "label": body.Label})
}

func (a *API) events(w http.ResponseWriter, r *http.Request) {
	q, err := parseEventQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	evs, err := a.deps.Events.Read(q)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	if evs == nil {
		evs = []eventlog.Event{}
	}
	writeJSON(w, http.StatusOK, evs)
}

func parseEventQuery(r *http.Request) (eventlog.Query, error) {
	v := r.URL.Query()
	q := eventlog.Query{Map: v.Get("map"), Device: v.Get("device"), Kind: v.Get("kind")}
	var err error
	if s := v.Get("since"); s != "" {
		if q.Since, err = parseTime(s); err != nil {
			return q, fmt.Errorf("since: %w", err)
		}
	}
	if s := v.Get("until"); s != "" {
		if q.Until, err = parseTime(s); err != nil {
			return q, fmt.Errorf("until: %w", err)
		}
	}
	if s := v.Get("limit"); s != "" {
		if _, err := fmt.Sscanf(s, "%d", &q.Limit); err != nil || q.Limit < 1 || q.Limit > 10000 {
			return q, fmt.Errorf("limit: %q is not a number from 1 to 10000", s)
		}
	}
	return q, nil
}

// parseTime accepts RFC 3339 or a duration back from now ("15m").
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return time.Now().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration like 15m", s)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

// decodeJSON reads one JSON value strictly: unknown fields and trailing
// data are errors that say where.
func decodeJSON(r *http.Request, v any) error {
	return decodeJSONFrom(io.LimitReader(r.Body, maxBody), v)
}

func decodeJSONFrom(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return errors.New("request body is empty: a JSON object is required")
		case errors.As(err, &syn):
			return fmt.Errorf("request body is not valid JSON at byte %d: %v", syn.Offset, err)
		case errors.As(err, &typ):
			return fmt.Errorf("request body: field %q must be %s, got %s", typ.Field, typ.Type, typ.Value)
		}
		return fmt.Errorf("request body: %w", err)
	}
	if dec.More() {
		return errors.New("request body has data after the JSON object")
	}
	return nil
}
