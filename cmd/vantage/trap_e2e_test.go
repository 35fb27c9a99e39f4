package main

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTrapsEndToEnd sends real net-snmp traps to the server: a device with
// the Trap Viewer shows them, every trap is a TRAP event-log line, the
// device that received a trap is polled at once, unmatched traps are
// logged and listed, and GET /api/v1/traps returns them.
func TestTrapsEndToEnd(t *testing.T) {
	snmptrap, err := exec.LookPath("snmptrap")
	if err != nil {
		t.Skip("snmptrap not installed (Debian package snmp)")
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	bin := buildBinary(t)
	in := startWith(t, bin, t.TempDir(), "--traps", fmt.Sprintf("127.0.0.1:%d", port))
	svc := bannerServer(t)
	_, svcPort, _ := net.SplitHostPort(svc)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "T", "devices": []map[string]any{
		{"name": "viewer", "address": "127.0.0.1", "probe": "com.dartware.snmp.trapdisplay", "interval": "1h"},
		{"name": "mail", "address": "127.0.0.1", "probe": "smtp", "interval": "1h", "params": map[string]string{"port": svcPort}},
	}}, 201, nil)
	var before device
	in.must("GET", "/api/v1/maps/T/devices/mail", nil, 200, &before)

	send := func(args ...string) {
		t.Helper()
		out, err := exec.Command(snmptrap, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("snmptrap %v: %v\n%s", args, err, out)
		}
	}
	dest := fmt.Sprintf("udp:127.0.0.1:%d", port)
	send("-v", "2c", "-c", "public", dest, "", "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.2", "i", "2", "1.3.6.1.2.1.2.2.1.2.2", "s", "eth1")
	send("-v", "1", "-c", "public", dest, "1.3.6.1.4.1.8072.3.2.10", "198.51.100.7", "0", "0", "1")

	ev := in.waitEvent("map=T&device=viewer&kind=TRAP", func(e event) bool { return strings.Contains(e.Message, "linkDown") })
	if !strings.HasPrefix(ev.Message, "linkDown, ifIndex = 2") {
		t.Fatalf("trap line %q", ev.Message)
	}
	in.waitEvent("kind=TRAP", func(e event) bool { return e.Map == "(not on map)" && e.Device == "198.51.100.7" })

	v := in.waitStatus("T", "viewer", "ok", 10*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for v.Values["trap_count"] != float64(1) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		in.must("GET", "/api/v1/maps/T/devices/viewer", nil, 200, &v)
	}
	if v.Values["trap_count"] != float64(1) {
		t.Fatalf("viewer values %+v", v.Values)
	}
	// The hourly SMTP device was polled again because of the trap.
	var after device
	deadline = time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		in.must("GET", "/api/v1/maps/T/devices/mail", nil, 200, &after)
		if after.Polls > before.Polls {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after.Polls <= before.Polls {
		t.Fatalf("no re-poll after the trap: polls %d → %d", before.Polls, after.Polls)
	}

	var recs []struct {
		Version   string
		Unmatched bool
		Message   string
		Devices   []struct{ Map, Device string }
		Community string
	}
	in.must("GET", "/api/v1/traps?since=10m", nil, 200, &recs)
	if len(recs) != 2 || recs[0].Version != "2c" || len(recs[0].Devices) != 2 || !recs[1].Unmatched {
		t.Fatalf("traps = %+v", recs)
	}
	for _, r := range recs {
		if r.Community != "" {
			t.Fatal("community served")
		}
	}
	var info struct {
		Traps struct {
			EngineID string `json:"engine_id"`
		}
		Listeners []struct{ Name, State string }
	}
	in.must("GET", "/api/v1/server", nil, 200, &info)
	if info.Traps.EngineID == "" {
		t.Fatalf("server info %+v", info)
	}
	in.stop()
}
