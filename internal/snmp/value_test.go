package snmp

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"
)

// tlv encodes one BER type-length-value.
func tlv(tag byte, content []byte) []byte {
	n := len(content)
	var length []byte
	switch {
	case n < 0x80:
		length = []byte{byte(n)}
	case n < 0x100:
		length = []byte{0x81, byte(n)}
	default:
		length = []byte{0x82, byte(n >> 8), byte(n)}
	}
	return append(append([]byte{tag}, length...), content...)
}

// berOID encodes a dotted OID's contents.
func berOID(oid string) []byte {
	parts := strings.Split(oid, ".")
	n := make([]uint64, len(parts))
	for i, p := range parts {
		n[i], _ = strconv.ParseUint(p, 10, 32)
	}
	out := []byte{byte(40*n[0] + n[1])}
	for _, x := range n[2:] {
		var b []byte
		for {
			b = append([]byte{byte(x & 0x7f)}, b...)
			if x >>= 7; x == 0 {
				break
			}
		}
		for i := 0; i < len(b)-1; i++ {
			b[i] |= 0x80
		}
		out = append(out, b...)
	}
	return out
}

// rawResponse builds a v2c GetResponse with varbinds of raw value TLVs.
func rawResponse(values ...[]byte) []byte {
	var vbl []byte
	for i, v := range values {
		vbl = append(vbl, tlv(0x30, append(tlv(0x06, berOID("1.3.6.1.2.1.1."+strconv.Itoa(i+1)+".0")), v...))...)
	}
	pdu := append(append(append(tlv(0x02, []byte{0x01}), tlv(0x02, []byte{0})...), tlv(0x02, []byte{0})...), tlv(0x30, vbl)...)
	msg := append(append(tlv(0x02, []byte{1}), tlv(0x04, []byte("public"))...), tlv(0xa2, pdu)...)
	return tlv(0x30, msg)
}

