package main

import (
	"strings"
	"testing"
	"time"
)

// TestAcknowledgeAndMaintenance: a problem is acknowledged with a comment,
// the acknowledgement clears itself when the device recovers, maintenance
// can be set on a healthy device and removed, and all of it is logged.
func TestAcknowledgeAndMaintenance(t *testing.T) {
	svc := stoppedAcceptor(t) // closed for now: the device is down
	port := svc.port()

	in := start(t, buildBinary(t), t.TempDir())
	in.must("POST", "/api/v1/maps", map[string]any{"name": "A", "devices": []map[string]any{
		{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1, "params": map[string]string{"port": port, "timeout": "1s"}},
		{"name": "lo", "address": "127.0.0.1", "probe": "ping", "interval": "1s", "params": map[string]string{"count": "1"}},
	}}, 201, nil)
	in.waitStatus("A", "svc", "down", 20*time.Second)
	in.waitStatus("A", "lo", "ok", 20*time.Second)

	var apiErr struct{ Error string }
	if code := in.do("POST", "/api/v1/devices/A~lo/acknowledge", map[string]any{"comment": "x"}, &apiErr); code != 409 || !strings.Contains(apiErr.Error, "only a problem") {
		t.Fatalf("ack of an ok device: %d %q", code, apiErr.Error)
	}
	in.must("POST", "/api/v1/devices/A~svc/acknowledge", map[string]any{"comment": "replacing the PSU"}, 200, nil)
	var d struct {
		Acknowledged, Maintenance bool
		Ack                       *struct{ Comment, User, Kind string }
	}
	in.must("GET", "/api/v1/devices/A~svc", nil, 200, &d)
	if !d.Acknowledged || d.Ack == nil || d.Ack.Comment != "replacing the PSU" || d.Ack.User != "admin" {
		t.Fatalf("acknowledged device %+v", d)
	}
	in.waitEvent("kind=ACK", func(e event) bool {
		return e.Device == "svc" && e.Message == "acknowledged by admin: replacing the PSU"
	})

	// Recovery clears a basic acknowledgement.
	svc.restart(t)
	in.waitStatus("A", "svc", "ok", 20*time.Second)
	in.waitEvent("kind=UNAC", func(e event) bool {
		return e.Device == "svc" && strings.Contains(e.Message, "status changed from down to ok")
	})
	d.Ack = nil // Unmarshal leaves fields the answer lacks
	in.must("GET", "/api/v1/devices/A~svc", nil, 200, &d)
	if d.Acknowledged || d.Ack != nil {
		t.Fatalf("acknowledgement survived recovery: %+v", d)
	}

	// Maintenance on a healthy device, timed, then removed.
	in.must("POST", "/api/v1/devices/A~lo/acknowledge", map[string]any{"maintenance": true, "until": "2h", "comment": "firmware"}, 200, nil)
	in.must("GET", "/api/v1/devices/A~lo", nil, 200, &d)
	if !d.Maintenance || d.Acknowledged || d.Ack.Kind != "maintenance" {
		t.Fatalf("maintenance %+v", d)
	}
	in.waitEvent("kind=ACK", func(e event) bool {
		return e.Device == "lo" && strings.HasPrefix(e.Message, "maintenance set by admin until ") && strings.HasSuffix(e.Message, ": firmware")
	})
	if code := in.do("POST", "/api/v1/devices/A~lo/acknowledge", map[string]any{"maintenance": true, "until": "soon"}, &apiErr); code != 400 {
		t.Fatalf("bad until: %d", code)
	}
	in.must("DELETE", "/api/v1/devices/A~lo/acknowledge", nil, 204, nil)
	in.waitEvent("kind=UNAC", func(e event) bool { return e.Device == "lo" && e.Message == "maintenance removed by admin" })
	in.stop()
}
