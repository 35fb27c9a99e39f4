package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
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
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, "probes"), 0o755)
	os.WriteFile(filepath.Join(data, "probes", "e2e.trap.txt"), []byte(trapProbe), 0o644)
	in := startWith(t, bin, data, "--traps", fmt.Sprintf("127.0.0.1:%d", port))
	svc := bannerServer(t)
	_, svcPort, _ := net.SplitHostPort(svc)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "T", "devices": []map[string]any{
		{"name": "viewer", "address": "127.0.0.1", "probe": "com.dartware.snmp.trapdisplay", "interval": "1h"},
		{"name": "mail", "address": "127.0.0.1", "probe": "smtp", "interval": "1h", "params": map[string]string{"port": svcPort}},
		{"name": "trapdev", "address": "127.0.0.1", "probe": "com.example.e2e.trap", "interval": "1h"},
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

	// The trap probe file set its trap variables and thresholds.
	td := in.waitStatus("T", "trapdev", "alarm", 10*time.Second)
	if td.Reason != "link 2 down" || !strings.Contains(fmt.Sprint(td.Values["display_text"]), "Last trap 1.3.6.1.6.3.1.1.5.3 on 2") {
		t.Fatalf("trap probe: %+v", td)
	}

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
	if len(recs) != 2 || recs[0].Version != "2c" || len(recs[0].Devices) != 3 || !recs[1].Unmatched {
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

// trapProbe is a custom-snmp-trap probe file: it never polls, and turns a
// linkDown trap into an alarm naming the interface.
const trapProbe = `<header>
	type = "custom-snmp-trap"
	package = "com.example"
	probe_name = "e2e.trap"
	human_name = "E2E trap"
	version = "1.0"
	display_name = "SNMP/Traps/E2E"
</header>
<snmp-device-variables>
	ifIndexVar, $VarbindValue1, TRAPVARIABLE, "ifIndex"
	trapOIDVar, $TrapOID,       TRAPVARIABLE, "trap"
</snmp-device-variables>
<snmp-device-thresholds>
	alarm: "$trapOIDVar" == "1.3.6.1.6.3.1.1.5.3" "link $ifIndexVar down"
</snmp-device-thresholds>
<snmp-device-display>
\B5\Last trap\0P\ $trapOIDVar on $ifIndexVar
</snmp-device-display>
`
