package snmp

import (
	"math"
	"testing"

	"github.com/gosnmp/gosnmp"
)

// FuzzDecodeValue feeds raw BER through gosnmp's unmarshalling and our
// conversion into Value: whole packets, and single value TLVs wrapped in a
// valid packet so that the fuzzer spends its time on the values. Nothing
// may panic, and every Value must be usable.
func FuzzDecodeValue(f *testing.F) {
	seeds := [][]byte{
		{0x02, 0x01, 0xff}, {0x41, 0x01, 0xff}, {0x41, 0x05, 1, 0, 0, 0, 0},
		{0x46, 0x09, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x44, 0x07, 0x9f, 0x78, 0x04, 0x3f, 0xc0, 0, 0}, {0x44, 0x05, 0x9f, 0x78, 0x04, 0x3f, 0xc0},
		{0x40, 0x04, 192, 0, 2, 1}, {0x40, 0x00}, {0x80, 0x00}, {0x81, 0x00}, {0x82, 0x00},
		{0x04, 0x03, 0xff, 0xfe, 0x00}, {0x06, 0x03, 0x2b, 0x06, 0x01}, {0x03, 0x02, 0x00, 0xff},
	}
	for _, s := range seeds {
		f.Add(s)
		f.Add(rawResponse(s))
	}
	// Whole packets encoded by gosnmp.
	pkt := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.GetResponse, RequestID: 7}
	for _, v := range []Value{
		{OID: "1.3.6.1.2.1.1.1.0", Type: OctetString, Bytes: []byte("Linux")},
		{OID: "1.3.6.1.2.1.1.2.0", Type: ObjectIdentifier, Text: "1.3.6.1.4.1.8072.3.2.10"},
		{OID: "1.3.6.1.2.1.1.3.0", Type: TimeTicks, Uint: 12345},
		{OID: "1.3.6.1.2.1.2.2.1.10.1", Type: Counter32, Uint: math.MaxUint32},
		{OID: "1.3.6.1.2.1.31.1.1.1.6.1", Type: Counter64, Uint: math.MaxUint64},
		{OID: "1.3.6.1.4.1.2021.10.1.6.1", Type: Opaque, Bytes: OpaqueFloat(0.42)},
		{OID: "1.3.6.1.2.1.4.20.1.1.10.0.0.1", Type: IPAddress, Text: "10.0.0.1"},
		{OID: "1.3.6.1.2.1.1.9.0", Type: NoSuchInstance},
	} {
		pkt.Variables = append(pkt.Variables, ToPDU(v))
	}
	if raw, err := pkt.MarshalMsg(); err == nil {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, raw := range [][]byte{data, rawResponse(data)} {
			vals, _ := DecodeResponse(raw)
			for _, v := range vals {
				checkValue(t, v)
			}
		}
	})
}

func checkValue(t *testing.T, v Value) {
	if v.Type < TypeUnknown || v.Type > EndOfMibView {
		t.Fatalf("type %d out of range: %+v", v.Type, v)
	}
	switch v.Type {
	case Counter32, Gauge32, TimeTicks:
		if v.Uint > math.MaxUint32 {
			t.Fatalf("%v above 32 bits: %+v", v.Type, v)
		}
	case TypeUnknown:
		if v.Int != 0 || v.Uint != 0 || v.Bytes != nil || v.Text != "" {
			t.Fatalf("unknown value with contents: %+v", v)
		}
	}
	_ = v.AsString()
	_, _ = v.AsUint()
	_, _ = v.AsInt()
	_, _ = v.AsFloat()
	_ = v.Exists()
	_ = v.Type.String()
	if CompareOID(v.OID, v.OID) != 0 {
		t.Fatalf("OID %q not equal to itself", v.OID)
	}
}
