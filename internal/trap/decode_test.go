package trap

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

var sender = netip.MustParseAddrPort("192.0.2.10:40000")

// v2cPacket marshals an SNMPv2c trap (or inform) with sysUpTime.0 and
// snmpTrapOID.0 first.
func v2cPacket(t testing.TB, inform bool, uptime uint32, trapOID string, vbs ...gosnmp.SnmpPDU) []byte {
	t.Helper()
	pdu := gosnmp.SNMPv2Trap
	if inform {
		pdu = gosnmp.InformRequest
	}
	all := append([]gosnmp.SnmpPDU{
		{Name: "." + oidSysUpTime, Type: gosnmp.TimeTicks, Value: uptime},
		{Name: "." + oidSnmpTrapOID, Type: gosnmp.ObjectIdentifier, Value: "." + trapOID},
	}, vbs...)
	p := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: pdu, RequestID: 42, Variables: all}
	b, err := p.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// v1Packet marshals an SNMPv1 trap.
func v1Packet(t testing.TB, enterprise, agent string, generic, specific int, vbs ...gosnmp.SnmpPDU) []byte {
	t.Helper()
	p := &gosnmp.SnmpPacket{Version: gosnmp.Version1, Community: "public", PDUType: gosnmp.Trap, Variables: vbs,
		SnmpTrap: gosnmp.SnmpTrap{Enterprise: enterprise, AgentAddress: agent, GenericTrap: generic, SpecificTrap: specific, Timestamp: 500}}
	b, err := p.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testDecoder(t testing.TB) *decoder {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Users = []V3User{{User: "u", Auth: "SHA", AuthKey: "authkey-1", Priv: "AES", PrivKey: "privkey-1"}}
	u, err := newUSM(cfg, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	return newDecoder(u, cfg.MaxDatagram)
}

// TestVariables50 checks every special variable of a v2c trap with 51
// varbinds: $VarbindValue50 is the 50th, there is no 51st.
func TestVariables50(t *testing.T) {
	var vbs []gosnmp.SnmpPDU
	for i := 1; i <= 51; i++ {
		vbs = append(vbs, gosnmp.SnmpPDU{Name: fmt.Sprintf(".1.3.6.1.4.1.99.1.%d", i), Type: gosnmp.OctetString, Value: []byte("v" + strconv.Itoa(i))})
	}
	vbs[1] = gosnmp.SnmpPDU{Name: ".1.3.6.1.4.1.99.1.2", Type: gosnmp.Gauge32, Value: uint32(7)}
	vbs[2] = gosnmp.SnmpPDU{Name: ".1.3.6.1.4.1.99.1.3", Type: gosnmp.IPAddress, Value: "10.1.2.3"}
	d := testDecoder(t)
	tr, reply, err := d.decode(v2cPacket(t, false, 123456, "1.3.6.1.4.1.99.0.17", vbs...), netip.MustParseAddrPort("[::ffff:192.0.2.10]:40000"), time.Now())
	if err != nil || reply != nil {
		t.Fatal(err, reply)
	}
	v := tr.Variables()
	want := map[string]string{
		"$GenericTrap": "6", "$SpecificTrap": "17", "$TimeStamp": "123456", "$Enterprise": "1.3.6.1.4.1.99",
		"$CommunityString": "public", "$TrapOID": "1.3.6.1.4.1.99.0.17", "$AgentAddress": "192.0.2.10",
		"$SenderAddress": "192.0.2.10", "$SnmpVersion": "1", "$VarbindCount": "51",
		"$VarbindValue1": "v1", "$VarbindType1": "STRING", "$VarbindOID1": "1.3.6.1.4.1.99.1.1",
		"$VarbindValue2": "7", "$VarbindType2": "Gauge32",
		"$VarbindValue3": "10.1.2.3", "$VarbindType3": "IpAddress",
		"$VarbindValue50": "v50", "$VarbindType50": "STRING", "$VarbindOID50": "1.3.6.1.4.1.99.1.50",
	}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	for _, k := range []string{"$VarbindValue51", "$VarbindType51", "$VarbindOID51", "$VarbindValue0"} {
		if _, ok := v[k]; ok {
			t.Errorf("%s is set", k)
		}
	}
	if len(v) != 10+3*50 {
		t.Errorf("%d variables", len(v))
	}
	if tr.Sender.Addr().Is4In6() {
		t.Error("sender not unmapped")
	}
	if x, ok := tr.Lookup(".1.3.6.1.4.1.99.1.50"); !ok || x.AsString() != "v50" {
		t.Errorf("Lookup: %v %v", x, ok)
	}
}

// TestRFC3584 checks the v1 ↔ v2 translations.
func TestRFC3584(t *testing.T) {
	d := testDecoder(t)
	ifIndex := gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.2.2.1.1.3", Type: gosnmp.Integer, Value: 3}
	ent := gosnmp.SnmpPDU{Name: "." + oidSnmpTrapEnterprise, Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.4.1.9.1.1"}
	for _, c := range []struct {
		name                string
		pkt                 []byte
		enterprise, trapOID string
		generic, specific   int
		agent               string
	}{
		{"v2 linkDown", v2cPacket(t, false, 1, "1.3.6.1.6.3.1.1.5.3", ifIndex), oidSnmpTraps, "1.3.6.1.6.3.1.1.5.3", 2, 0, ""},
		{"v2 coldStart with enterprise", v2cPacket(t, false, 1, "1.3.6.1.6.3.1.1.5.1", ent), "1.3.6.1.4.1.9.1.1", "1.3.6.1.6.3.1.1.5.1", 0, 0, ""},
		{"v2 enterprise .0.", v2cPacket(t, false, 1, "1.3.6.1.4.1.9.9.0.4"), "1.3.6.1.4.1.9.9", "1.3.6.1.4.1.9.9.0.4", 6, 4, ""},
		{"v2 enterprise no .0.", v2cPacket(t, false, 1, "1.3.6.1.4.1.9.9.5"), "1.3.6.1.4.1.9.9", "1.3.6.1.4.1.9.9.5", 6, 5, ""},
		{"v1 linkUp", v1Packet(t, ".1.3.6.1.4.1.9", "192.0.2.5", 3, 0, ifIndex), "1.3.6.1.4.1.9", "1.3.6.1.6.3.1.1.5.4", 3, 0, "192.0.2.5"},
		{"v1 specific", v1Packet(t, ".1.3.6.1.4.1.9", "0.0.0.0", 6, 77), "1.3.6.1.4.1.9", "1.3.6.1.4.1.9.0.77", 6, 77, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, _, err := d.decode(c.pkt, sender, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if tr.Enterprise != c.enterprise || tr.TrapOID != c.trapOID || tr.GenericTrap != c.generic || tr.SpecificTrap != c.specific {
				t.Errorf("got enterprise %s trapOID %s generic %d specific %d", tr.Enterprise, tr.TrapOID, tr.GenericTrap, tr.SpecificTrap)
			}
			agent := ""
			if tr.AgentAddress.IsValid() {
				agent = tr.AgentAddress.String()
			}
			if agent != c.agent {
				t.Errorf("agent %q, want %q", agent, c.agent)
			}
			if c.agent == "" && tr.DeviceAddr() != sender.Addr() {
				t.Errorf("dispatched on %v", tr.DeviceAddr())
			}
		})
	}
}

// TestDecodeRejects: every bad datagram gives its reason, never a panic.
func TestDecodeRejects(t *testing.T) {
	d := testDecoder(t)
	good := v2cPacket(t, false, 1, "1.3.6.1.4.1.9.0.1", gosnmp.SnmpPDU{Name: ".1.3.6.1.4.1.9.1", Type: gosnmp.OctetString, Value: []byte("x")})
	get, _ := (&gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.GetRequest,
		Variables: []gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.Null}}}).MarshalMsg()
	v2 := append([]byte(nil), good...)
	v2[4] = 2 // version field: 2 is no SNMP version
	garbledV3 := []byte{0x30, 0x0b, 0x02, 0x01, 0x03, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"one byte", []byte{0x30}, ErrTruncated},
		{"truncated", good[:len(good)-5], ErrTruncated},
		{"trailing bytes", append(append([]byte(nil), good...), 0, 0), ErrMalformed},
		{"not BER", []byte("hello, world"), ErrMalformed},
		{"bad varbind", append(append([]byte(nil), good[:len(good)-3]...), 0x04, 0x05, 0x78), ErrMalformed},
		{"oversized", make([]byte, 20000), ErrOversized},
		{"version 2", v2, ErrVersion},
		{"get request", get, ErrNotTrap},
		{"v3 header cut", garbledV3, ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := d.decode(append([]byte(nil), c.b...), sender, time.Now())
			if !errors.Is(err, c.want) {
				t.Errorf("err %v, want %v", err, c.want)
			}
		})
	}
}

// TestInformAck: a v2c inform is answered with a Response carrying the
// same request ID and varbinds.
func TestInformAck(t *testing.T) {
	d := testDecoder(t)
	tr, reply, err := d.decode(v2cPacket(t, true, 9, "1.3.6.1.4.1.9.0.1"), sender, time.Now())
	if err != nil || !tr.Inform || reply == nil {
		t.Fatalf("inform: %v %+v %v", err, tr, reply)
	}
	p, err := (&gosnmp.GoSNMP{Version: gosnmp.Version2c}).SnmpDecodePacket(reply)
	if err != nil || p.PDUType != gosnmp.GetResponse || p.RequestID != 42 || len(p.Variables) != 2 {
		t.Errorf("response %+v %v", p, err)
	}
}
