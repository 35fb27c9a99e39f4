package probe

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/status"
)

type fakeSummaries map[string]remotes.Summary

func (f fakeSummaries) MapSummary(_ context.Context, name string) (remotes.Summary, bool) {
	s, ok := f[name]
	return s, ok
}

func TestMapStatusProbe(t *testing.T) {
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") != "Bearer tok":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid token"}`))
		case r.URL.Path == "/api/v1/maps/Campus/summary":
			json.NewEncoder(w).Encode(remotes.Summary{Map: "Campus", Status: "down", Devices: 40, Counts: map[string]int{"down": 2, "warning": 1, "ok": 37}})
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"no map named \"Nope\""}`))
		}
	}))
	defer remote.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	local := fakeSummaries{"Lab": {Map: "Lab", Status: "warning", Devices: 2, Counts: map[string]int{"ok": 1, "warning": 1}}}
	info := MapStatusInfo(local)
	for _, tc := range []struct {
		name       string
		params     map[string]string
		level      status.Level
		noResponse bool
		reason     string
		link       string
	}{
		{name: "remote", params: map[string]string{"server": remote.URL, "map": "Campus", "token": "tok"}, level: status.Down,
			reason: "map Campus on " + strings.TrimPrefix(remote.URL, "http://") + ": 2 down, 1 warning of 40 devices", link: remote.URL + "/#/map/Campus"},
		{name: "remote, InterMapper names", params: map[string]string{"Server URL": remote.URL, "Map Name": "/Campus.map", "token": "tok"}, level: status.Down, reason: "2 down"},
		{name: "remote, unknown map", params: map[string]string{"server": remote.URL, "map": "Nope", "token": "tok"}, level: status.Down, reason: `no map named "Nope"`},
		{name: "remote, bad token", params: map[string]string{"server": remote.URL, "map": "Campus", "token": "bad"}, level: status.Down, reason: "not allowed (401)"},
		{name: "remote unreachable", params: map[string]string{"server": closed.URL, "map": "Campus", "token": "tok"}, level: status.Down, noResponse: true, reason: "map Campus"},
		{name: "local", params: map[string]string{"map": "Lab"}, level: status.Warning, reason: "map Lab: 1 warning of 2 devices", link: "#/map/Lab"},
		{name: "local, unknown map", params: map[string]string{"map": "Gone"}, level: status.Down, reason: `no map named "Gone" on this server`},
		{name: "no map", params: map[string]string{}, level: status.Down, reason: "no map name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := info.New().Poll(context.Background(), Target{Address: "127.0.0.1", Params: info.WithDefaults(tc.params)})
			if r.Level != tc.level || r.NoResponse != tc.noResponse || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got %s %q (no response %v), want %s with %q", r.Level, r.Reason, r.NoResponse, tc.level, tc.reason)
			}
			if tc.link != "" && r.Values["map_url"] != tc.link {
				t.Fatalf("map_url %v, want %s", r.Values["map_url"], tc.link)
			}
		})
	}
}

func TestMapStatusCheckParams(t *testing.T) {
	info := MapStatusInfo(nil)
	for _, tc := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"map": "Campus"}, ""},
		{map[string]string{"map": "Campus", "server": "https://b:8080", "fingerprint": "SHA256:" + strings.Repeat("ab", 32)}, ""},
		{map[string]string{}, "map"},
		{map[string]string{"map": "Campus", "server": "ftp://b"}, "server"},
		{map[string]string{"map": "Campus", "server": "https://b", "fingerprint": "nope"}, "fingerprint"},
	} {
		err := info.CheckParams(tc.params)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.params, err, tc.want)
		}
	}
	if r := info.New().Poll(context.Background(), Target{Params: map[string]string{"map": "Lab"}}); r.Level != status.Unknown {
		t.Errorf("local map without a local source: %+v", r)
	}
}
