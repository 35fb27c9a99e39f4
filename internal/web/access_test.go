package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/poller"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/store"
)

// routePolicy is the access policy, route by route: the test fails when a
// route is added without a line here, so every new route is a decision.
var routePolicy = map[string]access{
	"GET /api/v1/health":                           publicAccess,
	"GET /api/v1/openapi.json":                     publicAccess,
	"POST /api/v1/session":                         publicAccess,
	"GET /api/v1/session":                          publicAccess,
	"DELETE /api/v1/session":                       publicAccess,
	"GET /metrics":                                 publicAccess,
	"GET /api/v1/stream":                           anyUser,
	"GET /api/v1/server":                           anyUser,
	"GET /api/v1/probes":                           anyUser,
	"POST /api/v1/probes/reload":                   serverAdmin,
	"GET /api/v1/maps":                             anyUser,
	"POST /api/v1/maps":                            serverAdmin,
	"GET /api/v1/maps/{map}":                       mapRead,
	"PUT /api/v1/maps/{map}":                       mapWrite,
	"DELETE /api/v1/maps/{map}":                    mapAdmin,
	"GET /api/v1/maps/{map}/devices":               mapRead,
	"POST /api/v1/maps/{map}/devices":              mapWrite,
	"GET /api/v1/maps/{map}/devices/{device}":      mapRead,
	"PUT /api/v1/maps/{map}/devices/{device}":      mapWrite,
	"DELETE /api/v1/maps/{map}/devices/{device}":   mapWrite,
	"GET /api/v1/maps/{map}/networks":              mapRead,
	"POST /api/v1/maps/{map}/networks":             mapWrite,
	"GET /api/v1/maps/{map}/networks/{network}":    mapRead,
	"PUT /api/v1/maps/{map}/networks/{network}":    mapWrite,
	"DELETE /api/v1/maps/{map}/networks/{network}": mapWrite,
	"GET /api/v1/maps/{map}/links":                 mapRead,
	"POST /api/v1/maps/{map}/links":                mapWrite,
	"DELETE /api/v1/maps/{map}/links":              mapWrite,
	"GET /api/v1/maps/{map}/summary":               mapRead,
	"GET /api/v1/maps/{map}/kml":                   mapRead,
	"POST /api/v1/maps/{map}/maintenance":          mapWrite,
	"DELETE /api/v1/maps/{map}/maintenance":        mapWrite,
	"GET /api/v1/maps/{map}/access":                mapAdmin,
	"PUT /api/v1/maps/{map}/access":                mapAdmin,
	"POST /api/v1/maps/{map}/discover":             mapWrite,
	"GET /api/v1/discover/{job}":                   anyUser,
	"GET /api/v1/devices/{id}":                     deviceRead,
	"POST /api/v1/devices/{id}/poll":               deviceAck,
	"POST /api/v1/devices/{id}/acknowledge":        deviceAck,
	"DELETE /api/v1/devices/{id}/acknowledge":      deviceAck,
	"GET /api/v1/devices/{id}/datasets":            deviceRead,
	"GET /api/v1/charts/{id}/{dataset}":            deviceRead,
	"GET /api/v1/charts/{id}/{dataset}/png":        deviceRead,
	"GET /api/v1/charts":                           anyUser,
	"GET /api/v1/charts/png":                       anyUser,
	"GET /api/v1/retention":                        anyUser,
	"PUT /api/v1/retention":                        serverAdmin,
	"GET /api/v1/reports":                          anyUser,
	"GET /api/v1/events":                           anyUser,
	"GET /api/v1/traps":                            anyUser,
	"GET /api/v1/notifiers":                        serverAdmin,
	"POST /api/v1/notifiers/{name}/test":           serverAdmin,
	"POST /api/v1/notifiers/test":                  serverAdmin,
	"GET /api/v1/notifications":                    serverAdmin,
	"PUT /api/v1/notifications":                    serverAdmin,
	"GET /api/v1/incidents":                        anyUser,
	"POST /api/v1/tools/walk":                      anyUser,
	"POST /api/v1/probes/preview":                  anyUser,
	"PUT /api/v1/probes/files/{name}":              serverAdmin,
	"POST /api/v1/tools/ping":                      anyUser,
	"POST /api/v1/tools/traceroute":                anyUser,
	"GET /api/v1/flows/exporters":                  anyUser,
	"GET /api/v1/flows/top":                        anyUser,
	"GET /api/v1/flows/chart":                      anyUser,
	"GET /api/v1/flows/about":                      anyUser,
	"GET /api/v1/flows/settings":                   anyUser,
	"PUT /api/v1/flows/settings":                   serverAdmin,
	"POST /api/v1/ctl":                             serverAdmin,
	"GET /api/v1/users":                            anyUser,
	"POST /api/v1/users":                           serverAdmin,
	"PUT /api/v1/users/{name}":                     anyUser,
	"DELETE /api/v1/users/{name}":                  serverAdmin,
	"GET /api/v1/groups":                           serverAdmin,
	"POST /api/v1/groups":                          serverAdmin,
	"DELETE /api/v1/groups/{name}":                 serverAdmin,
	"GET /api/v1/access":                           serverAdmin,
	"GET /api/v1/tokens":                           anyUser,
	"POST /api/v1/tokens":                          anyUser,
	"DELETE /api/v1/tokens/{id}":                   anyUser,
	"GET /api/v1/export":                           serverAdmin,
	"GET /api/v1/remote-maps":                      anyUser,
}

