package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type mapSummary struct {
	Status  string
	Devices int
	Loops   []string
}

// waitSummary polls a map's summary until ok accepts it.
func (in *instance) waitSummary(mapName string, within time.Duration, ok func(mapSummary) bool) mapSummary {
	in.t.Helper()
	deadline := time.Now().Add(within)
	var s mapSummary
	for time.Now().Before(deadline) {
		s = mapSummary{}
		if in.do("GET", "/api/v1/maps/"+mapName+"/summary", nil, &s) == 200 && ok(s) {
			return s
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("summary of %s: %+v after %v", mapName, s, within)
	return s
}

// waitReason polls a device until its status and reason are as wanted.
func (in *instance) waitReason(mapName, dev, status, reason string, within time.Duration) device {
	in.t.Helper()
	deadline := time.Now().Add(within)
	var d device
	for time.Now().Before(deadline) {
		d = device{}
		if in.do("GET", "/api/v1/maps/"+mapName+"/devices/"+dev, nil, &d) == 200 && d.Status == status && strings.Contains(d.Reason, reason) {
			return d
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("%s:%s is %s (%s), want %s with %q within %v", mapName, dev, d.Status, d.Reason, status, reason, within)
	return d
}

// TestMapStatusLoopAcrossServers: server alpha's map X has a Map Status
// device following server beta's map Y, and Y has one following X back.
// Each would count the other and so itself: a failure on X would keep X
// and Y down for ever after it ended. Both devices report the loop as
// their own error instead, the maps' summaries leave them out, X follows
// its real device down and back up, and breaking the loop puts the other
// device back to following its map.
func TestMapStatusLoopAcrossServers(t *testing.T) {
	bin := buildBinary(t)
	servers := map[string]*instance{}
	for _, name := range []string{"alpha", "beta"} {
		data := t.TempDir()
		if err := os.WriteFile(filepath.Join(data, "config.yaml"), []byte("server_name: "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		servers[name] = start(t, bin, data)
	}
	alpha, beta := servers["alpha"], servers["beta"]
	follow := func(other *instance, mapName string) map[string]string {
		p := map[string]string{"server": other.url, "map": mapName, "user": "admin", "password": adminPassword, "timeout": "3s"}
		if strings.HasPrefix(other.url, "https:") {
			p["insecure"] = "true"
		}
		return p
	}
	svc, steady := newAcceptor(t), newAcceptor(t)
	tcp := func(name string, s *acceptor) map[string]any {
		return map[string]any{"name": name, "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1,
			"params": map[string]string{"port": s.port(), "timeout": "1s"}}
	}
	mapStatus := func(name string, params map[string]string) map[string]any {
		return map[string]any{"name": name, "address": "127.0.0.1", "probe": "com.dartware.map.status", "interval": "1s", "params": params}
	}
	alpha.must("POST", "/api/v1/maps", map[string]any{"name": "X"}, 201, nil)
	beta.must("POST", "/api/v1/maps", map[string]any{"name": "Y"}, 201, nil)
	alpha.must("POST", "/api/v1/maps/X/devices", tcp("svc", svc), 201, nil)
	beta.must("POST", "/api/v1/maps/Y/devices", tcp("web", steady), 201, nil)
	alpha.waitStatus("X", "svc", "ok", 20*time.Second)
	beta.waitStatus("Y", "web", "ok", 20*time.Second)
	alpha.must("POST", "/api/v1/maps/X/devices", mapStatus("toB", follow(beta, "Y")), 201, nil)
	beta.must("POST", "/api/v1/maps/Y/devices", mapStatus("toA", follow(alpha, "X")), 201, nil)

	// Both ends of the loop say so, each from its own side.
	alpha.waitReason("X", "toB", "critical", "loop: alpha/X → beta/Y → alpha/X", 30*time.Second)
	beta.waitReason("Y", "toA", "critical", "loop: beta/Y → alpha/X → beta/Y", 30*time.Second)
	x := alpha.waitSummary("X", 10*time.Second, func(s mapSummary) bool { return s.Status == "ok" })
	if x.Devices != 1 || len(x.Loops) != 1 || !strings.HasPrefix(x.Loops[0], "X/toB: ") {
		t.Fatalf("summary of X: %+v", x)
	}

	// X's real device fails and recovers: X follows it both ways, and the
	// loop stays reported (not turned into a down that would latch).
	svc.stop()
	alpha.waitStatus("X", "svc", "down", 20*time.Second)
	alpha.waitSummary("X", 10*time.Second, func(s mapSummary) bool { return s.Status == "down" })
	svc.restart(t)
	alpha.waitStatus("X", "svc", "ok", 20*time.Second)
	alpha.waitSummary("X", 10*time.Second, func(s mapSummary) bool { return s.Status == "ok" && s.Devices == 1 })
	alpha.waitReason("X", "toB", "critical", "loop: alpha/X → beta/Y → alpha/X", 5*time.Second)
	beta.waitReason("Y", "toA", "critical", "loop: beta/Y → alpha/X → beta/Y", 5*time.Second)

	// Breaking the loop on beta: alpha's device follows Y again.
	beta.must("DELETE", "/api/v1/maps/Y/devices/toA", nil, 204, nil)
	alpha.waitReason("X", "toB", "ok", "map Y on beta: all 1 devices ok", 30*time.Second)
}
