// Package web serves the HTTP API under /api/v1, /metrics and (later) the
// web UI. Handlers only translate HTTP to calls on the components below.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/ctl"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/trap"
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
	// Names describes OIDs (MIB names, enterprise names); nil shows them
	// numeric.
	Names interface{ Describe(oid string) string }
	// Traps lists recent traps.
	Traps func(q trap.Query) []trap.Record
	// Acks reads acknowledgements; Acknowledge and Unacknowledge change
	// them (nil: not offered).
	Acks interface {
		Effective(mapName, device string) (alert.Ack, bool)
	}
	Acknowledge   func(ctx context.Context, k alert.Ack) (alert.Ack, error)
	Unacknowledge func(ctx context.Context, mapName, device, user string) error
	// Notifications are the notifiers and rules (nil: not offered).
	Notifications Notifications
	// MapMaintenance starts (k.Device empty) or, with end, stops a
	// maintenance window on a whole map.
	MapMaintenance func(ctx context.Context, k alert.Ack, end bool) (alert.Ack, error)
	// Charts serves strip charts (nil: not offered).
	Charts    Charts
	Reports   ReportSource
	Retention Retention
	// Tools is the probe builder's server side (walks, previews, saving).
	Tools Tools
	// NetTools runs ping and traceroute for the UI (nil: not offered).
	NetTools NetTools
	// Flows returns the flow views, nil while flows are not collected.
	Flows func() Flows
	// FlowSettings reads and changes the flow settings (nil: not offered).
	FlowSettings FlowSettings
	// Ctl runs the admin console's commands for POST /api/v1/ctl (nil: not offered).
	Ctl ctl.Backend
	// Discovery scans subnets into maps (nil: not offered).
	Discovery Discovery
	// Export writes the settings archive (nil: not offered).
	Export Exporter
	// RemoteMaps lists other servers' maps (nil: not offered).
	RemoteMaps RemoteMaps
	// MapSummary summarizes a map as the server's Map Status probe does,
	// with the map's key and follows (nil: summarized here, without them).
	MapSummary func(ctx context.Context, name string) (remotes.Summary, bool)
	// ReloadProbes re-reads the probe files now.
	ReloadProbes func() (changed []string, errs []error)
	// UI holds the web UI's static files (index.html at the top); nil
	// serves the API alone.
	UI     fs.FS
	Logger *slog.Logger
}

// API is the HTTP handler.
type API struct {
	deps   Deps
	mux    *http.ServeMux
	routes []route
}

// route documents one endpoint for openapi.json and the access matrix.
type route struct {
	method, path, summary string
	access                access
}

// maxBody bounds request bodies; a map file is far smaller.
const maxBody = 4 << 20

// New builds the handler.
func New(deps Deps) *API {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{deps: deps, mux: http.NewServeMux()}
	a.route("GET /api/v1/health", "Liveness check (no authentication)", publicAccess, a.health)
	a.route("GET /api/v1/openapi.json", "This API description (no authentication)", publicAccess, a.openapi)
	a.route("POST /api/v1/session", "Log in: body {\"user\",\"password\"}; sets the session cookie and returns the CSRF token; repeated failures are slowed (429 with Retry-After) and locked out", publicAccess, a.login)
	a.route("GET /api/v1/session", "The current browser session (user, groups, admin, CSRF token), or 401", publicAccess, a.session)
	a.route("DELETE /api/v1/session", "Log out", publicAccess, a.logout)
	a.route("GET /api/v1/stream", "Server-sent events: status, map and log deltas of the maps the caller may read", anyUser, a.stream)
	a.route("GET /api/v1/server", "Server information: version, uptime, maps, devices, polls per second, listeners, TLS fingerprint", anyUser, a.server)
	a.route("GET /api/v1/probes", "Probes this server knows, with their parameters, category and description", anyUser, a.probes)
	a.route("POST /api/v1/probes/reload", "Re-read the probe files in DIR/probes now; answers what changed and what is broken", serverAdmin, a.reloadProbes)
	a.mapRoutes()
	a.summaryRoutes()
	if deps.Export != nil {
		a.exportRoutes(deps.Export)
	}
	if deps.RemoteMaps != nil {
		a.remoteMapRoutes(deps.RemoteMaps)
	}
	a.toolRoutes()
	a.ackRoutes()
	a.route("GET /api/v1/events", "Event log of the maps the caller may read (server lines for administrators); query since (RFC 3339), until, limit, map, device, kind", anyUser, a.events)
	a.route("GET /api/v1/traps", "Recent SNMP traps on the maps the caller may read (unmatched ones for administrators); query since (RFC 3339 or 15m), after_id, limit, map, device, unmatched=true", anyUser, a.traps)
	a.notificationRoutes()
	a.chartRoutes()
	a.reportRoutes()
	a.netToolRoutes()
	a.kmlRoutes()
	a.flowRoutes()
	a.ctlRoutes()
	a.discoverRoutes(deps.Discovery)
	a.userRoutes()
	if deps.Gatherer != nil {
		a.mux.Handle("GET /metrics", promhttp.HandlerFor(deps.Gatherer, promhttp.HandlerOpts{}))
		a.routes = append(a.routes, route{"GET", "/metrics", "Prometheus metrics of the server itself (no authentication)", publicAccess})
	}
	if deps.UI != nil {
		files := http.FileServerFS(deps.UI)
		// "/" rather than "GET /": the latter would conflict with "/api/".
		a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				writeError(w, http.StatusMethodNotAllowed, fmt.Errorf("%s not allowed here", r.Method))
				return
			}
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
			files.ServeHTTP(w, r)
		})
	}
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.withAuth(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, fmt.Errorf("no such API endpoint: %s %s", r.Method, r.URL.Path))
		})(w, r)
	})
	return a
}

