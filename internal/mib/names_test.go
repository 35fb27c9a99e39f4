package mib

import (
	"strings"
	"testing"
)

// builtin loads the embedded tables once per test binary run, through t.
func builtin(t testing.TB) *Names {
	t.Helper()
	n, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return n
}

func TestName(t *testing.T) {
	n := builtin(t)
	for _, tc := range []struct{ oid, name, short string }{
		{"1.3.6.1.2.1.2.2.1.10.3", "IF-MIB::ifInOctets.3", "ifInOctets.3"},
		{".1.3.6.1.2.1.2.2.1.10.3", "IF-MIB::ifInOctets.3", "ifInOctets.3"},
		{"1.3.6.1.2.1.1.1.0", "SNMPv2-MIB::sysDescr.0", "sysDescr.0"},
		{"1.3.6.1.2.1.1.3.0", "SNMPv2-MIB::sysUpTime.0", "sysUpTime.0"},
		{"1.3.6.1.2.1.1.2.0", "SNMPv2-MIB::sysObjectID.0", "sysObjectID.0"},
		{"1.3.6.1.2.1.31.1.1.1.6.2", "IF-MIB::ifHCInOctets.2", "ifHCInOctets.2"},
		{"1.3.6.1.2.1.31.1.1.1.18.7", "IF-MIB::ifAlias.7", "ifAlias.7"},
		{"1.3.6.1.2.1.2.2.1.8", "IF-MIB::ifOperStatus", "ifOperStatus"},
		{"1.3.6.1.2.1.2.2", "IF-MIB::ifTable", "ifTable"},
		{"1.3.6.1.6.3.1.1.5.1", "SNMPv2-MIB::coldStart", "coldStart"},
		{"1.3.6.1.6.3.1.1.5.3", "IF-MIB::linkDown", "linkDown"},
		{"1.3.6.1.6.3.1.1.4.1.0", "SNMPv2-MIB::snmpTrapOID.0", "snmpTrapOID.0"},
		{"1.3.6.1.4.1.2021.10.1.3.1", "UCD-SNMP-MIB::laLoad.1", "laLoad.1"},
		{"1.3.6.1.4.1.8072.3.2.10", "NET-SNMP-TC::linux", "linux"},
		{"1.3.6.1.2.1.25.2.1.4", "HOST-RESOURCES-TYPES::hrStorageFixedDisk", "hrStorageFixedDisk"},
		{"1.3.6.1.2.1.25.2.3.1.6.31", "HOST-RESOURCES-MIB::hrStorageUsed.31", "hrStorageUsed.31"},
		{"1.3.6.1.2.1.17.1.1.0", "BRIDGE-MIB::dot1dBaseBridgeAddress.0", "dot1dBaseBridgeAddress.0"},
		{"1.3.6.1.2.1.17.7.1.4.3.1.1.10", "Q-BRIDGE-MIB::dot1qVlanStaticName.10", "dot1qVlanStaticName.10"},
		{"1.3.6.1.2.1.47.1.1.1.1.7.1", "ENTITY-MIB::entPhysicalName.1", "entPhysicalName.1"},
		{"1.3.6.1.2.1.4.20.1.1.192.0.2.1", "IP-MIB::ipAdEntAddr.192.0.2.1", "ipAdEntAddr.192.0.2.1"},
		{"1.3.6.1.2.1.4.24.4.1.1", "IP-FORWARD-MIB::ipCidrRouteDest", "ipCidrRouteDest"},
		{"1.3.6.1.2.1.6.13.1.1", "TCP-MIB::tcpConnState", "tcpConnState"},
		{"1.3.6.1.2.1.7.1.0", "UDP-MIB::udpInDatagrams.0", "udpInDatagrams.0"},
		{"1.3.6.1.2.1.10.7.2.1.2.1", "EtherLike-MIB::dot3StatsAlignmentErrors.1", "dot3StatsAlignmentErrors.1"},
		{"1.3.6.1.2.1.92.1.1.1.0", "NOTIFICATION-LOG-MIB::nlmConfigGlobalEntryLimit.0", "nlmConfigGlobalEntryLimit.0"},
		{"1.3.6.1.2.1.88.1.1.1.0", "DISMAN-EVENT-MIB::mteResourceSampleMinimum.0", "mteResourceSampleMinimum.0"},
		{"1.3.6.1.6.3.10.2.1.1.0", "SNMP-FRAMEWORK-MIB::snmpEngineID.0", "snmpEngineID.0"},
		{"1.3.6.1.2.1.30", "IANAifType-MIB::ianaifType", "ianaifType"},
		// Longest prefix: an unknown arc under a known node keeps the node's name.
		{"1.3.6.1.2.1.2.2.1.99.1", "IF-MIB::ifEntry.99.1", "ifEntry.99.1"},
		{"1.3.6.1.4.1.3845.1.2", "SNMPv2-SMI::enterprises.3845.1.2", "enterprises.3845.1.2"},
		{"1.3.6.1.99999999999999999999999", "SNMPv2-SMI::internet.99999999999999999999999", "internet.99999999999999999999999"},
		{"1", "SNMPv2-SMI::iso", "iso"},
		{"0.0", "SNMPv2-SMI::zeroDotZero", "zeroDotZero"},
		// Unknown or not an OID: unchanged.
		{"3.1.4", "3.1.4", "3.1.4"},
		{".3.1.4", ".3.1.4", ".3.1.4"},
		{"", "", ""},
		{".", ".", "."},
		{"1..2", "1..2", "1..2"},
		{"1.3.", "1.3.", "1.3."},
		{"..1.3", "..1.3", "..1.3"},
		{"abc", "abc", "abc"},
		{"1.3.6.1.2.1.1.1.0 ", "1.3.6.1.2.1.1.1.0 ", "1.3.6.1.2.1.1.1.0 "},
		{"01.3.6", "01.3.6", "01.3.6"},
		{"1.-3", "1.-3", "1.-3"},
		{"IF-MIB::ifInOctets", "IF-MIB::ifInOctets", "IF-MIB::ifInOctets"},
	} {
		t.Run(tc.oid, func(t *testing.T) {
			if got := n.Name(tc.oid); got != tc.name {
				t.Errorf("Name(%q) = %q, want %q", tc.oid, got, tc.name)
			}
			if got := n.Short(tc.oid); got != tc.short {
				t.Errorf("Short(%q) = %q, want %q", tc.oid, got, tc.short)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	n := builtin(t)
	for _, tc := range []struct {
		name string
		oid  string
		ok   bool
	}{
		{"IF-MIB::ifInOctets", "1.3.6.1.2.1.2.2.1.10", true},
		{"ifInOctets", "1.3.6.1.2.1.2.2.1.10", true},
		{"ifInOctets.3", "1.3.6.1.2.1.2.2.1.10.3", true},
		{"RFC1213-MIB::ifInOctets", "1.3.6.1.2.1.2.2.1.10", true},
		{"sysDescr.0", "1.3.6.1.2.1.1.1.0", true},
		{"SNMPv2-MIB::sysUpTime.0", "1.3.6.1.2.1.1.3.0", true},
		{"IP-MIB::ipAdEntAddr.192.0.2.1", "1.3.6.1.2.1.4.20.1.1.192.0.2.1", true},
		{"enterprises.3845", "1.3.6.1.4.1.3845", true},
		{"linkDown", "1.3.6.1.6.3.1.1.5.3", true},
		{"ifType", "1.3.6.1.2.1.2.2.1.3", true},
		{"mib-2", "1.3.6.1.2.1", true},
		{"sysUpTimeInstance", "1.3.6.1.2.1.1.3.0", true}, // named, though Name shows sysUpTime.0
		{"iso", "1", true},
		{"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.1.0", true},
		{".1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.1.0", true},
		{"IF-MIB::sysDescr", "", false},
		{"NO-SUCH-MIB::sysDescr", "", false},
		{"noSuchObject", "", false},
		{"sysDescr.x", "", false},
		{"sysDescr.", "", false},
		{"sysDescr..0", "", false},
		{"sysDescr.0.", "", false},
		{"", "", false},
		{"::", "", false},
		{"IF-MIB::", "", false},
		{"1..2", "", false},
		{".", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oid, ok := n.Lookup(tc.name)
			if oid != tc.oid || ok != tc.ok {
				t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.name, oid, ok, tc.oid, tc.ok)
			}
		})
	}
}

func TestNode(t *testing.T) {
	n := builtin(t)
	for _, tc := range []struct {
		oid                           string
		module, name                  string
		kind                          Kind
		syntax, tc, base, hint, enum1 string
	}{
		{"1.3.6.1.2.1.1.1", "SNMPv2-MIB", "sysDescr", KindScalar, "DisplayString", "SNMPv2-TC::DisplayString", "OCTET STRING", "255a", ""},
		{"1.3.6.1.2.1.1.3", "SNMPv2-MIB", "sysUpTime", KindScalar, "TimeTicks", "", "TimeTicks", "", ""},
		{"1.3.6.1.2.1.2.2", "IF-MIB", "ifTable", KindTable, "", "", "", "", ""},
		{"1.3.6.1.2.1.2.2.1", "IF-MIB", "ifEntry", KindRow, "", "", "", "", ""},
		{"1.3.6.1.2.1.2.2.1.3", "IF-MIB", "ifType", KindColumn, "IANAifType", "IANAifType-MIB::IANAifType", "INTEGER", "", "other"},
		{"1.3.6.1.2.1.2.2.1.6", "IF-MIB", "ifPhysAddress", KindColumn, "PhysAddress", "SNMPv2-TC::PhysAddress", "OCTET STRING", "1x:", ""},
		{"1.3.6.1.2.1.2.2.1.8", "IF-MIB", "ifOperStatus", KindColumn, "INTEGER", "", "INTEGER", "", "up"},
		{"1.3.6.1.2.1.31.1.1.1.6", "IF-MIB", "ifHCInOctets", KindColumn, "Counter64", "", "Counter64", "", ""},
		{"1.3.6.1.2.1.31.1.1.1.16", "IF-MIB", "ifPromiscuousMode", KindColumn, "TruthValue", "SNMPv2-TC::TruthValue", "INTEGER", "", "true"},
		{"1.3.6.1.2.1.31", "IF-MIB", "ifMIB", KindModule, "", "", "", "", ""},
		{"1.3.6.1.6.3.1.1.5.4", "IF-MIB", "linkUp", KindNotification, "", "", "", "", ""},
		{"1.3.6.1.4.1.2021.4.5", "UCD-SNMP-MIB", "memTotalReal", KindScalar, "Integer32", "", "Integer32", "", ""},
		{"IF-MIB::ifAdminStatus", "IF-MIB", "ifAdminStatus", KindColumn, "INTEGER", "", "INTEGER", "", "up"},
	} {
		t.Run(tc.oid, func(t *testing.T) {
			nd, ok := n.Node(tc.oid)
			if !ok {
				t.Fatalf("Node(%q) not found", tc.oid)
			}
			if nd.Module != tc.module || nd.Name != tc.name || nd.Kind != tc.kind || nd.Syntax != tc.syntax ||
				nd.TC != tc.tc || nd.Base != tc.base || nd.Hint != tc.hint || nd.Enums[1] != tc.enum1 {
				t.Errorf("Node(%q) = %+v", tc.oid, nd)
			}
		})
	}
	if nd, _ := n.Node("1.3.6.1.4.1.2021.4.5"); nd.Units != "kB" {
		t.Errorf("memTotalReal units = %q, want kB", nd.Units)
	}
	for _, oid := range []string{"1.3.6.1.2.1.2.2.1.10.3", "3.1.4", "", "x"} {
		if nd, ok := n.Node(oid); ok {
			t.Errorf("Node(%q) = %+v, want none (not exact)", oid, nd)
		}
	}
}

func TestEnum(t *testing.T) {
	n := builtin(t)
	for _, tc := range []struct {
		oid  string
		v    int64
		name string
		ok   bool
	}{
		{"1.3.6.1.2.1.2.2.1.8", 2, "down", true},
		{"1.3.6.1.2.1.2.2.1.8.3", 1, "up", true},
		{".1.3.6.1.2.1.2.2.1.8.3", 7, "lowerLayerDown", true},
		{"IF-MIB::ifOperStatus", 5, "dormant", true},
		{"1.3.6.1.2.1.2.2.1.3.1", 6, "ethernetCsmacd", true},
		{"1.3.6.1.2.1.2.2.1.3", 24, "softwareLoopback", true},
		{"1.3.6.1.2.1.2.2.1.3", 161, "ieee8023adLag", true},
		{"1.3.6.1.2.1.2.2.1.7.1", 9, "", false},
		{"1.3.6.1.2.1.1.1.0", 1, "", false},
		{"1.3.6.1.2.1.6.13.1.1", 5, "established", true},
		{"1.3.6.1.2.1.31.1.1.1.16.4", 2, "false", true},
		{"1.3.6.1.2.1.25.3.2.1.5.1", 2, "running", true},
		{"3.1.4", 1, "", false},
		{"garbage", 1, "", false},
	} {
		t.Run(tc.oid, func(t *testing.T) {
			name, ok := n.Enum(tc.oid, tc.v)
			if name != tc.name || ok != tc.ok {
				t.Errorf("Enum(%q, %d) = %q, %v; want %q, %v", tc.oid, tc.v, name, ok, tc.name, tc.ok)
			}
		})
	}
}

func TestEnterprise(t *testing.T) {
	n := builtin(t)
	for _, tc := range []struct {
		number int
		name   string
		ok     bool
	}{
		{3845, "Citrix Systems Inc.", true},
		{9, "ciscoSystems", true},
		{8072, "net-snmp", true},
		{2636, "Juniper Networks, Inc.", true},
		{2, "IBM", true}, // the registry's "(https://…)" is dropped
		{-1, "", false},
		{1 << 30, "", false},
	} {
		name, ok := n.Enterprise(tc.number)
		if name != tc.name || ok != tc.ok {
			t.Errorf("Enterprise(%d) = %q, %v; want %q, %v", tc.number, name, ok, tc.name, tc.ok)
		}
	}
	if c := n.Enterprises(); c < 60000 {
		t.Errorf("Enterprises() = %d, want the whole IANA registry (> 60000)", c)
	}
}

func TestDescribe(t *testing.T) {
	n := builtin(t)
	for _, tc := range []struct{ oid, want string }{
		{"1.3.6.1.4.1.3845.1.2", "enterprises.3845(Citrix Systems Inc.).1.2"},
		{".1.3.6.1.4.1.3845", "enterprises.3845(Citrix Systems Inc.)"},
		{"1.3.6.1.4.1.9.1.1208", "enterprises.9(ciscoSystems).1.1208"},
		{"1.3.6.1.4.1.8072.3.2.10", "NET-SNMP-TC::linux"},
		{"1.3.6.1.4.1.2021.10.1.3.1", "UCD-SNMP-MIB::laLoad.1"},
		{"1.3.6.1.4.1.99999999.1", "SNMPv2-SMI::enterprises.99999999.1"},
		{"1.3.6.1.4.1.99999999999999999999.1", "SNMPv2-SMI::enterprises.99999999999999999999.1"},
		{"1.3.6.1.4.1", "SNMPv2-SMI::enterprises"},
		{"1.3.6.1.2.1.1.1.0", "SNMPv2-MIB::sysDescr.0"},
		{"3.1.4", "3.1.4"},
		{"1..2", "1..2"},
		{"", ""},
	} {
		if got := n.Describe(tc.oid); got != tc.want {
			t.Errorf("Describe(%q) = %q, want %q", tc.oid, got, tc.want)
		}
	}
}

func TestBuiltinCoverage(t *testing.T) {
	n := builtin(t)
	have := map[string]bool{}
	for _, m := range n.Modules() {
		have[m.Name] = true
		if m.Origin == "" {
			t.Errorf("module %s has no origin", m.Name)
		}
	}
	for _, name := range strings.Fields(`SNMPv2-SMI SNMPv2-TC SNMPv2-MIB IF-MIB IP-MIB IP-FORWARD-MIB TCP-MIB
		UDP-MIB HOST-RESOURCES-MIB ENTITY-MIB BRIDGE-MIB Q-BRIDGE-MIB SNMP-FRAMEWORK-MIB RFC1213-MIB
		UCD-SNMP-MIB NET-SNMP-MIB NOTIFICATION-LOG-MIB DISMAN-EVENT-MIB EtherLike-MIB IANAifType-MIB`) {
		if !have[name] {
			t.Errorf("built-in module %s missing", name)
		}
	}
	if len(have) < 250 || n.Len() < 20000 {
		t.Errorf("only %d modules, %d nodes built in", len(have), n.Len())
	}
	if _, ok := n.Type("SNMPv2-TC::DisplayString"); !ok {
		t.Error("Type(SNMPv2-TC::DisplayString) missing")
	}
	if _, ok := n.Type("nonsense"); ok {
		t.Error("Type(nonsense) found")
	}
}

// TestGarbageNeverPanics feeds every method odd input.
func TestGarbageNeverPanics(t *testing.T) {
	n := builtin(t)
	inputs := []string{"", ".", "..", "1..2", "abc", "::", ":::", "IF-MIB::", "::ifIndex", "\x00", "1.3.6.\xff",
		strings.Repeat("1.", 10000) + "1", strings.Repeat("9", 5000), "1.3.6.1.4.1." + strings.Repeat("9", 100),
		"1.3.6.1.4.1.-5", "ifIndex.-1", "ifIndex.1e5", "sysDescr.0.0.0.0.0.0", "1.3.6.1.4.1.3845.", "🙂"}
	for _, s := range inputs {
		n.Name(s)
		n.Short(s)
		n.Lookup(s)
		n.Node(s)
		n.Object(s)
		n.Enum(s, -1)
		n.Describe(s)
		n.Type(s)
	}
}
