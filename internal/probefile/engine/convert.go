package engine

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// Variable types after DEFAULT is deduced (02 §2). "DOUBLE" is the
// engine's own name for a number kept with its fraction (Opaque floats,
// TRAPVARIABLE-DOUBLE).
const (
	typePerSecond = "PER-SECOND"
	typePerMinute = "PER-MINUTE"
)

// deduce picks the type a DEFAULT variable takes from the SNMP type of its
// value, as the Developer Guide's table says: counters are rates, gauges
// totals, integers numbers, printable octet strings text and others hex,
// and OIDs, addresses and time ticks text.
func deduce(v snmp.Value) string {
	switch v.Type {
	case snmp.Counter32, snmp.Counter64:
		return typePerSecond
	case snmp.Gauge32:
		return "TOTAL-VALUE"
	case snmp.Integer:
		return "INTEGER"
	case snmp.OctetString:
		if len(v.Bytes) == 0 || printableByte(v.Bytes[0]) {
			return "STRING"
		}
		return "HEXADECIMAL"
	case snmp.Opaque:
		if _, ok := v.AsFloat(); ok {
			return "DOUBLE"
		}
		return "HEXADECIMAL"
	}
	return "STRING"
}

// printableByte reports whether b starts readable text (UTF-8 included).
func printableByte(b byte) bool {
	return b >= 0x20 && b != 0x7f || b == '\t' || b == '\n' || b == '\r'
}

// convert turns a value into a variable of a non-rate type.
func convert(typ string, v snmp.Value, names *mib.Names) expr.Value {
	switch typ {
	case "DEFAULT":
		return convert(deduce(v), v, names)
	case "INTEGER", "INTEGER64", "NUMERIC", "DOUBLE", typePerSecond, typePerMinute:
		return expr.Number(number(v))
	case "TOTAL-VALUE", "TOTAL64-VALUE":
		if v.Type == snmp.Integer && v.Int < 0 {
			if typ == "TOTAL-VALUE" {
				return expr.Number(float64(uint32(int32(v.Int))))
			}
			return expr.Number(float64(uint64(v.Int)))
		}
		return expr.Number(number(v))
	case "HEXADECIMAL", "HEXSTRING":
		return expr.String(hexadecimal(v))
	case "HEXNUMBER":
		return expr.Number(hexNumber(v))
	case "IPADDRESS":
		if v.Type == snmp.OctetString && (len(v.Bytes) == 4 || len(v.Bytes) == 16) {
			a, _ := netip.AddrFromSlice(v.Bytes)
			return expr.String(a.String())
		}
	case "OCTET-STRING":
		if v.Type == snmp.OctetString || v.Type == snmp.Opaque {
			return expr.String(string(v.Bytes))
		}
	case "STRING":
		switch v.Type {
		case snmp.Integer:
			if names != nil {
				if label, ok := names.Enum(v.OID, v.Int); ok {
					return expr.String(label)
				}
			}
		case snmp.TimeTicks:
			return expr.String(ticks(v.Uint))
		}
	}
	return expr.String(v.AsString())
}

// number reads any value as a number; text as C's atof does ("78Fred" is
// 78).
func number(v snmp.Value) float64 {
	if f, ok := v.AsFloat(); ok {
		return f
	}
	n, _ := expr.String(v.AsString()).Num()
	return n
}

// hexadecimal shows a number as 0x… and bytes as hex pairs ("44 61 72").
func hexadecimal(v snmp.Value) string {
	switch v.Type {
	case snmp.Integer:
		if v.Int < 0 {
			return fmt.Sprintf("0x%X", uint32(int32(v.Int)))
		}
		return fmt.Sprintf("0x%X", v.Int)
	case snmp.Counter32, snmp.Gauge32, snmp.TimeTicks, snmp.Counter64:
		return fmt.Sprintf("0x%X", v.Uint)
	case snmp.OctetString, snmp.Opaque:
		return strings.ToUpper(snmp.HexString(v.Bytes))
	case snmp.IPAddress:
		if a, err := netip.ParseAddr(v.Text); err == nil {
			return strings.ToUpper(snmp.HexString(a.AsSlice()))
		}
	}
	return strings.ToUpper(snmp.HexString([]byte(v.AsString())))
}

// hexNumber reads hex digits as a number ("FE" is 254); binary octets are
// read as a big-endian number.
func hexNumber(v snmp.Value) float64 {
	if v.Type != snmp.OctetString {
		return number(v)
	}
	if s, ok := snmp.Printable(v.Bytes); ok {
		s = strings.TrimPrefix(strings.ToLower(strings.Join(strings.Fields(s), "")), "0x")
		if n, err := strconv.ParseUint(s, 16, 64); err == nil {
			return float64(n)
		}
		return 0
	}
	var n float64
	for _, b := range v.Bytes {
		n = n*256 + float64(b)
	}
	return n
}

// ticks formats hundredths of a second as net-snmp does: "1:02:03.04",
// "1 day, 0:00:00.00", "48 days, 23:46:47.51".
func ticks(t uint64) string {
	d, h, m, s, cs := t/8640000, t/360000%24, t/6000%60, t/100%60, t%100
	clock := fmt.Sprintf("%d:%02d:%02d.%02d", h, m, s, cs)
	switch d {
	case 0:
		return clock
	case 1:
		return "1 day, " + clock
	}
	return fmt.Sprintf("%d days, %s", d, clock)
}

// sample is one raw reading kept for the next poll's rate.
type sample struct {
	typ  snmp.Type
	u    uint64  // counters, gauges, ticks
	f    float64 // others
	uns  bool    // u holds the value
	at   time.Time
	real bool // a sample was taken
}

// newSample records v at time at.
func newSample(v snmp.Value, at time.Time) sample {
	s := sample{typ: v.Type, at: at, real: true}
	switch v.Type {
	case snmp.Counter32, snmp.Counter64, snmp.Gauge32, snmp.TimeTicks:
		s.u, s.uns = v.Uint, true
	default:
		s.f = number(v)
	}
	return s
}

// rate is the change from prev to cur per second (per minute when
// perMinute). A Counter32 that went down wrapped; a Counter64 that went
// down was reset, and its rate is unknown, as is the rate of the first
// sample.
func rate(prev, cur sample, perMinute bool) (float64, bool) {
	if !prev.real || !cur.real || prev.typ != cur.typ || prev.uns != cur.uns {
		return 0, false
	}
	dt := cur.at.Sub(prev.at).Seconds()
	if dt <= 0 {
		return 0, false
	}
	var d float64
	switch {
	case !cur.uns:
		d = cur.f - prev.f
	case cur.u >= prev.u:
		d = float64(cur.u - prev.u)
	case cur.typ == snmp.Counter32:
		d = float64(cur.u + (1 << 32) - prev.u)
	case cur.typ == snmp.Gauge32:
		d = -float64(prev.u - cur.u)
	default:
		return 0, false
	}
	r := d / dt
	if perMinute {
		r *= 60
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, false
	}
	return r, true
}
