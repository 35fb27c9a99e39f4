package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/trap"
)

// access is what a route requires, declared where the route is registered
// so the whole policy reads as one table (and the matrix test walks it).
// Map-scoped routes answer 404 to a user without read access, as if the
// map did not exist, and 403 to one who may read but not do this.
type access int

const (
	// publicAccess needs no login.
	publicAccess access = iota
	// anyUser needs a login; the handler filters what it shows by map
	// access (map lists, events, traps, the stream) or checks the body.
	anyUser
	// serverAdmin needs the admin group: settings, users, notifiers.
	serverAdmin
	// mapRead … mapAdmin need that level on the path's {map}.
	mapRead
	mapAck
	mapWrite
	mapAdmin
	// deviceRead … deviceWrite need that level on the map of the path's
	// {id} (map~device).
	deviceRead
	deviceAck
	deviceWrite
)

func (c access) String() string {
	return [...]string{"public", "any user", "server admin", "map read", "map acknowledge", "map write", "map admin",
		"device read", "device acknowledge", "device write"}[c]
}

// inferAccess is the access of a route registered without an explicit
// rule (a.handle): the safe reading of its pattern. On a {map}, reading
// needs read and anything else write; on a device {id} the same; any
// other change needs an administrator, any other read a login (handlers
// that show per-map data must filter it).
func inferAccess(pattern string) access {
	method, path, _ := strings.Cut(pattern, " ")
	read := method == http.MethodGet || method == http.MethodHead
	switch {
	case strings.Contains(path, "{map}") && read:
		return mapRead
	case strings.Contains(path, "{map}"):
		return mapWrite
	case strings.Contains(path, "{id}") && read:
		return deviceRead
	case strings.Contains(path, "{id}"):
		return deviceWrite
	case read:
		return anyUser
	}
	return serverAdmin
}

// level is the map level a map- or device-scoped route needs.
func (c access) level() auth.Level {
	switch c {
	case mapRead, deviceRead:
		return auth.Read
	case mapAck, deviceAck:
		return auth.Acknowledge
	case mapWrite, deviceWrite:
		return auth.Write
	case mapAdmin:
		return auth.Admin
	}
	return auth.None
}

type identityKey struct{}

// identity is the authenticated caller of a request.
func identity(r *http.Request) auth.Identity {
	id, _ := r.Context().Value(identityKey{}).(auth.Identity)
	return id
}

// User returns the authenticated user name of a request.
func User(r *http.Request) string { return identity(r).Name }

func withIdentity(r *http.Request, id auth.Identity) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), identityKey{}, id))
}

// level is the caller's access to a map.
func (a *API) level(r *http.Request, mapName string) auth.Level {
	return a.deps.Auth.Level(identity(r), mapName)
}

// can says whether the caller has at least l on a map.
func (a *API) can(r *http.Request, mapName string, l auth.Level) bool {
	return a.level(r, mapName) >= l
}

// operator says whether the caller may point tools at any address: an
// administrator, or a user who may write some map (who could put that
// address on it anyway).
func (a *API) operator(r *http.Request) bool {
	id := identity(r)
	if id.IsAdmin() {
		return true
	}
	for _, m := range a.deps.Maps.Maps() {
		if a.deps.Auth.Level(id, m.Name) >= auth.Write {
			return true
		}
	}
	return a.deps.Auth.Level(id, auth.AllMaps) >= auth.Write
}

var errForbidden = errors.New("your access does not allow this")

