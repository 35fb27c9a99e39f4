package trap

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// names is a Namer from a table: the longest known prefix is named, the
// rest kept as a suffix, like mib.Names.
type names map[string]string

func (n names) Name(oid string) string {
	for p := oid; p != ""; {
		if s, ok := n[p]; ok {
			return s + oid[len(p):]
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return oid
}

func str(oid, s string) snmp.Value {
	return snmp.Value{OID: oid, Type: snmp.OctetString, Bytes: []byte(s)}
}
func num(oid string, i int64) snmp.Value {
	return snmp.Value{OID: oid, Type: snmp.Integer, Int: i}
}

func TestFormat(t *testing.T) {
	relay := netip.MustParseAddrPort("192.168.1.233:162")
	direct := netip.MustParseAddrPort("192.168.2.1:1024")
	agent := netip.MustParseAddr("192.168.2.1")
	n := names{"1.3.6.1.4.1.6306": "ACME-MIB::acme", "1.3.6.1.4.1.6306.1": "ACME-MIB::acmeTemp",
		"1.3.6.1.4.1.8072.2.3.0.1": "NET-SNMP-EXAMPLES-MIB::netSnmpExampleHeartbeatNotification",
		"1.3.6.1.2.1.2.2.1.1":      "IF-MIB::ifIndex"}
	v1 := Trap{Version: "1", Sender: relay, AgentAddress: agent, Enterprise: "1.3.6.1.4.1.6306", GenericTrap: 6,
		SpecificTrap: 333, Varbinds: []snmp.Value{num("1.3.6.1.4.1.6306.1", 321), str("1.3.6.1.4.1.6306.2", "456")}}
	linkUp := Trap{Version: "1", Sender: direct, AgentAddress: agent, GenericTrap: 3,
		Varbinds: []snmp.Value{num("1.3.6.1.2.1.2.2.1.1.16777219", 16777219)}}
	v2 := Trap{Version: "2c", Sender: direct, TrapOID: "1.3.6.1.4.1.8072.2.3.0.1", Enterprise: "1.3.6.1.4.1.8072.2.3",
		GenericTrap: 6, SpecificTrap: 1, Varbinds: []snmp.Value{str("1.3.6.1.4.1.8072.2.3.2.1", "a \"b\"\n")}}
	citrix := Trap{Version: "1", Sender: direct, Enterprise: "1.3.6.1.4.1.3845.3.1.1", GenericTrap: 6, SpecificTrap: 8}
	long := Trap{Version: "2c", Sender: direct, TrapOID: "1.3.6.1.4.1.9.0.1", GenericTrap: 6,
		Varbinds: []snmp.Value{str("1.3.6.1.4.1.9.1", strings.Repeat("é", 400))}}
	for _, c := range []struct {
		name    string
		t       Trap
		n       Namer
		verbose bool
		want    string
	}{
		{"seed short", v1, nil, false, `1.3.6.1.4.1.6306 (333) { "321", "456" } (via 192.168.1.233)`},
		{"seed verbose", v1, nil, true, `1.3.6.1.4.1.6306 (333) { 1.3.6.1.4.1.6306.1 : "321", 1.3.6.1.4.1.6306.2 : "456" } (via 192.168.1.233)`},
		{"named short", v1, n, false, `ACME-MIB::acme (333) { "321", "456" } (via 192.168.1.233)`},
		{"named verbose", v1, n, true, `ACME-MIB::acme (333) { ACME-MIB::acmeTemp : "321", ACME-MIB::acme.2 : "456" } (via 192.168.1.233)`},
		{"linkUp", linkUp, n, false, `linkUp, ifIndex = 16777219`},
		{"linkUp verbose", linkUp, n, true, `linkUp, ifIndex = 16777219 { IF-MIB::ifIndex.16777219 : "16777219" }`},
		{"coldStart", Trap{Version: "1", Sender: direct}, nil, false, `coldStart`},
		{"warmStart relayed", Trap{Version: "1", Sender: relay, AgentAddress: agent, GenericTrap: 1}, nil, false, `warmStart (via 192.168.1.233)`},
		{"linkDown no ifIndex", Trap{Version: "2c", Sender: direct, GenericTrap: 2, TrapOID: "1.3.6.1.6.3.1.1.5.3"}, nil, false, `linkDown`},
		{"authenticationFailure", Trap{Version: "1", Sender: direct, GenericTrap: 4}, nil, false, `authenticationFailure`},
		{"egpNeighborLoss", Trap{Version: "1", Sender: direct, GenericTrap: 5}, nil, false, `egpNeighborLoss`},
		{"no variables", citrix, nil, false, `1.3.6.1.4.1.3845.3.1.1 (8) { <no variables> }`},
		{"v2 named", v2, n, false, `NET-SNMP-EXAMPLES-MIB::netSnmpExampleHeartbeatNotification { "a \"b\"\n" }`},
		{"v2 numeric", v2, nil, true, `1.3.6.1.4.1.8072.2.3.0.1 { 1.3.6.1.4.1.8072.2.3.2.1 : "a \"b\"\n" }`},
		{"long value cut", long, nil, false, `1.3.6.1.4.1.9.0.1 { "` + strings.Repeat("é", 256) + `…" }`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := FormatShort(c.t, c.n)
			if c.verbose {
				got = FormatVerbose(c.t, c.n)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	if got, want := FormatUnmatched(v1, nil, false), `192.168.2.1 (not on map) :: 1.3.6.1.4.1.6306 (333) { "321", "456" } (via 192.168.1.233)`; got != want {
		t.Errorf("unmatched\ngot  %s\nwant %s", got, want)
	}
}

// TestFormatEventLine: the whole event-log line, and that it parses back.
func TestFormatEventLine(t *testing.T) {
	tr := Trap{Version: "1", Sender: netip.MustParseAddrPort("192.168.1.233:162"), AgentAddress: netip.MustParseAddr("192.168.2.1"),
		Enterprise: "1.3.6.1.4.1.6306", GenericTrap: 6, SpecificTrap: 333,
		Varbinds: []snmp.Value{num("1.3.6.1.4.1.6306.1", 321), str("1.3.6.1.4.1.6306.2", "456")}}
	e := eventlog.Event{Kind: KindTrap, Map: "TestMap", Device: "192.168.2.1", Message: FormatShort(tr, nil)}
	line := eventlog.Format(e)
	if want := ` TRAP TestMap:192.168.2.1 :: 1.3.6.1.4.1.6306 (333) { "321", "456" } (via 192.168.1.233)`; !strings.HasSuffix(line, want) {
		t.Errorf("line %q", line)
	}
	back, err := eventlog.Parse(line)
	if err != nil || back.Map != "TestMap" || back.Device != "192.168.2.1" || back.Message != e.Message {
		t.Errorf("parsed back %+v %v", back, err)
	}
	for _, addr := range []string{"192.0.2.9", "2001:db8::1"} {
		un := eventlog.Event{Kind: KindTrap, Map: UnmatchedMap, Device: addr, Message: FormatShort(tr, nil)}
		if back, _ := eventlog.Parse(eventlog.Format(un)); back.Map != UnmatchedMap || back.Device != addr || back.Message != un.Message {
			t.Errorf("unmatched parsed back %+v", back)
		}
	}
}

// TestFormatWithMIBs names generic v2 traps and varbinds with the
// built-in MIBs.
func TestFormatWithMIBs(t *testing.T) {
	n, err := mib.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tr := Trap{Version: "2c", Sender: netip.MustParseAddrPort("192.0.2.1:1"), TrapOID: "1.3.6.1.4.1.8072.4.0.2",
		Enterprise: "1.3.6.1.4.1.8072.4", GenericTrap: 6, SpecificTrap: 2,
		Varbinds: []snmp.Value{num("1.3.6.1.2.1.2.2.1.8.3", 2)}}
	got := FormatVerbose(tr, n)
	if !strings.Contains(got, `IF-MIB::ifOperStatus.3 : "2"`) {
		t.Errorf("verbose with MIBs: %s", got)
	}
}
