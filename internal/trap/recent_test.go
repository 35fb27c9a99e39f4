package trap

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

func TestRing(t *testing.T) {
	r := newRing(5)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 8 {
		var devs []DeviceRef
		if i%2 == 0 {
			devs = []DeviceRef{{"M", "even"}}
		}
		r.add(Trap{Received: t0.Add(time.Duration(i) * time.Second), Community: "secret", Uptime: uint32(i)}, devs, "m")
	}
	ids := func(es []entry) (out []uint64) {
		for _, e := range es {
			out = append(out, e.id)
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    Query
		want []uint64
	}{
		{"all kept", Query{}, []uint64{4, 5, 6, 7, 8}},
		{"latest 2", Query{Limit: 2}, []uint64{7, 8}},
		{"since", Query{Since: t0.Add(5 * time.Second)}, []uint64{6, 7, 8}},
		{"since, first 1", Query{Since: t0.Add(5 * time.Second), Limit: 1}, []uint64{6}},
		{"after id", Query{AfterID: 6}, []uint64{7, 8}},
		{"device", Query{Map: "M", Device: "even"}, []uint64{5, 7}},
		{"map only", Query{Map: "M"}, []uint64{5, 7}},
		{"other map", Query{Map: "X"}, nil},
		{"unmatched", Query{Unmatched: true}, []uint64{4, 6, 8}},
	} {
		if got := ids(r.query(c.q)); !equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	for _, e := range r.query(Query{}) {
		if e.trap.Community != "" {
			t.Fatal("community kept")
		}
	}
	if got := newRing(0).add(Trap{}, nil, ""); got != 1 {
		t.Errorf("empty ring id %d", got)
	}
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRecordJSON: the API form, named, without the community.
func TestRecordJSON(t *testing.T) {
	e := entry{id: 9, message: "msg", devices: nil, trap: Trap{
		Received: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Sender: netip.MustParseAddrPort("192.0.2.1:1024"),
		AgentAddress: netip.MustParseAddr("192.0.2.7"), Version: "1", Enterprise: "1.3.6.1.4.1.9", GenericTrap: 6,
		SpecificTrap: 1, TrapOID: "1.3.6.1.4.1.9.0.1", Uptime: 5,
		Varbinds: []snmp.Value{num("1.3.6.1.2.1.2.2.1.1.4", 4)}}}
	b, err := json.Marshal(e.record(names{"1.3.6.1.2.1.2.2.1.1": "IF-MIB::ifIndex"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":9,"received":"2026-01-01T00:00:00Z","sender":"192.0.2.1:1024","agent_address":"192.0.2.7","version":"1",` +
		`"enterprise":"1.3.6.1.4.1.9","generic_trap":6,"specific_trap":1,"trap_oid":"1.3.6.1.4.1.9.0.1","uptime":5,"inform":false,` +
		`"varbinds":[{"oid":"1.3.6.1.2.1.2.2.1.1.4","name":"IF-MIB::ifIndex.4","type":"INTEGER","value":"4"}],` +
		`"devices":[],"unmatched":true,"message":"msg"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if strings.Contains(string(b), "community") {
		t.Error("community in JSON")
	}
}
