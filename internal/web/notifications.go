package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/dur"
	"github.com/vantage-monitor/vantage/internal/notify"
)

// NotifierInfo is one configured notifier as the list shows it.
type NotifierInfo struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Target  string `json:"target,omitempty"`
	Retries int    `json:"retries"`
}

// NotificationSettings are the notifiers and the rules, edited together
// because rules name notifiers. Secrets travel as notify.Secret.
type NotificationSettings struct {
	Notifiers []notify.Config `json:"notifiers"`
	Rules     []alert.Rule    `json:"rules"`
}

// Notifications is the server side of the notification settings.
type Notifications interface {
	List() []NotifierInfo
	Settings() NotificationSettings
	Save(ctx context.Context, s NotificationSettings, user string) (NotificationSettings, error)
	Test(ctx context.Context, name, user string) error
	TestConfig(ctx context.Context, c notify.Config, user string) error
	Incidents() []alert.Incident
}

func (a *API) notificationRoutes() {
	a.route("GET /api/v1/notifiers", "Configured notifiers (no secrets)", serverAdmin, a.notifierList)
	a.route("POST /api/v1/notifiers/{name}/test", "Send a test notification through one notifier", serverAdmin, a.testNotifier)
	a.route("POST /api/v1/notifiers/test", "Send a test notification through a notifier being edited (body: its settings)", serverAdmin, a.testNotifierConfig)
	a.route("GET /api/v1/notifications", `Notifiers (secrets shown as "(secret)") and rules`, serverAdmin, a.notificationSettings)
	a.route("PUT /api/v1/notifications", `Replace the notifiers and rules: {"notifiers": [...], "rules": [...]}; saved to config.yaml and applied at once`, serverAdmin, a.saveNotifications)
	a.route("GET /api/v1/incidents", "Open problems the notification rules follow, with what is due next", anyUser, a.incidents)
	a.route("POST /api/v1/maps/{map}/maintenance", `Put a whole map in maintenance: {"comment", "until": RFC 3339 or "2h"}`, mapWrite, a.startMapMaintenance)
	a.route("DELETE /api/v1/maps/{map}/maintenance", "End a map's maintenance", mapWrite, a.endMapMaintenance)
}

// notifications answers 501 when the server has no notification settings.
func (a *API) notifications(w http.ResponseWriter) (Notifications, bool) {
	if a.deps.Notifications == nil {
		writeError(w, http.StatusNotImplemented, errors.New("notifiers are not available on this server"))
		return nil, false
	}
	return a.deps.Notifications, true
}

func (a *API) notifierList(w http.ResponseWriter, r *http.Request) {
	out := []NotifierInfo{}
	if a.deps.Notifications != nil {
		out = a.deps.Notifications.List()
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) testNotifier(w http.ResponseWriter, r *http.Request) {
	n, ok := a.notifications(w)
	if !ok {
		return
	}
	if err := n.Test(r.Context(), r.PathValue("name"), User(r)); err != nil {
		toolError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "sent"})
}

func (a *API) testNotifierConfig(w http.ResponseWriter, r *http.Request) {
	n, ok := a.notifications(w)
	if !ok {
		return
	}
	var c notify.Config
	if err := decodeJSON(r, &c); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := n.TestConfig(r.Context(), c, User(r)); err != nil {
		toolError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "sent"})
}

func (a *API) notificationSettings(w http.ResponseWriter, r *http.Request) {
	if n, ok := a.notifications(w); ok {
		writeJSON(w, http.StatusOK, n.Settings())
	}
}

func (a *API) saveNotifications(w http.ResponseWriter, r *http.Request) {
	n, ok := a.notifications(w)
	if !ok {
		return
	}
	var s NotificationSettings
	if err := decodeJSON(r, &s); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if s.Notifiers == nil {
		s.Notifiers = []notify.Config{}
	}
	if s.Rules == nil {
		s.Rules = []alert.Rule{}
	}
	saved, err := n.Save(r.Context(), s, User(r))
	if err != nil {
		toolError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

func (a *API) incidents(w http.ResponseWriter, r *http.Request) {
	if n, ok := a.notifications(w); ok {
		out := []alert.Incident{}
		for _, in := range n.Incidents() {
			if a.can(r, in.Map, auth.Read) {
				out = append(out, in)
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// parseUntil reads an end time as RFC 3339 or as a duration from now.
func parseUntil(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := dur.Parse(s); err == nil && d > 0 {
		return now.Add(d.Std()), nil
	}
	return time.Time{}, fmt.Errorf("until: %q is neither an RFC 3339 time nor a duration like 2h", s)
}

func (a *API) startMapMaintenance(w http.ResponseWriter, r *http.Request) {
	if a.deps.MapMaintenance == nil {
		writeError(w, http.StatusNotImplemented, errors.New("maintenance is not available on this server"))
		return
	}
	m, ok := a.deps.Maps.Get(r.PathValue("map"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", r.PathValue("map")))
		return
	}
	var body struct {
		Comment string `json:"comment"`
		Until   string `json:"until"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	until, err := parseUntil(body.Until, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	k := alert.Ack{Map: m.Name, Kind: alert.KindMaintenance, Comment: body.Comment, User: User(r), Until: until}
	saved, err := a.deps.MapMaintenance(r.Context(), k, false)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

func (a *API) endMapMaintenance(w http.ResponseWriter, r *http.Request) {
	if a.deps.MapMaintenance == nil {
		writeError(w, http.StatusNotImplemented, errors.New("maintenance is not available on this server"))
		return
	}
	m, ok := a.deps.Maps.Get(r.PathValue("map"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", r.PathValue("map")))
		return
	}
	if _, err := a.deps.MapMaintenance(r.Context(), alert.Ack{Map: m.Name, User: User(r)}, true); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
