package snmp

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// ErrMalformed marks an answer the agent encoded wrongly. A malformed
// variable comes back with its OID and TypeUnknown, and the client counts it.
var ErrMalformed = errors.New("malformed answer")

// FromPDU converts one gosnmp variable binding into a Value. It never
// panics: a value of an unexpected Go type or out of range for its SNMP
// type comes back with its OID, TypeUnknown and ErrMalformed.
func FromPDU(p gosnmp.SnmpPDU) (v Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v = Value{OID: v.OID, Type: TypeUnknown}
			err = fmt.Errorf("%w: panic decoding %s: %v", ErrMalformed, v.OID, r)
		}
	}()
	v.OID = strings.TrimPrefix(p.Name, ".")
	bad := func() (Value, error) {
		return Value{OID: v.OID, Type: TypeUnknown}, fmt.Errorf("%w: %s: %v (%T) for %v", ErrMalformed, v.OID, p.Value, p.Value, p.Type)
	}
	switch p.Type {
	case gosnmp.Integer:
		i, ok := signed(p.Value)
		if !ok {
			return bad()
		}
		v.Type, v.Int = Integer, i
	case gosnmp.OctetString:
		b, ok := p.Value.([]byte)
		if !ok {
			if s, isStr := p.Value.(string); isStr {
				b = []byte(s)
			} else if p.Value != nil {
				return bad()
			}
		}
		v.Type, v.Bytes = OctetString, append([]byte(nil), b...)
	case gosnmp.Null:
		v.Type = Null
	case gosnmp.ObjectIdentifier:
		s, ok := p.Value.(string)
		if !ok {
			return bad()
		}
		v.Type, v.Text = ObjectIdentifier, strings.TrimPrefix(s, ".")
	case gosnmp.IPAddress:
		s, _ := p.Value.(string) // nil for a zero-length address, which buggy agents send
		v.Type, v.Text = IPAddress, s
	case gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Uinteger32:
		u, ok := unsigned(p.Value)
		if !ok || u > math.MaxUint32 {
			return bad()
		}
		v.Uint = u
		switch p.Type {
		case gosnmp.Counter32:
			v.Type = Counter32
		case gosnmp.TimeTicks:
			v.Type = TimeTicks
		default:
			v.Type = Gauge32
		}
	case gosnmp.Counter64:
		u, ok := unsigned(p.Value)
		if !ok {
			return bad()
		}
		v.Type, v.Uint = Counter64, u
	case gosnmp.Opaque:
		b, ok := p.Value.([]byte)
		if !ok && p.Value != nil {
			return bad()
		}
		v.Type, v.Bytes = Opaque, append([]byte(nil), b...)
	case gosnmp.OpaqueFloat:
		f, ok := p.Value.(float32)
		if !ok {
			return bad()
		}
		v.Type, v.Bytes = Opaque, OpaqueFloat(f)
	case gosnmp.OpaqueDouble:
		f, ok := p.Value.(float64)
		if !ok {
			return bad()
		}
		v.Type, v.Bytes = Opaque, OpaqueDouble(f)
	case gosnmp.NoSuchObject:
		v.Type = NoSuchObject
	case gosnmp.NoSuchInstance:
		v.Type = NoSuchInstance
	case gosnmp.EndOfMibView:
		v.Type = EndOfMibView
	default:
		// gosnmp leaves the type unset when it cannot parse a number, and
		// has no value for BIT STRING, NsapAddress and the like.
		return bad()
	}
	return v, nil
}

func signed(x any) (int64, bool) {
	switch n := x.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case uint32:
		return int64(n), true
	}
	return 0, false
}

func unsigned(x any) (uint64, bool) {
	switch n := x.(type) {
	case uint:
		return uint64(n), true
	case uint64:
		return n, true
	case uint32:
		return uint64(n), true
	case int:
		if n >= 0 {
			return uint64(n), true
		}
	}
	return 0, false
}

// ToPDU converts a Value into a gosnmp variable binding, for agents and
// tests that encode packets with gosnmp.
func ToPDU(v Value) gosnmp.SnmpPDU {
	p := gosnmp.SnmpPDU{Name: "." + v.OID}
	switch v.Type {
	case Integer:
		p.Type, p.Value = gosnmp.Integer, int(v.Int)
	case OctetString:
		p.Type, p.Value = gosnmp.OctetString, v.Bytes
	case ObjectIdentifier:
		p.Type, p.Value = gosnmp.ObjectIdentifier, "."+strings.TrimPrefix(v.Text, ".")
	case IPAddress:
		p.Type, p.Value = gosnmp.IPAddress, v.Text
	case Counter32:
		p.Type, p.Value = gosnmp.Counter32, uint32(v.Uint)
	case Gauge32:
		p.Type, p.Value = gosnmp.Gauge32, uint32(v.Uint)
	case TimeTicks:
		p.Type, p.Value = gosnmp.TimeTicks, uint32(v.Uint)
	case Counter64:
		p.Type, p.Value = gosnmp.Counter64, v.Uint
	case Opaque:
		p.Type, p.Value = gosnmp.Opaque, v.Bytes
	case NoSuchObject:
		p.Type = gosnmp.NoSuchObject
	case NoSuchInstance:
		p.Type = gosnmp.NoSuchInstance
	case EndOfMibView:
		p.Type = gosnmp.EndOfMibView
	default:
		p.Type = gosnmp.Null
	}
	return p
}

// DecodeResponse decodes a raw SNMPv1/v2c message with gosnmp and converts
// its variable bindings. It never panics on malformed input.
func DecodeResponse(raw []byte) (vals []Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			vals, err = nil, fmt.Errorf("%w: panic decoding packet: %v", ErrMalformed, r)
		}
	}()
	g := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: "x", MaxOids: gosnmp.MaxOids}
	pkt, err := g.SnmpDecodePacket(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var errs []error
	for _, p := range pkt.Variables {
		v, err := FromPDU(p)
		if err != nil {
			errs = append(errs, err)
		}
		vals = append(vals, v)
	}
	return vals, errors.Join(errs...)
}