// noScheduler polls nothing.
type noScheduler struct{}

func (noScheduler) Set([]poller.Job)    {}
func (noScheduler) PollNow(string) bool { return false }
func (noScheduler) PollNowDone(string) <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// fixture is an API over real users, grants, maps and an event log.
type fixture struct {
	api    *API
	auth   *auth.Service
	events *eventlog.Log
	now    time.Time
	tokens map[string]string // role → bearer token
}

// roleLevels are the test roles and their level on map Core (none on
// map Other, except the administrator).
var roleLevels = map[string]auth.Level{
	"admin": auth.Admin, "mapadmin": auth.Admin, "writer": auth.Write, "acker": auth.Acknowledge, "reader": auth.Read, "none": auth.None,
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "db", "vantage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	events, err := eventlog.Open(filepath.Join(dir, "logs"), eventlog.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { events.Close() })
	f := &fixture{events: events, now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), tokens: map[string]string{}}
	svc, err := auth.New(db, auth.Options{Config: auth.DefaultConfig(), Events: events, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.auth = svc
	maps, err := netmap.OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*netmap.Map{
		{Name: "Core", Devices: []netmap.Device{{Name: "gw", Address: "192.0.2.1", Probe: "tcp"}, {Name: "sw", Address: "192.0.2.2", Probe: "tcp"}},
			Networks: []netmap.Network{{Name: "lan", CIDRs: []string{"192.0.2.0/24"}}}},
		{Name: "Other", Devices: []netmap.Device{{Name: "db", Address: "198.51.100.7", Probe: "tcp"}}},
	} {
		if err := maps.Put(m); err != nil {
			t.Fatal(err)
		}
	}
	probes := probe.NewRegistry()
	mon := monitor.New(monitor.Config{}, monitor.Deps{Maps: maps, Scheduler: noScheduler{}, Probes: probes, Events: events, Logger: slog.New(slog.DiscardHandler)})
	f.api = New(Deps{Maps: maps, Monitor: mon, Events: events, Auth: svc, Probes: probes,
		ServerInfo: func() any { return map[string]string{"version": "test"} }, Logger: slog.New(slog.DiscardHandler)})
	for role, lvl := range roleLevels {
		groups := []string{}
		if role == "admin" {
			groups = []string{auth.AdminGroup}
		}
		if err := svc.AddUser(ctx, role, "password-"+role, groups); err != nil {
			t.Fatal(err)
		}
		if role != "admin" && lvl > auth.None {
			g, _ := svc.Grants("Core")
			g.Users[role] = lvl
			if err := svc.SetGrants(ctx, "Core", g); err != nil {
				t.Fatal(err)
			}
		}
		tok, _, err := svc.CreateToken(ctx, role, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	return f
}

// do sends a request as role ("anonymous": no credentials, "badtoken":
// a forged token).
func (f *fixture) do(role, method, path, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	r.RemoteAddr = "192.0.2.77:40000"
	r.Header.Set("Content-Type", "application/json")
	switch role {
	case "anonymous":
	case "badtoken":
		r.Header.Set("Authorization", "Bearer vt_forged")
	default:
		r.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	w := httptest.NewRecorder()
	f.api.ServeHTTP(w, r)
	return w
}

// concrete fills a route pattern's parameters.
func concrete(path string) string {
	return strings.NewReplacer("{map}", "Core", "{device}", "gw", "{network}", "lan", "{dataset}", "rtt", "{name}", "nobody",
		"{job}", "1", "/charts/{id}", "/charts/Core~gw", "/devices/{id}", "/devices/Core~gw", "/tokens/{id}", "/tokens/000000000000").Replace(path)
}

// expected is the status class the policy gives role on a route over map
// Core: "ok" (the handler ran), 401, 403 or 404.
func expected(need access, role string) string {
	if need == publicAccess {
		return "ok"
	}
	if role == "anonymous" || role == "badtoken" {
		return "401"
	}
	lvl := roleLevels[role]
	switch need {
	case anyUser:
		return "ok"
	case serverAdmin:
		if role == "admin" {
			return "ok"
		}
		return "403"
	}
	switch {
	case lvl < auth.Read:
		return "404"
	case lvl < need.level():
		return "403"
	}
	return "ok"
}

// TestAccessMatrix runs every route for every role through the real
// authentication and authorization layers in front of a handler that
// only says it ran, and checks the result against the policy table.
func TestAccessMatrix(t *testing.T) {
	f := newFixture(t)
	var missing []string
	for _, rt := range f.api.routes {
		key := rt.method + " " + rt.path
		want, ok := routePolicy[key]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q: %s,", key, rt.access))
			continue
		}
		if rt.access != want {
			t.Errorf("%s is registered as %s; the policy says %s", key, rt.access, want)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Errorf("routes without a line in routePolicy (registered access shown):\n%s", strings.Join(missing, "\n"))
	}
	roles := []string{"admin", "mapadmin", "writer", "acker", "reader", "none", "anonymous", "badtoken"}
	for _, rt := range f.api.routes {
		mux := http.NewServeMux()
		ran := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) }
		h := http.HandlerFunc(ran)
		if rt.access != publicAccess {
			h = f.api.withAuth(f.api.authorize(rt.access, ran))
		}
		mux.Handle(rt.method+" "+rt.path, h)
		for _, role := range roles {
			t.Run(rt.method+" "+rt.path+"/"+role, func(t *testing.T) {
				r := httptest.NewRequest(rt.method, concrete(rt.path), nil)
				switch role {
				case "anonymous":
				case "badtoken":
					r.Header.Set("Authorization", "Bearer vt_forged")
				default:
					r.Header.Set("Authorization", "Bearer "+f.tokens[role])
				}
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, r)
				got := fmt.Sprint(w.Code)
				if w.Code == 299 {
					got = "ok"
				}
				if want := expected(rt.access, role); got != want {
					t.Fatalf("%s %s as %s: %s, want %s (%s)", rt.method, concrete(rt.path), role, got, want, strings.TrimSpace(w.Body.String()))
				}
			})
		}
	}
}

// TestAccessThroughHandlers checks the real handlers: hidden maps, filtered
// lists and events, refused edits, and grants taking effect at once.
func TestAccessThroughHandlers(t *testing.T) {
	f := newFixture(t)
	f.events.Write(eventlog.Event{Kind: "DOWN", Map: "Core", Device: "gw", Message: "core down"})
	f.events.Write(eventlog.Event{Kind: "DOWN", Map: "Other", Device: "db", Message: "other down"})
	f.events.Write(eventlog.Event{Kind: "START", Message: "server started"})

	mapsOf := func(role string) []string {
		var out []struct{ Name, Access string }
		json.Unmarshal(f.do(role, "GET", "/api/v1/maps", "").Body.Bytes(), &out)
		var names []string
		for _, m := range out {
			names = append(names, m.Name+":"+m.Access)
		}
		return names
	}
	for role, want := range map[string][]string{
		"admin": {"Core:admin", "Other:admin"}, "reader": {"Core:read"}, "writer": {"Core:write"}, "none": nil,
	} {
		if got := mapsOf(role); !slices.Equal(got, want) {
			t.Errorf("%s sees maps %v, want %v", role, got, want)
		}
	}
	eventsOf := func(role string) string {
		var evs []eventlog.Event
		json.Unmarshal(f.do(role, "GET", "/api/v1/events", "").Body.Bytes(), &evs)
		var msgs []string
		for _, e := range evs {
			msgs = append(msgs, e.Message)
		}
		return strings.Join(msgs, "|")
	}
	if got := eventsOf("reader"); got != "core down" {
		t.Errorf("reader's events %q", got)
	}
	if got := eventsOf("none"); got != "" {
		t.Errorf("events of a user without maps %q", got)
	}
	if got := eventsOf("admin"); !strings.Contains(got, "other down") || !strings.Contains(got, "server started") {
		t.Errorf("admin's events %q", got)
	}

	for _, tc := range []struct {
		role, method, path, body string
		code                     int
	}{
		{"reader", "GET", "/api/v1/maps/Core/devices", "", 200},
		{"reader", "GET", "/api/v1/maps/Other/devices", "", 404},
		{"reader", "GET", "/api/v1/maps/Nowhere", "", 404},
		{"reader", "PUT", "/api/v1/maps/Core/devices/gw", `{"name":"gw","address":"192.0.2.9","probe":"tcp"}`, 403},
		{"reader", "POST", "/api/v1/devices/Core~gw/acknowledge", `{"comment":"mine"}`, 403},
		{"none", "GET", "/api/v1/devices/Core~gw", "", 404},
		{"writer", "POST", "/api/v1/maps/Core/networks", `{"name":"dmz","cidrs":["203.0.113.0/24"]}`, 201},
		{"writer", "DELETE", "/api/v1/maps/Core", "", 403},
		{"writer", "GET", "/api/v1/maps/Core/access", "", 403},
		{"mapadmin", "PUT", "/api/v1/maps/Core/access", `{"users":{"none":"read"}}`, 200},
		{"mapadmin", "PUT", "/api/v1/maps/Other/access", `{"users":{"none":"read"}}`, 404},
		{"none", "GET", "/api/v1/maps/Core", "", 200}, // the grant just given
		{"reader", "POST", "/api/v1/users", `{"name":"eve","password":"password-eve"}`, 403},
		{"reader", "PUT", "/api/v1/users/writer", `{"password":"password-new"}`, 403},
		{"reader", "PUT", "/api/v1/users/reader", `{"password":"password-new","current_password":"wrong"}`, 403},
		{"reader", "PUT", "/api/v1/users/reader", `{"groups":["admin"]}`, 403},
		{"admin", "POST", "/api/v1/users", `{"name":"eve","password":"password-eve"}`, 201},
		{"admin", "PUT", "/api/v1/users/eve", `{"password":"password-eve2"}`, 200},
		{"admin", "DELETE", "/api/v1/users/admin", "", 400},
	} {
		t.Run(tc.role+" "+tc.method+" "+tc.path, func(t *testing.T) {
			w := f.do(tc.role, tc.method, tc.path, tc.body)
			if w.Code != tc.code {
				t.Fatalf("%d, want %d: %s", w.Code, tc.code, w.Body.String())
			}
		})
	}

	// Tokens: listed without secrets, one's own only, revoked by id.
	var mine []auth.Token
	json.Unmarshal(f.do("reader", "GET", "/api/v1/tokens", "").Body.Bytes(), &mine)
	var all []auth.Token
	json.Unmarshal(f.do("admin", "GET", "/api/v1/tokens", "").Body.Bytes(), &all)
	if len(mine) != 1 || mine[0].User != "reader" || len(all) != len(roleLevels) {
		t.Fatalf("reader lists %+v, admin %d tokens", mine, len(all))
	}
	if body := f.do("admin", "GET", "/api/v1/tokens", "").Body.String(); strings.Contains(body, f.tokens["reader"]) {
		t.Fatal("token list shows a secret")
	}
	if w := f.do("writer", "DELETE", "/api/v1/tokens/"+mine[0].ID, ""); w.Code != 404 {
		t.Fatalf("someone else's token revoked: %d", w.Code)
	}
	if w := f.do("reader", "DELETE", "/api/v1/tokens/"+mine[0].ID, ""); w.Code != 204 {
		t.Fatalf("own token: %d %s", w.Code, w.Body.String())
	}
	if w := f.do("reader", "GET", "/api/v1/maps", ""); w.Code != 401 {
		t.Fatalf("revoked token still works: %d", w.Code)
	}

	// Every change is in the event log with who made it.
	var audit []eventlog.Event
	json.Unmarshal(f.do("admin", "GET", "/api/v1/events?kind=AUDIT", "").Body.Bytes(), &audit)
	var lines []string
	for _, e := range audit {
		lines = append(lines, e.Message)
	}
	log := strings.Join(lines, "\n")
	for _, want := range []string{`writer: POST /api/v1/maps/Core/networks (201)`, `mapadmin: set access to map "Core"`, `admin: created user "eve"`,
		`admin: reset the password of user "eve"`, `reader: revoked API token ` + mine[0].ID} {
		if !strings.Contains(log, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, log)
		}
	}
}

