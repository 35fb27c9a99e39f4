package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

// TestNamespaceHosts monitors two hosts in network namespaces made by the
// test: one keeps answering, the other's link is cut and restored. The cut
// host must go down after down_after missed polls and come back up, and the
// other must stay up throughout.
func TestNamespaceHosts(t *testing.T) {
	steady := netnstest.New(t, "steady")
	flaky := netnstest.New(t, "flaky")
	bin := buildBinary(t)
	in := start(t, bin, t.TempDir())
	ping := map[string]string{"count": "1", "timeout": "400ms"}
	in.must("POST", "/api/v1/maps", map[string]any{"name": "NS", "devices": []map[string]any{
		{"name": "steady", "address": steady.Addr().String(), "probe": "ping", "interval": "1s", "down_after": 3, "params": ping},
		{"name": "flaky", "address": flaky.Addr().String(), "probe": "ping", "interval": "1s", "down_after": 3, "params": ping},
	}}, 201, nil)
	in.waitStatus("NS", "steady", "ok", 20*time.Second)
	in.waitStatus("NS", "flaky", "ok", 20*time.Second)

	flaky.LinkDown()
	cut := time.Now()
	// Before down, the reason counts the misses while the level holds.
	var d device
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(d.Reason, "missed polls before down") && time.Now().Before(deadline) {
		in.must("GET", "/api/v1/maps/NS/devices/flaky", nil, 200, &d)
		if d.Status == "down" {
			t.Fatalf("down before counting misses: %+v", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d.Status != "ok" {
		t.Fatalf("during misses: %+v", d)
	}
	down := in.waitStatus("NS", "flaky", "down", 30*time.Second)
	if took := time.Since(cut); took < 2*time.Second {
		t.Fatalf("down after %v: three 1 s polls must miss first", took)
	}
	if !strings.Contains(down.Reason, "no reply") {
		t.Fatalf("down reason %q", down.Reason)
	}
	if st := in.waitStatus("NS", "steady", "ok", time.Second); st.Status != "ok" {
		t.Fatal("steady host affected")
	}

	flaky.LinkUp()
	in.waitStatus("NS", "flaky", "ok", 30*time.Second)
	up := in.waitEvent("map=NS&device=flaky&kind=UP", func(e event) bool { return strings.Contains(e.Message, "was down for") })
	if up.Map != "NS" {
		t.Fatalf("up event %+v", up)
	}
	for _, e := range in.events("map=NS&device=steady") {
		if e.Kind == "DOWN" {
			t.Fatalf("steady host went down: %+v", e)
		}
	}
	in.stop()
}
