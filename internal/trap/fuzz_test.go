package trap

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// FuzzDecode feeds datagrams to the decoder: it must never panic, never
// take long, and either reject with a counted reason or return a trap.
func FuzzDecode(f *testing.F) {
	f.Add(v2cPacket(f, false, 1, "1.3.6.1.4.1.9.0.1", gosnmp.SnmpPDU{Name: ".1.3.6.1.4.1.9.1", Type: gosnmp.OctetString, Value: []byte("x")}))
	f.Add(v2cPacket(f, true, 1, "1.3.6.1.6.3.1.1.5.3", gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.2.2.1.1.1", Type: gosnmp.Integer, Value: 1}))
	f.Add(v1Packet(f, ".1.3.6.1.4.1.6306", "192.0.2.1", 6, 333, gosnmp.SnmpPDU{Name: ".1.3.6.1.4.1.6306.1", Type: gosnmp.Counter32, Value: uint32(5)}))
	f.Add(v3Discovery(f))
	f.Add(v3Trap(f))
	f.Add([]byte{0x30, 0x00})
	d := testDecoder(f)
	from := netip.MustParseAddrPort("192.0.2.1:162")
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		tr, _, err := d.decode(append([]byte(nil), b...), from, start) // decode may modify its input
		if time.Since(start) > time.Second {
			t.Fatalf("decoding %d bytes took %v", len(b), time.Since(start))
		}
		if err != nil {
			if _, label := reason(err); label == "" {
				t.Fatalf("no reason for %v", err)
			}
			return
		}
		_ = tr.Variables()
		_ = FormatVerbose(tr, nil)
		e := entry{trap: tr}
		_ = e.record(nil)
	})
}

// v3Discovery is net-snmp's engine-discovery request.
func v3Discovery(t testing.TB) []byte {
	p := &gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.Reportable, SecurityModel: gosnmp.UserSecurityModel,
		MsgID: 1, RequestID: 2, PDUType: gosnmp.GetRequest, SecurityParameters: &gosnmp.UsmSecurityParameters{}}
	b, err := p.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// v3Trap is an authPriv trap from user "u" of testDecoder.
func v3Trap(t testing.TB) []byte {
	sp := &gosnmp.UsmSecurityParameters{UserName: "u", AuthoritativeEngineID: "\x80\x00\x00\x00\x01\x02\x03\x04",
		AuthenticationProtocol: gosnmp.SHA, AuthenticationPassphrase: "authkey-1",
		PrivacyProtocol: gosnmp.AES, PrivacyPassphrase: "privkey-1", PrivacyParameters: []byte("saltsalt")}
	if err := sp.InitSecurityKeys(); err != nil {
		t.Fatal(err)
	}
	p := &gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.AuthPriv, SecurityModel: gosnmp.UserSecurityModel,
		MsgID: 1, RequestID: 2, PDUType: gosnmp.SNMPv2Trap, SecurityParameters: sp,
		Variables: []gosnmp.SnmpPDU{
			{Name: "." + oidSysUpTime, Type: gosnmp.TimeTicks, Value: uint32(3)},
			{Name: "." + oidSnmpTrapOID, Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.4.1.9.0.1"}}}
	b, err := p.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSeedsDecode checks the fuzz seeds themselves decode as expected.
func TestSeedsDecode(t *testing.T) {
	d := testDecoder(t)
	_, reply, err := d.decode(v3Discovery(t), sender, time.Now())
	if err != ErrDiscovery || reply == nil {
		t.Fatalf("discovery: %v %v", err, reply)
	}
	tr, _, err := d.decode(v3Trap(t), sender, time.Now())
	if err != nil || tr.User != "u" || tr.TrapOID != "1.3.6.1.4.1.9.0.1" {
		t.Fatalf("v3 trap: %v %+v", err, tr)
	}
}