// handle registers a route whose access follows from its pattern (see
// inferAccess); public routes need no login.
func (a *API) handle(pattern, summary string, public bool, h http.HandlerFunc) {
	need := inferAccess(pattern)
	if public {
		need = publicAccess
	}
	a.route(pattern, summary, need, h)
}

// route registers a route with the access it needs (see authz.go).
func (a *API) route(pattern, summary string, need access, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	a.routes = append(a.routes, route{method, path, summary, need})
	if need != publicAccess {
		h = a.withAuth(a.authorize(need, h))
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

// sessionCookie names the browser session cookie.
const sessionCookie = "vantage_session"

func (a *API) withAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := a.authenticate(r)
		if err != nil {
			var th *auth.ThrottledError
			code := http.StatusUnauthorized
			switch {
			case errors.As(err, &th):
				code = http.StatusTooManyRequests
				w.Header().Set("Retry-After", retryAfter(th))
			case errors.Is(err, errCSRF):
				code = http.StatusForbidden
			case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrNotFound):
				err = errors.New("invalid user name, password, token or session")
			case !errors.Is(err, errNoCredentials):
				a.deps.Logger.Error("authentication failed", "err", err)
				err = errors.New("authentication failed (see the server log)")
			}
			if code == http.StatusUnauthorized && !strings.HasPrefix(r.Header.Get("Accept"), "text/event-stream") && r.Header.Get("X-Requested-With") == "" {
				w.Header().Set("WWW-Authenticate", `Basic realm="Vantage"`)
			}
			writeError(w, code, err)
			return
		}
		h(w, withIdentity(r, id))
	}
}

// retryAfter is a Retry-After header value: whole seconds, at least 1.
func retryAfter(th *auth.ThrottledError) string {
	return fmt.Sprint(max(1, int(th.RetryAfter.Seconds()+0.999)))
}

var (
	errNoCredentials = errors.New("authentication required: log in, or use HTTP Basic or a Bearer token")
	errCSRF          = errors.New("missing or wrong X-CSRF-Token header: a session cookie alone cannot change anything")
)

// clientAddr is the request's peer address, for the login throttle.
func clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// authenticate accepts a Bearer token, HTTP Basic, or a session cookie; a
// cookie-authenticated request that changes something must carry the
// session's CSRF token, so another site cannot act with the cookie.
// Basic passwords go through the same throttle as logins.
func (a *API) authenticate(r *http.Request) (auth.Identity, error) {
	ctx := r.Context()
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		user, err := a.deps.Auth.CheckToken(ctx, strings.TrimSpace(tok))
		if err != nil {
			return auth.Identity{}, err
		}
		return a.deps.Auth.Identity(ctx, user)
	}
	if name, pw, ok := r.BasicAuth(); ok {
		return a.deps.Auth.Login(ctx, auth.Credentials{User: name, Password: pw, Addr: clientAddr(r), Via: "api"})
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return auth.Identity{}, errNoCredentials
	}
	sess, err := a.deps.Auth.CheckSession(ctx, c.Value)
	if err != nil {
		return auth.Identity{}, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !auth.Equal(r.Header.Get("X-CSRF-Token"), sess.CSRF) {
			return auth.Identity{}, errCSRF
		}
	}
	return a.deps.Auth.Identity(ctx, sess.User)
}

