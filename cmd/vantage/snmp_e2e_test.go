package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// TestSNMPDeviceEndToEnd monitors a real net-snmp agent through the API:
// the SNMP Traffic probe reads its system group and interfaces, the
// community never comes back out, and a wrong community is told apart from
// a dead device by the ping fallback.
func TestSNMPDeviceEndToEnd(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "syslocation Test rack 7\nsyscontact noc@example.test\n")
	bin := buildBinary(t)
	in := start(t, bin, t.TempDir())
	in.must("POST", "/api/v1/maps", map[string]any{"name": "SNMP",
		"snmp": map[string]any{"version": "2c", "community": snmptest.Community, "port": port},
		"devices": []map[string]any{
			{"name": "agent", "address": addr, "probe": "snmp", "interval": "1s"},
			{"name": "wrongcomm", "address": addr, "probe": "com.dartware.snmp", "interval": "1s",
				"snmp": map[string]any{"community": "not-the-community"}, "timeout": "3s"},
		}}, 201, nil)

	d := in.waitStatus("SNMP", "agent", "ok", 30*time.Second)
	if d.Values["sys_location"] != "Test rack 7" || d.Values["sys_object_name"] != "NET-SNMP-TC::linux" {
		t.Fatalf("system group: %+v", d.Values)
	}
	ifs, _ := d.Values["interfaces"].([]any)
	foundLo := false
	for _, i := range ifs {
		m, _ := i.(map[string]any)
		if m["name"] == "lo" || m["descr"] == "lo" {
			foundLo = m["oper_status"] == "up"
		}
	}
	if !foundLo {
		t.Fatalf("interfaces lack an up lo: %+v", ifs)
	}
	w := in.waitStatus("SNMP", "wrongcomm", "alarm", 30*time.Second)
	if !strings.Contains(w.Reason, "SNMP agent not responding (device answers ping") {
		t.Fatalf("fallback reason %q", w.Reason)
	}

	// Secrets stay inside.
	var raw map[string]any
	in.must("GET", "/api/v1/maps/SNMP", nil, 200, &raw)
	if c := raw["snmp"].(map[string]any)["community"]; c != "<secret>" {
		t.Fatalf("map community served as %q", c)
	}
	if s := strings.Join(flatten(raw), " "); strings.Contains(s, "not-the-community") {
		t.Fatalf("device community leaked: %s", s)
	}
	in.stop()
}

// flatten lists every string in a decoded JSON value.
func flatten(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return nil
}