// authorize enforces a route's access before its handler runs.
func (a *API) authorize(need access, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := identity(r)
		switch need {
		case anyUser:
		case serverAdmin:
			if !id.IsAdmin() {
				writeError(w, http.StatusForbidden, errors.New("only administrators (the admin group) may do this"))
				return
			}
		case mapRead, mapAck, mapWrite, mapAdmin:
			if !a.allowMap(w, r, r.PathValue("map"), need.level()) {
				return
			}
		case deviceRead, deviceAck, deviceWrite:
			mapName, dev, err := netmap.ParseDeviceID(r.PathValue("id"))
			if err != nil {
				writeError(w, http.StatusBadRequest, err)
				return
			}
			if a.level(r, mapName) < auth.Read {
				writeError(w, http.StatusNotFound, fmt.Errorf("no device %q on map %q", dev, mapName))
				return
			}
			if !a.allowMap(w, r, mapName, need.level()) {
				return
			}
		default:
			writeError(w, http.StatusInternalServerError, fmt.Errorf("route %s has no access rule", r.Pattern))
			return
		}
		if !audited(r) {
			h(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h(rec, r)
		if rec.code < 400 {
			a.deps.Auth.Audit(id.Name, "%s %s (%d)", r.Method, r.URL.Path, rec.code)
		}
	}
}

// allowMap answers 404 (without read access: the map's existence is not
// told) or 403 (too low a level) and returns false, or returns true.
func (a *API) allowMap(w http.ResponseWriter, r *http.Request, mapName string, need auth.Level) bool {
	have := a.level(r, mapName)
	switch {
	case have < auth.Read:
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", mapName))
		return false
	case have < need:
		writeError(w, http.StatusForbidden, fmt.Errorf("map %q: your access is %s; this needs %s", mapName, have, need))
		return false
	}
	return true
}

// audited says whether a request changes something the event log should
// record: every PUT, POST and DELETE except those that only run or test
// something, and those whose handlers write their own, clearer line.
func audited(r *http.Request) bool {
	switch r.Method {
	case http.MethodPut, http.MethodPost, http.MethodDelete:
	default:
		return false
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/v1/tools/"), p == "/api/v1/probes/preview", strings.HasSuffix(p, "/test"),
		strings.HasSuffix(p, "/poll"), p == "/api/v1/probes/reload":
		return false
	case strings.HasPrefix(p, "/api/v1/users"), strings.HasPrefix(p, "/api/v1/groups"), strings.HasPrefix(p, "/api/v1/tokens"),
		strings.HasSuffix(p, "/access"):
		return false
	}
	return true
}

// statusRecorder remembers the status a handler wrote; it keeps Flush for
// streaming handlers.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// visibleEvent says whether the caller may see an event-log line: lines of
// a map need read on it; server lines (start, errors, logins, audit) are
// for administrators.
func (a *API) visibleEvent(r *http.Request, e eventlog.Event) bool {
	if e.Map == "" {
		return identity(r).IsAdmin()
	}
	return a.can(r, e.Map, auth.Read)
}

// visibleTrap keeps the devices of a trap the caller may read; a trap
// left with none (or unmatched) is for administrators only.
func (a *API) visibleTrap(r *http.Request, rec trap.Record) (trap.Record, bool) {
	if identity(r).IsAdmin() {
		return rec, true
	}
	var keep []trap.DeviceRef
	for _, d := range rec.Devices {
		if a.can(r, d.Map, auth.Read) {
			keep = append(keep, d)
		}
	}
	if len(keep) == 0 {
		return rec, false
	}
	rec.Devices = keep
	return rec, true
}

// allowTarget checks a tool's target: a device (map~device) needs level
// on its map (404 without read); an explicit address needs an operator,
// since the server would probe whatever it is told.
func (a *API) allowTarget(r *http.Request, device string, level auth.Level) (int, error) {
	if device == "" {
		if !a.operator(r) {
			return http.StatusForbidden, errors.New("tools against an address need write access to a map: pick a device instead")
		}
		return 0, nil
	}
	mapName, dev, err := netmap.ParseDeviceID(device)
	if err != nil {
		return 0, nil // the tool itself reports the bad id
	}
	switch have := a.level(r, mapName); {
	case have < auth.Read:
		return http.StatusNotFound, fmt.Errorf("no device %q on map %q", dev, mapName)
	case have < level:
		return http.StatusForbidden, fmt.Errorf("map %q: your access is %s; this tool needs %s", mapName, have, level)
	}
	return 0, nil
}
