package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNotificationSettingsEdited: notifiers and rules set over the API (as
// the settings page does) are validated, written to config.yaml without
// their secrets ever coming back, applied at once and kept over a restart;
// open incidents are listed; a map-wide maintenance window silences every
// device on the map.
func TestNotificationSettingsEdited(t *testing.T) {
	recvURL, got := webhookReceiver(t)
	svc, quiet := stoppedAcceptor(t), stoppedAcceptor(t)
	data := t.TempDir()
	bin := buildBinary(t)
	in := start(t, bin, data)

	hook := map[string]any{"name": "hook", "type": "webhook", "url": recvURL, "headers": map[string]string{"Authorization": "Bearer s3cret"}, "retry_delay": "100ms"}
	rule := map[string]any{"name": "outages", "kinds": []string{"DOWN", "UP"}, "notifiers": []string{"hook"}, "repeat": "1h"}

	// A rule naming an unknown notifier is refused and nothing is written.
	before, _ := os.ReadFile(filepath.Join(data, "config.yaml"))
	var apiErr struct{ Error string }
	bad := map[string]any{"notifiers": []any{hook}, "rules": []any{map[string]any{"name": "r", "notifiers": []string{"pager"}}}}
	if code := in.do("PUT", "/api/v1/notifications", bad, &apiErr); code != 400 || !strings.Contains(apiErr.Error, `unknown notifier "pager"`) {
		t.Fatalf("bad rules: %d %q", code, apiErr.Error)
	}
	if after, _ := os.ReadFile(filepath.Join(data, "config.yaml")); string(after) != string(before) {
		t.Fatal("config.yaml changed by a refused save")
	}

	// The test button works on a notifier before it is saved.
	in.must("POST", "/api/v1/notifiers/test", hook, 200, nil)
	if body := <-got; body["kind"] != "TEST" {
		t.Fatalf("test notice %+v", body)
	}

	var saved struct {
		Notifiers []map[string]any `json:"notifiers"`
		Rules     []map[string]any `json:"rules"`
	}
	in.must("PUT", "/api/v1/notifications", map[string]any{"notifiers": []any{hook}, "rules": []any{rule}}, 200, &saved)
	b, _ := json.Marshal(saved)
	if strings.Contains(string(b), "s3cret") || saved.Rules[0]["repeat"] != "1h0m0s" {
		t.Fatalf("saved answer: %s", b)
	}
	conf, _ := os.ReadFile(filepath.Join(data, "config.yaml"))
	if !strings.Contains(string(conf), "Bearer s3cret") || !strings.HasPrefix(string(conf), "# Vantage server settings") {
		t.Fatalf("config.yaml:\n%s", conf)
	}
	// Sending the redacted settings back keeps the secret.
	in.must("GET", "/api/v1/notifications", nil, 200, &saved)
	in.must("PUT", "/api/v1/notifications", saved, 200, nil)
	if conf, _ := os.ReadFile(filepath.Join(data, "config.yaml")); !strings.Contains(string(conf), "Bearer s3cret") {
		t.Fatalf("secret lost on round trip:\n%s", conf)
	}

	in.must("POST", "/api/v1/maps", map[string]any{"name": "N", "devices": []map[string]any{
		{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1, "params": map[string]string{"port": svc.port(), "timeout": "1s"}},
	}}, 201, nil)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "Q"}, 201, nil)
	in.must("POST", "/api/v1/maps/Q/maintenance", map[string]any{"comment": "rack move", "until": "1h"}, 200, nil)
	in.must("POST", "/api/v1/maps/Q/devices", map[string]any{"name": "q", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1,
		"params": map[string]string{"port": quiet.port(), "timeout": "1s"}}, 201, nil)

	down := <-got
	if down["kind"] != "DOWN" || down["device"] != "svc" {
		t.Fatalf("down notice %+v", down)
	}
	var incidents []map[string]any
	in.must("GET", "/api/v1/incidents", nil, 200, &incidents)
	var open map[string]any
	for _, inc := range incidents {
		if inc["device"] == "svc" {
			open = inc
		}
	}
	if open == nil || open["announced"] != true || open["next_what"] != "repeat 1" {
		t.Fatalf("incidents %+v", incidents)
	}
	in.waitEvent("kind=NOTIFY&device=q", func(e event) bool {
		return strings.HasPrefix(e.Message, "suppressed notification via hook for DOWN Q:q") && strings.HasSuffix(e.Message, ": maintenance")
	})
	var dev map[string]any
	in.must("GET", "/api/v1/devices/Q~q", nil, 200, &dev)
	if dev["maintenance"] != true {
		t.Fatalf("device on a map in maintenance: %+v", dev)
	}
	var mapView struct {
		Maintenance *struct{ Comment, User string }
	}
	in.must("GET", "/api/v1/maps/Q", nil, 200, &mapView)
	if mapView.Maintenance == nil || mapView.Maintenance.Comment != "rack move" {
		t.Fatalf("map view during maintenance: %+v", mapView)
	}
	// A redacted secret with nothing stored under the name is refused.
	renamed := map[string]any{"name": "hook2", "type": "webhook", "url": recvURL, "headers": map[string]string{"Authorization": "(secret)"}}
	if code := in.do("PUT", "/api/v1/notifications", map[string]any{"notifiers": []any{renamed}, "rules": []any{}}, &apiErr); code != 400 || !strings.Contains(apiErr.Error, "no stored value for headers.Authorization") {
		t.Fatalf("renamed notifier with a placeholder secret: %d %q", code, apiErr.Error)
	}
	in.must("DELETE", "/api/v1/maps/Q/maintenance", nil, 204, nil)
	in.must("GET", "/api/v1/devices/Q~q", nil, 200, &dev)
	if dev["maintenance"] == true {
		t.Fatal("maintenance did not end")
	}
	in.stop()

	// The settings survive a restart.
	in = start(t, bin, data)
	var list []map[string]any
	in.must("GET", "/api/v1/notifiers", nil, 200, &list)
	if len(list) != 1 || list[0]["name"] != "hook" {
		t.Fatalf("after restart: %+v", list)
	}
	select {
	case n := <-got:
		if n["kind"] != "DOWN" {
			t.Fatalf("unexpected notice after restart %+v", n)
		}
	case <-time.After(100 * time.Millisecond):
	}
	in.stop()
}
