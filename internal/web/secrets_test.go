package web

import (
	"testing"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

func TestRedactAndRestore(t *testing.T) {
	stored := &netmap.Map{Name: "m", SNMP: &netmap.SNMPSettings{Community: "mapsecret"}, Devices: []netmap.Device{
		{Name: "sw", Address: "192.0.2.1", SNMP: &netmap.SNMPSettings{Version: "3", User: "u", AuthKey: "authsecret", PrivKey: "privsecret"}},
	}}
	out := redactMap(stored)
	if out.SNMP.Community != snmp.Secret || out.Devices[0].SNMP.AuthKey != snmp.Secret || out.Devices[0].SNMP.PrivKey != snmp.Secret || out.Devices[0].SNMP.User != "u" {
		t.Fatalf("redacted %+v %+v", out.SNMP, out.Devices[0].SNMP)
	}
	if stored.SNMP.Community != "mapsecret" {
		t.Fatal("redaction changed the stored map")
	}
	// The client sends the redacted map back with one change.
	out.Devices[0].SNMP.PrivKey = "newprivkey"
	restoreMap(out, stored)
	if out.SNMP.Community != "mapsecret" || out.Devices[0].SNMP.AuthKey != "authsecret" || out.Devices[0].SNMP.PrivKey != "newprivkey" {
		t.Fatalf("restored %+v %+v", out.SNMP, out.Devices[0].SNMP)
	}
	// A secret placeholder with nothing stored becomes empty, never literal.
	fresh := &netmap.Map{Name: "n", SNMP: &netmap.SNMPSettings{Community: snmp.Secret}}
	restoreMap(fresh, nil)
	if fresh.SNMP.Community != "" {
		t.Fatal("placeholder stored as a community")
	}
}