// TestBruteForceLogin shows password guessing slowed (429 with
// Retry-After), locked out, and logged with the address.
func TestBruteForceLogin(t *testing.T) {
	f := newFixture(t)
	login := func(pw string) *httptest.ResponseRecorder {
		return f.do("anonymous", "POST", "/api/v1/session", `{"user":"reader","password":"`+pw+`"}`)
	}
	if w := login("guess-1"); w.Code != 401 {
		t.Fatalf("first guess: %d", w.Code)
	}
	// A first failure (a typo) may be retried at once; the second is slowed.
	if w := login("guess-1b"); w.Code != 401 {
		t.Fatalf("second guess: %d", w.Code)
	}
	w := login("password-reader")
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("right password right after two failures: %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	// Basic auth is the same door.
	r := httptest.NewRequest("GET", "/api/v1/maps", nil)
	r.RemoteAddr = "192.0.2.77:40001"
	r.SetBasicAuth("reader", "guess-2")
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, r)
	if rec.Code != 429 {
		t.Fatalf("Basic guess during the delay: %d", rec.Code)
	}
	for i := 3; i <= 10; i++ {
		f.now = f.now.Add(time.Minute)
		if w := login(fmt.Sprintf("guess-%d", i)); w.Code != 401 {
			t.Fatalf("guess %d: %d %s", i, w.Code, w.Body.String())
		}
	}
	f.now = f.now.Add(time.Minute)
	if w := login("password-reader"); w.Code != 429 || !strings.Contains(w.Body.String(), "locked out") {
		t.Fatalf("locked out: %d %s", w.Code, w.Body.String())
	}
	f.now = f.now.Add(15 * time.Minute)
	if w := login("password-reader"); w.Code != 200 {
		t.Fatalf("after the lockout: %d %s", w.Code, w.Body.String())
	}
	var evs []eventlog.Event
	json.Unmarshal(f.do("admin", "GET", "/api/v1/events?kind=AUTH", "").Body.Bytes(), &evs)
	var msgs []string
	for _, e := range evs {
		msgs = append(msgs, e.Message)
	}
	log := strings.Join(msgs, "\n")
	if !strings.Contains(log, `failed login for user "reader" from 192.0.2.77 via web (1 in a row)`) || !strings.Contains(log, "locked out user reader") {
		t.Fatalf("AUTH lines:\n%s", log)
	}
}

// FuzzDecodeLogin feeds arbitrary bodies to the login decoder: it never
// panics and accepts only objects with both fields.
func FuzzDecodeLogin(f *testing.F) {
	for _, s := range []string{`{"user":"a","password":"b"}`, `{"user":"a"}`, `{"user":1}`, `[]`, `{"user":"a","password":"b","x":1}`, `{"user":"a","password":"b"} {}`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(body))
		c, err := decodeLogin(r)
		if err == nil && (c.User == "" || c.Password == "") {
			t.Fatalf("%q accepted as %+v", body, c)
		}
	})
}
