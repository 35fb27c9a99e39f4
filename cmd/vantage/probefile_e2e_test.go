package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

const builderProbe = `<header>
	type = "custom-snmp"
	package = "com.example"
	probe_name = "e2e.location"
	human_name = "E2E Location"
	version = "1.0"
	display_name = "SNMP/Custom/E2E"
</header>
<parameters>
	"Expected place" = "Test rack 7"
	"Mode[fast,slow]" = "fast"
	"Secret*" = ""
</parameters>
<snmp-device-variables>
	sysName,     1.3.6.1.2.1.1.5.0, DEFAULT, "System name"
	sysLocation, 1.3.6.1.2.1.1.6.0, DEFAULT, "Location"
</snmp-device-variables>
<snmp-device-thresholds>
	alarm: "$sysLocation" != "${Expected place}" "moved to $sysLocation"
</snmp-device-thresholds>
<snmp-device-display>
\B5\E2E Location\0P\
  \4\Name:\0\ $sysName
  \4\Where:\0\ $sysLocation
</snmp-device-display>
`

// TestProbeFilesEndToEnd drives the probe builder's API and a custom-snmp
// probe file against a real snmpd: walk, preview, save, use on a device,
// edit the file by hand and see the device follow, and a broken file
// reported with its line.
func TestProbeFilesEndToEnd(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "syslocation Test rack 7\nsysname e2e-agent\n")
	bin := buildBinary(t)
	data := t.TempDir()
	in := start(t, bin, data)
	snmpSet := map[string]any{"version": "2c", "community": snmptest.Community, "port": port}
	in.must("POST", "/api/v1/maps", map[string]any{"name": "P", "snmp": snmpSet,
		"devices": []map[string]any{{"name": "agent", "address": addr, "probe": "ping", "interval": "1s", "params": map[string]string{"count": "1"}}}}, 201, nil)

	var rows []struct{ OID, Name, Type, Value string }
	in.must("POST", "/api/v1/tools/walk", map[string]any{"device": "P~agent", "oid": "system"}, 200, &rows)
	found := false
	for _, r := range rows {
		if r.Name == "SNMPv2-MIB::sysLocation.0" && r.Value == "Test rack 7" {
			found = true
		}
	}
	if !found {
		t.Fatalf("walk rows %+v", rows)
	}

	var pre struct {
		Status, Reason string
		DisplayHTML    string `json:"display_html"`
		Problems       []string
	}
	in.must("POST", "/api/v1/probes/preview", map[string]any{"text": builderProbe, "address": addr, "snmp": snmpSet}, 200, &pre)
	if pre.Status != "ok" || !strings.Contains(pre.DisplayHTML, "e2e-agent") || !strings.Contains(pre.DisplayHTML, "color:#2e7d32") {
		t.Fatalf("preview %+v", pre)
	}
	in.must("POST", "/api/v1/probes/preview", map[string]any{"text": builderProbe, "device": "P~agent", "params": map[string]string{"Expected place": "Paris"}}, 200, &pre)
	if pre.Status != "alarm" || pre.Reason != "moved to Test rack 7" {
		t.Fatalf("preview with params %+v", pre)
	}
	in.must("POST", "/api/v1/probes/preview", map[string]any{"text": "<header>\ntype = \"custom-snmp\"\n", "address": addr}, 200, &pre)
	if pre.Status != "unknown" || len(pre.Problems) == 0 {
		t.Fatalf("broken preview %+v", pre)
	}

	// Save through the API; the probe is then offered and usable.
	req, _ := http.NewRequest("PUT", in.url+"/api/v1/probes/files/com.example.e2e.location.txt", strings.NewReader(builderProbe))
	req.SetBasicAuth("admin", adminPassword)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"com.example.e2e.location"`)) {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	var probes []struct {
		ID, Name, Category, Type string
		Params                   []struct {
			Name, Kind string
			Choices    []string
		}
	}
	in.must("GET", "/api/v1/probes", nil, 200, &probes)
	var got, http2 bool
	for _, p := range probes {
		if p.ID == "com.example.e2e.location" {
			kinds := map[string]string{}
			for _, prm := range p.Params {
				kinds[prm.Name] = prm.Kind
			}
			if kinds["Mode"] != "dropdown" || kinds["Secret"] != "password" {
				t.Fatalf("parameter kinds %+v", p.Params)
			}
		}
		got = got || p.ID == "com.example.e2e.location" && p.Category == "SNMP/Custom/E2E" && p.Type == "custom-snmp"
		http2 = http2 || p.ID == "com.dartware.tcp.http" && p.Category == "Servers-Standard/HTTP & HTTPS/HTTP" && p.Type == "built-in"
	}
	if !got || !http2 {
		t.Fatalf("probes %+v", probes)
	}
	in.must("PUT", "/api/v1/maps/P/devices/agent", map[string]any{"name": "agent", "address": addr, "probe": "com.example.e2e.location", "interval": "1s"}, 200, nil)
	d := in.waitStatus("P", "agent", "ok", 20*time.Second)
	if html, _ := d.Values["display_html"].(string); !strings.Contains(html, "Test rack 7") {
		t.Fatalf("device values %+v", d.Values)
	}

	// A hand edit of the file is picked up; the device follows.
	file := filepath.Join(data, "probes", "com.example.e2e.location.txt")
	edited := strings.Replace(builderProbe, `"Expected place" = "Test rack 7"`, `"Expected place" = "Elsewhere"`, 1)
	edited = strings.Replace(edited, `version = "1.0"`, `version = "1.1"`, 1)
	os.WriteFile(file, []byte(edited), 0o644)
	d = in.waitStatus("P", "agent", "alarm", 20*time.Second)
	if d.Reason != "moved to Test rack 7" {
		t.Fatalf("after edit: %+v", d)
	}

	// A broken probe file is reported with file and line; others load.
	os.WriteFile(filepath.Join(data, "probes", "broken.txt"), []byte("<header>\n\ttype = \"custom-snmp\"\n\tpackage = \"com.example\"\n</header>\n<snmp-device-variables>\n"), 0o644)
	var reload struct {
		Changed, Problems []string
	}
	in.must("POST", "/api/v1/probes/reload", nil, 200, &reload)
	if !strings.Contains(strings.Join(reload.Problems, "\n"), "broken.txt:") {
		t.Fatalf("reload %+v", reload)
	}
	in.waitEvent("kind=ERROR", func(e event) bool { return strings.Contains(e.Message, "broken.txt:") })
	in.stop()

	// vantage probe check agrees.
	var out, errb bytes.Buffer
	code := run([]string{"probe", "check", file, filepath.Join(data, "probes", "broken.txt")}, &out, &errb)
	if code != 1 || !strings.Contains(out.String()+errb.String(), "com.example.e2e.location") || !strings.Contains(out.String()+errb.String(), "broken.txt:") {
		t.Fatalf("probe check: %d\n%s%s", code, out.String(), errb.String())
	}
}