// sessionView is the body of GET and POST /api/v1/session: enough for
// the UI to show only what the user may do.
type sessionView struct {
	auth.Session
	Groups []string `json:"groups"`
	Admin  bool     `json:"admin"`
	Source string   `json:"source"`
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	body, err := decodeLogin(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	body.Addr, body.Via = clientAddr(r), "web"
	id, err := a.deps.Auth.Login(r.Context(), body)
	var th *auth.ThrottledError
	switch {
	case errors.As(err, &th):
		w.Header().Set("Retry-After", retryAfter(th))
		writeError(w, http.StatusTooManyRequests, err)
		return
	case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrNotFound):
		writeError(w, http.StatusUnauthorized, errors.New("invalid user name or password"))
		return
	case err != nil:
		a.deps.Logger.Error("login failed", "err", err)
		writeError(w, http.StatusInternalServerError, errors.New("login failed (see the server log)"))
		return
	}
	tok, sess, err := a.deps.Auth.CreateSession(r.Context(), id.Name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, MaxAge: int(auth.SessionTTL.Seconds())})
	writeJSON(w, http.StatusOK, sessionView{Session: sess, Groups: id.Groups, Admin: id.IsAdmin(), Source: id.Source})
}

// decodeLogin reads the login body: {"user", "password"}, nothing else.
func decodeLogin(r *http.Request) (auth.Credentials, error) {
	var body auth.Credentials
	if err := decodeJSONFrom(io.LimitReader(r.Body, 64<<10), &body); err != nil {
		return body, err
	}
	if body.User == "" || body.Password == "" {
		return body, errors.New("user and password: both required")
	}
	return body, nil
}

func (a *API) session(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		writeError(w, http.StatusUnauthorized, errors.New("not logged in"))
		return
	}
	sess, err := a.deps.Auth.CheckSession(r.Context(), c.Value)
	if err != nil {
		writeError(w, http.StatusUnauthorized, errors.New("not logged in"))
		return
	}
	id, err := a.deps.Auth.Identity(r.Context(), sess.User)
	if err != nil {
		writeError(w, http.StatusUnauthorized, errors.New("not logged in"))
		return
	}
	writeJSON(w, http.StatusOK, sessionView{Session: sess, Groups: id.Groups, Admin: id.IsAdmin(), Source: id.Source})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.deps.Auth.DeleteSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
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

func (a *API) traps(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := trap.Query{Map: v.Get("map"), Device: v.Get("device"), Unmatched: v.Get("unmatched") == "true"}
	if s := v.Get("since"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("since: %w", err))
			return
		}
		q.Since = t
	}
	for _, p := range []struct {
		name string
		dst  any
	}{{"after_id", &q.AfterID}, {"limit", &q.Limit}} {
		if s := v.Get(p.name); s != "" {
			if _, err := fmt.Sscan(s, p.dst); err != nil {
				writeError(w, http.StatusBadRequest, fmt.Errorf("%s: %q is not a number", p.name, s))
				return
			}
		}
	}
	if q.Limit < 0 || q.Limit > 10000 {
		writeError(w, http.StatusBadRequest, errors.New("limit: from 1 to 10000"))
		return
	}
	out := []trap.Record{}
	if a.deps.Traps != nil {
		for _, rec := range a.deps.Traps(q) {
			if rec, ok := a.visibleTrap(r, rec); ok {
				out = append(out, rec)
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) reloadProbes(w http.ResponseWriter, r *http.Request) {
	if a.deps.ReloadProbes == nil {
		writeError(w, http.StatusNotImplemented, errors.New("probe files are not loaded by this server"))
		return
	}
	changed, errs := a.deps.ReloadProbes()
	problems := make([]string, 0, len(errs))
	for _, e := range errs {
		problems = append(problems, e.Error())
	}
	if changed == nil {
		changed = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"changed": changed, "problems": problems})
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
	evs = slices.DeleteFunc(evs, func(e eventlog.Event) bool { return !a.visibleEvent(r, e) })
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
