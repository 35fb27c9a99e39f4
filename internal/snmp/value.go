package snmp

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Type is an SNMP value type.
type Type int

// The SNMP value types. Unsigned32 and UInteger32 arrive as Gauge32;
// BIT STRING, NsapAddress and other rare types as TypeUnknown.
const (
	TypeUnknown Type = iota
	Integer
	OctetString
	Null
	ObjectIdentifier
	IPAddress
	Counter32
	Gauge32
	TimeTicks
	Opaque
	Counter64
	NoSuchObject
	NoSuchInstance
	EndOfMibView
)

// String spells the type as net-snmp prints it before a value
// ("INTEGER", "STRING", "Timeticks" …); the three exceptions are spelled as
// net-snmp's whole sentences.
func (t Type) String() string {
	switch t {
	case Integer:
		return "INTEGER"
	case OctetString:
		return "STRING"
	case Null:
		return "NULL"
	case ObjectIdentifier:
		return "OID"
	case IPAddress:
		return "IpAddress"
	case Counter32:
		return "Counter32"
	case Gauge32:
		return "Gauge32"
	case TimeTicks:
		return "Timeticks"
	case Opaque:
		return "Opaque"
	case Counter64:
		return "Counter64"
	case NoSuchObject:
		return "No Such Object available on this agent at this OID"
	case NoSuchInstance:
		return "No Such Instance currently exists at this OID"
	case EndOfMibView:
		return "No more variables left in this MIB View (It is past the end of the MIB tree)"
	}
	return "UNKNOWN"
}

// Value is one variable binding, decoded into Go types.
type Value struct {
	OID   string // numeric, dotted, no leading dot: "1.3.6.1.2.1.1.3.0"
	Type  Type
	Int   int64  // Integer
	Uint  uint64 // Counter32, Gauge32, TimeTicks, Counter64
	Bytes []byte // OctetString, Opaque (the Opaque's contents: a float is 9f 78 04 + IEEE bits)
	Text  string // ObjectIdentifier (dotted, no leading dot), IPAddress (dotted quad, or IPv6 text)
}

// AsUint returns counters, gauges, ticks and non-negative integers.
func (v Value) AsUint() (uint64, bool) {
	switch v.Type {
	case Counter32, Gauge32, TimeTicks, Counter64:
		return v.Uint, true
	case Integer:
		if v.Int >= 0 {
			return uint64(v.Int), true
		}
	}
	return 0, false
}

// AsInt returns integers, and unsigned values that fit an int64.
func (v Value) AsInt() (int64, bool) {
	switch v.Type {
	case Integer:
		return v.Int, true
	case Counter32, Gauge32, TimeTicks, Counter64:
		if v.Uint <= math.MaxInt64 {
			return int64(v.Uint), true
		}
	}
	return 0, false
}

// AsFloat returns any number, including net-snmp's Opaque-wrapped float and
// double (UCD-SNMP-MIB laLoadFloat).
func (v Value) AsFloat() (float64, bool) {
	switch v.Type {
	case Integer:
		return float64(v.Int), true
	case Counter32, Gauge32, TimeTicks, Counter64:
		return float64(v.Uint), true
	case Opaque:
		return opaqueFloat(v.Bytes)
	}
	return 0, false
}

// Exists is false for NoSuchObject, NoSuchInstance, EndOfMibView and Null.
func (v Value) Exists() bool {
	switch v.Type {
	case NoSuchObject, NoSuchInstance, EndOfMibView, Null:
		return false
	}
	return true
}

// AsString returns printable text: an OctetString as text when it is
// printable UTF-8 (trailing NULs dropped), otherwise as lower-case hex
// "00 1a 2b" like net-snmp's Hex-STRING; numbers in decimal; OIDs and
// addresses as text; an Opaque float as a number, other Opaques as hex.
// Exceptions and Null give "".
func (v Value) AsString() string {
	switch v.Type {
	case OctetString:
		if s, ok := Printable(v.Bytes); ok {
			return s
		}
		return HexString(v.Bytes)
	case Integer:
		return strconv.FormatInt(v.Int, 10)
	case Counter32, Gauge32, TimeTicks, Counter64:
		return strconv.FormatUint(v.Uint, 10)
	case ObjectIdentifier, IPAddress:
		return v.Text
	case Opaque:
		if f, ok := opaqueFloat(v.Bytes); ok {
			bits := 64
			if len(v.Bytes) > 1 && v.Bytes[1] == 0x78 {
				bits = 32
			}
			return strconv.FormatFloat(f, 'g', -1, bits)
		}
		return HexString(v.Bytes)
	}
	return ""
}

// Printable returns b as a string when it is valid UTF-8 made of printable
// characters and white space; trailing NUL bytes, which many agents append,
// are dropped first.
func Printable(b []byte) (string, bool) {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if !utf8.Valid(b) {
		return "", false
	}
	s := string(b)
	for _, r := range s {
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return "", false
		}
	}
	return s, true
}

// HexString formats b as lower-case hex bytes separated by spaces.
func HexString(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(len(b) * 3)
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&0x0f])
	}
	return sb.String()
}

// opaqueFloat decodes net-snmp's Opaque-wrapped float (9f 78 04 …) and
// double (9f 79 08 …).
func opaqueFloat(b []byte) (float64, bool) {
	if len(b) < 3 || b[0] != 0x9f {
		return 0, false
	}
	switch {
	case b[1] == 0x78 && b[2] == 4 && len(b) == 7:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b[3:]))), true
	case b[1] == 0x79 && b[2] == 8 && len(b) == 11:
		return math.Float64frombits(binary.BigEndian.Uint64(b[3:])), true
	}
	return 0, false
}

// OpaqueFloat returns the Opaque contents net-snmp uses for a float.
func OpaqueFloat(f float32) []byte {
	b := []byte{0x9f, 0x78, 4, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[3:], math.Float32bits(f))
	return b
}

// OpaqueDouble returns the Opaque contents net-snmp uses for a double.
func OpaqueDouble(f float64) []byte {
	b := []byte{0x9f, 0x79, 8, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint64(b[3:], math.Float64bits(f))
	return b
}