func TestDecodeOddValues(t *testing.T) {
	cases := []struct {
		name      string
		raw       []byte // the value's TLV
		typ       Type
		str       string // AsString
		u         uint64
		i         int64
		malformed bool // a malformed value
		packetErr bool // gosnmp rejects the whole packet
	}{
		{name: "negative integer", raw: []byte{0x02, 0x01, 0xff}, typ: Integer, str: "-1", i: -1},
		{name: "min int32", raw: []byte{0x02, 0x04, 0x80, 0, 0, 0}, typ: Integer, str: "-2147483648", i: math.MinInt32},
		{name: "integer with 9 bytes", raw: []byte{0x02, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0}, packetErr: true},
		{name: "empty integer", raw: []byte{0x02, 0x00}, packetErr: true},
		{name: "negative Counter32 read unsigned", raw: []byte{0x41, 0x01, 0xff}, typ: Counter32, str: "255", u: 255},
		{name: "Counter32 max with leading zero", raw: []byte{0x41, 0x05, 0, 0xff, 0xff, 0xff, 0xff}, typ: Counter32, str: "4294967295", u: math.MaxUint32},
		{name: "Counter32 above 32 bits", raw: []byte{0x41, 0x05, 1, 0, 0, 0, 0}, typ: TypeUnknown, malformed: true},
		{name: "empty Gauge32", raw: []byte{0x42, 0x00}, typ: Gauge32, str: "0"},
		{name: "TimeTicks", raw: []byte{0x43, 0x04, 0x17, 0xb8, 0x2f, 0x99}, typ: TimeTicks, u: 397946777, str: "397946777"},
		{name: "UInteger32 is a Gauge32", raw: []byte{0x47, 0x01, 0x07}, typ: Gauge32, u: 7, str: "7"},
		{name: "huge Counter64", raw: []byte{0x46, 0x09, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, typ: Counter64, u: math.MaxUint64, str: "18446744073709551615"},
		{name: "Counter64 without leading zero", raw: []byte{0x46, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, typ: Counter64, u: math.MaxUint64 - 1, str: "18446744073709551614"},
		{name: "Counter64 above 64 bits", raw: []byte{0x46, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0}, typ: TypeUnknown, malformed: true},
		{name: "UTF-8 string", raw: tlv(0x04, []byte("héllo wörld")), typ: OctetString, str: "héllo wörld"},
		{name: "trailing NUL", raw: tlv(0x04, []byte("eth0\x00")), typ: OctetString, str: "eth0"},
		{name: "non-UTF-8 string", raw: tlv(0x04, []byte{0xff, 0xfe, 0x00}), typ: OctetString, str: "ff fe 00"},
		{name: "MAC address", raw: tlv(0x04, []byte{0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e}), typ: OctetString, str: "00 1a 2b 3c 4d 5e"},
		{name: "control characters", raw: tlv(0x04, []byte("a\x01b")), typ: OctetString, str: "61 01 62"},
		{name: "empty string", raw: []byte{0x04, 0x00}, typ: OctetString, str: ""},
		{name: "NULL", raw: []byte{0x05, 0x00}, typ: Null},
		{name: "OID", raw: tlv(0x06, berOID("1.3.6.1.4.1.8072.3.2.10")), typ: ObjectIdentifier, str: "1.3.6.1.4.1.8072.3.2.10"},
		{name: "IpAddress", raw: []byte{0x40, 0x04, 192, 0, 2, 1}, typ: IPAddress, str: "192.0.2.1"},
		{name: "empty IpAddress", raw: []byte{0x40, 0x00}, typ: IPAddress, str: ""},
		{name: "IPv6 IpAddress", raw: tlv(0x40, []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}), typ: IPAddress, str: "2001:db8::1"},
		{name: "IpAddress of 5 bytes", raw: []byte{0x40, 0x05, 1, 2, 3, 4, 5}, packetErr: true},
		{name: "Opaque float", raw: tlv(0x44, OpaqueFloat(1.5)), typ: Opaque, str: "1.5"},
		{name: "Opaque double", raw: tlv(0x44, OpaqueDouble(-0.25)), typ: Opaque, str: "-0.25"},
		{name: "Opaque float truncated", raw: []byte{0x44, 0x05, 0x9f, 0x78, 0x04, 0x3f, 0xc0}, packetErr: true},
		{name: "raw Opaque", raw: []byte{0x44, 0x02, 0x01, 0x02}, typ: Opaque, str: "01 02"},
		{name: "noSuchObject", raw: []byte{0x80, 0x00}, typ: NoSuchObject},
		{name: "noSuchInstance", raw: []byte{0x81, 0x00}, typ: NoSuchInstance},
		{name: "endOfMibView", raw: []byte{0x82, 0x00}, typ: EndOfMibView},
		{name: "BIT STRING", raw: []byte{0x03, 0x02, 0x00, 0xff}, typ: TypeUnknown, malformed: true},
		{name: "NsapAddress", raw: []byte{0x45, 0x01, 0x00}, typ: TypeUnknown, malformed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vals, err := DecodeResponse(rawResponse(tc.raw, []byte{0x02, 0x01, 0x07}))
			if tc.packetErr {
				if err == nil {
					t.Fatalf("decoded %+v", vals)
				}
				return
			}
			if len(vals) != 2 {
				t.Fatalf("%d values, %v", len(vals), err)
			}
			if tc.malformed != errors.Is(err, ErrMalformed) {
				t.Errorf("error %v", err)
			}
			v := vals[0]
			if v.OID != "1.3.6.1.2.1.1.1.0" || v.Type != tc.typ || v.AsString() != tc.str {
				t.Errorf("got %+v %q", v, v.AsString())
			}
			if u, _ := v.AsUint(); tc.u != 0 && u != tc.u {
				t.Errorf("AsUint %d", u)
			}
			if i, _ := v.AsInt(); tc.i != 0 && i != tc.i {
				t.Errorf("AsInt %d", i)
			}
			if vals[1].Int != 7 {
				t.Errorf("the next variable: %+v", vals[1])
			}
		})
	}
}

