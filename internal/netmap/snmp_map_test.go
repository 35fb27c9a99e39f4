package netmap

import (
	"strings"
	"testing"
)

func TestMapSNMPDefaults(t *testing.T) {
	src := "name: Core\nsnmp: {version: 3, user: mon, auth: SHA, auth_key: authkey123}\ndevices:\n  - name: sw1\n    address: 192.0.2.2\n    probe: snmp\n    snmp: {community: other}\n"
	m, err := Parse("core.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.SNMP == nil || m.SNMP.User != "mon" || m.Devices[0].SNMP.Community != "other" {
		t.Fatalf("parsed %+v", m.SNMP)
	}
	b, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "snmp: {version: \"3\", user: mon") && !strings.Contains(string(b), "snmp: {version: 3, user: mon") {
		t.Fatalf("marshal:\n%s", b)
	}
	back, err := Parse("core.yaml", b)
	if err != nil || back.SNMP.AuthKey != "authkey123" {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	c := m.Clone()
	c.SNMP.User = "x"
	if m.SNMP.User != "mon" {
		t.Fatal("Clone shares the map's SNMP settings")
	}
	_, err = Parse("bad.yaml", []byte("name: B\nsnmp: {version: 7}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:2") {
		t.Fatalf("bad map snmp: %v", err)
	}
}
