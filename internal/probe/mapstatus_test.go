package probe

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
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

// MapKey is the fake server's key of a map: "alpha:" and its name.
func (f fakeSummaries) MapKey(name string) string { return "alpha:" + name }
func (f fakeSummaries) ServerName() string        { return "alpha" }

// TestMapStatusLoops: a device on alpha's map X follows a map on another
// server; when that map depends on X (directly or through other maps) the
// device reports the loop as its own error instead of the followed map's
// status, and keeps passing on what it follows so the other side sees the
// loop too. Without a loop it passes the followed map's key and paths on.
func TestMapStatusLoops(t *testing.T) {
	summaries := map[string]remotes.Summary{
		"Y":     {Map: "Y", Status: "down", Devices: 1, Counts: map[string]int{"down": 1}, Server: "beta", Key: "beta:Y", Follows: []remotes.Path{{"alpha:X"}}},
		"Far":   {Map: "Far", Status: "ok", Devices: 1, Counts: map[string]int{"ok": 1}, Server: "beta", Key: "beta:Far", Follows: []remotes.Path{{"gamma:Z"}, {"gamma:Z", "alpha:X"}}},
		"Plain": {Map: "Plain", Status: "warning", Devices: 1, Counts: map[string]int{"warning": 1}, Server: "beta", Key: "beta:Plain", Follows: []remotes.Path{{"gamma:Z"}}},
		// The server's own address: following its own map X from X.
		"X":   {Map: "X", Status: "ok", Devices: 1, Counts: map[string]int{"ok": 1}, Server: "alpha", Key: "alpha:X"},
		"Old": {Map: "Old", Status: "ok", Devices: 1, Counts: map[string]int{"ok": 1}, Server: "beta"},
	}
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/maps/"), "/summary")
		json.NewEncoder(w).Encode(summaries[name])
	}))
	defer remote.Close()
	info := MapStatusInfo(fakeSummaries{})
	for _, tc := range []struct {
		name, follow, onMap string
		level               status.Level
		loop                string
		follows             []remotes.Path
	}{
		{name: "two servers", follow: "Y", onMap: "X", level: status.Critical, loop: "alpha/X → beta/Y → alpha/X",
			follows: []remotes.Path{{"beta:Y"}, {"beta:Y", "alpha:X"}}},
		{name: "through a third", follow: "Far", onMap: "X", level: status.Critical, loop: "alpha/X → beta/Far → 1 more map → alpha/X",
			follows: []remotes.Path{{"beta:Far"}, {"beta:Far", "gamma:Z"}, {"beta:Far", "gamma:Z", "alpha:X"}}},
		{name: "itself by address", follow: "X", onMap: "X", level: status.Critical, loop: "alpha/X → alpha/X", follows: []remotes.Path{{"alpha:X"}}},
		{name: "no loop", follow: "Plain", onMap: "X", level: status.Warning, follows: []remotes.Path{{"beta:Plain"}, {"beta:Plain", "gamma:Z"}}},
		{name: "on another map of this server", follow: "Y", onMap: "W", level: status.Down, follows: []remotes.Path{{"beta:Y"}, {"beta:Y", "alpha:X"}}},
		// A shared poll does not know its map, and an older server
		// sends no keys: the followed status is taken as it is.
		{name: "map unknown", follow: "Y", level: status.Down, follows: []remotes.Path{{"beta:Y"}, {"beta:Y", "alpha:X"}}},
		{name: "server without keys", follow: "Old", onMap: "X", level: status.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := info.New().Poll(context.Background(), Target{Address: "127.0.0.1", Map: tc.onMap, Params: info.WithDefaults(map[string]string{"server": remote.URL, "map": tc.follow})})
			loop, follows := remotes.LoopState(r.Values)
			if r.Level != tc.level || loop != tc.loop || !reflect.DeepEqual(follows, tc.follows) {
				t.Fatalf("got %s %q loop %q follows %q; want %s, loop %q, follows %q", r.Level, r.Reason, loop, follows, tc.level, tc.loop, tc.follows)
			}
			if tc.loop != "" && (!strings.HasPrefix(r.Reason, "loop: "+tc.loop) || r.Values["map_url"] != remote.URL+"/#/map/"+tc.follow) {
				t.Fatalf("reason %q, values %v", r.Reason, r.Values)
			}
		})
	}
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
