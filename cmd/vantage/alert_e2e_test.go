package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNotificationRules: a rule in config.yaml sends DOWN and UP through a
// webhook notifier, a device in maintenance is suppressed with the reason,
// and every decision is a NOTIFY event.
func TestNotificationRules(t *testing.T) {
	recvURL, got := webhookReceiver(t)
	svc, quiet := stoppedAcceptor(t), stoppedAcceptor(t)
	svcPort, quietPort := svc.port(), quiet.port()

	data := t.TempDir()
	conf := fmt.Sprintf("notifiers:\n  - {name: hook, type: webhook, url: %q}\nrules:\n  - {name: outages, kinds: [DOWN, UP], notifiers: [hook]}\n", recvURL)
	os.WriteFile(filepath.Join(data, "config.yaml"), []byte(conf), 0o644)
	in := start(t, buildBinary(t), data)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "N", "devices": []map[string]any{
		{"name": "quiet", "address": "127.0.0.1", "probe": "ping", "interval": "1s", "params": map[string]string{"count": "1"}},
	}}, 201, nil)
	in.waitStatus("N", "quiet", "ok", 20*time.Second)
	// Maintenance first, then the device breaks: suppressed, with the reason.
	in.must("POST", "/api/v1/devices/N~quiet/acknowledge", map[string]any{"maintenance": true, "comment": "work"}, 200, nil)
	in.must("PUT", "/api/v1/maps/N/devices/quiet", map[string]any{"name": "quiet", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1,
		"params": map[string]string{"port": quietPort, "timeout": "1s"}}, 200, nil)
	in.must("POST", "/api/v1/maps/N/devices", map[string]any{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1,
		"params": map[string]string{"port": svcPort, "timeout": "1s"}}, 201, nil)

	in.waitEvent("kind=NOTIFY&device=quiet", func(e event) bool {
		return strings.HasPrefix(e.Message, "suppressed notification via hook for DOWN N:quiet") && strings.HasSuffix(e.Message, ": maintenance")
	})
	down := <-got
	if down["kind"] != "DOWN" || down["device"] != "svc" || !strings.Contains(fmt.Sprint(down["url"]), "#/map/N") {
		t.Fatalf("down notice %+v", down)
	}
	in.waitEvent("kind=NOTIFY&device=svc", func(e event) bool { return e.Message == "sent notification via hook for DOWN N:svc (rule outages)" })

	svc.restart(t)
	select {
	case n := <-got:
		if n["kind"] != "UP" || n["device"] != "svc" {
			t.Fatalf("recovery notice %+v", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no UP notice")
	}
	select {
	case n := <-got:
		t.Fatalf("unexpected notice %+v (the device in maintenance must stay quiet)", n)
	case <-time.After(1500 * time.Millisecond):
	}
	in.stop()
}