func TestFromPDUOddGoTypes(t *testing.T) {
	for _, p := range []gosnmp.SnmpPDU{
		{Name: ".1.3", Type: gosnmp.Counter32, Value: "string"},
		{Name: ".1.3", Type: gosnmp.Integer, Value: nil},
		{Name: ".1.3", Type: gosnmp.Counter64, Value: -1},
		{Name: ".1.3", Type: gosnmp.OctetString, Value: 42},
		{Name: ".1.3", Type: gosnmp.ObjectIdentifier, Value: []byte{1}},
		{Name: ".1.3", Type: gosnmp.OpaqueFloat, Value: 1.5},
		{Name: ".1.3", Type: gosnmp.Gauge32, Value: uint64(1 << 40)},
	} {
		v, err := FromPDU(p)
		if !errors.Is(err, ErrMalformed) || v.Type != TypeUnknown || v.OID != "1.3" {
			t.Errorf("%+v: %+v %v", p, v, err)
		}
	}
	v, err := FromPDU(gosnmp.SnmpPDU{Name: ".1.3", Type: gosnmp.OpaqueFloat, Value: float32(2.5)})
	if f, ok := v.AsFloat(); err != nil || !ok || f != 2.5 {
		t.Errorf("opaque float: %+v %v", v, err)
	}
}

func TestValueAccessors(t *testing.T) {
	neg := Value{Type: Integer, Int: -5}
	if _, ok := neg.AsUint(); ok {
		t.Error("negative integer as uint")
	}
	big := Value{Type: Counter64, Uint: math.MaxUint64}
	if _, ok := big.AsInt(); ok {
		t.Error("huge counter as int64")
	}
	if f, ok := big.AsFloat(); !ok || f != math.MaxUint64 {
		t.Error("counter as float")
	}
	for typ, exists := range map[Type]bool{Null: false, NoSuchObject: false, NoSuchInstance: false, EndOfMibView: false, Integer: true, TypeUnknown: true} {
		if (Value{Type: typ}).Exists() != exists {
			t.Errorf("%v exists", typ)
		}
	}
	names := map[Type]string{Integer: "INTEGER", OctetString: "STRING", ObjectIdentifier: "OID", TimeTicks: "Timeticks", IPAddress: "IpAddress",
		NoSuchInstance: "No Such Instance currently exists at this OID", Type(99): "UNKNOWN"}
	for typ, want := range names {
		if typ.String() != want {
			t.Errorf("%d: %q", typ, typ.String())
		}
	}
}

func TestOIDs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.3.6.1", "1.3.6.1", 0},
		{"1.3.6.1.2", "1.3.6.1.10", -1},
		{"1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.2.2.1.2.1", 1},
		{"1.3.6", "1.3.6.0", -1},
		{"1.3.6.1.4.1.99999999999999999999999", "1.3.6.1.4.1.2", 1},
		{"", "1", -1},
	} {
		if got := CompareOID(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareOID(%s, %s) = %d", tc.a, tc.b, got)
		}
		if got := CompareOID(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareOID(%s, %s) = %d", tc.b, tc.a, got)
		}
	}
	for in, want := range map[string]string{".1.3.6.1": "1.3.6.1", "1.3.6.1.2.1.1.1.0": "1.3.6.1.2.1.1.1.0", "": "", "1..3": "", "1.3.": "", "iso.3": "", "1.99999999999": ""} {
		got, err := NormalizeOID(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeOID(%q) = %q, %v", in, got, err)
		}
	}
	if !InSubtree("1.3.6.1.2", "1.3.6.1") || InSubtree("1.3.6.10", "1.3.6.1") || !InSubtree("1.3", "1.3") {
		t.Error("InSubtree")
	}
	if Suffix("1.3.6.1.2.1.2.2.1.2.4.1.192", "1.3.6.1.2.1.2.2.1.2") != "4.1.192" || Suffix("1.3.6.10", "1.3.6.1") != "" {
		t.Error("Suffix")
	}
}
