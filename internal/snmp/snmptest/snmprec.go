package snmptest

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// ParseSnmprec reads an snmpsim recording (`OID|TYPE|VALUE` per line) and
// returns its variables sorted by OID, with the values snmpsim serves:
// lines are trimmed of white space, a TYPE ending in "x" has a hex VALUE
// and one ending in "e" a Python-escaped VALUE. Types: 2 INTEGER, 4 OCTET
// STRING, 5 NULL, 6 OID, 64 IpAddress, 65 Counter32, 66 Gauge32,
// 67 TimeTicks, 68 Opaque, 70 Counter64, 128-130 the exceptions. Lines using snmpsim variation modules ("2:numeric") are
// errors: their values are computed, not recorded.
func ParseSnmprec(path string) ([]snmp.Value, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []snmp.Value
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text()) // as snmpsim does
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := parseSnmprecLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return snmp.CompareOID(out[i].OID, out[j].OID) < 0 })
	return out, nil
}

func parseSnmprecLine(line string) (snmp.Value, error) {
	oid, rest, ok1 := strings.Cut(line, "|")
	tag, val, ok2 := strings.Cut(rest, "|")
	if !ok1 || !ok2 {
		return snmp.Value{}, fmt.Errorf("want OID|TYPE|VALUE, got %q", line)
	}
	o, err := snmp.NormalizeOID(oid)
	if err != nil {
		return snmp.Value{}, err
	}
	if strings.Contains(tag, ":") {
		return snmp.Value{}, fmt.Errorf("%s: variation module %q not supported", o, tag)
	}
	isHex := strings.HasSuffix(tag, "x")
	code, err := strconv.Atoi(strings.TrimRight(tag, "xe"))
	if err != nil {
		return snmp.Value{}, fmt.Errorf("%s: type %q is not a number", o, tag)
	}
	raw := []byte(val)
	switch {
	case isHex:
		if raw, err = hex.DecodeString(val); err != nil {
			return snmp.Value{}, fmt.Errorf("%s: hex value: %w", o, err)
		}
	case strings.HasSuffix(tag, "e"):
		if raw, err = unescape(val); err != nil {
			return snmp.Value{}, fmt.Errorf("%s: escaped value: %w", o, err)
		}
	}
	v := snmp.Value{OID: o}
	switch code {
	case 2:
		v.Type = snmp.Integer
		v.Int, err = strconv.ParseInt(string(raw), 10, 64)
	case 4:
		v.Type, v.Bytes = snmp.OctetString, raw
	case 5:
		v.Type = snmp.Null
	case 6:
		v.Type = snmp.ObjectIdentifier
		v.Text, err = snmp.NormalizeOID(string(raw))
	case 64:
		v.Type = snmp.IPAddress
		if isHex {
			a, ok := netip.AddrFromSlice(raw)
			if !ok {
				return v, fmt.Errorf("%s: IpAddress of %d bytes", o, len(raw))
			}
			v.Text = a.String()
		} else if a, perr := netip.ParseAddr(string(raw)); perr == nil {
			v.Text = a.String()
		} else if len(raw) == 4 { // raw octets, as pysnmp's IpAddress also accepts
			v.Text = netip.AddrFrom4([4]byte(raw)).String()
		} else {
			err = perr
		}
	case 65, 66, 67:
		v.Type = map[int]snmp.Type{65: snmp.Counter32, 66: snmp.Gauge32, 67: snmp.TimeTicks}[code]
		v.Uint, err = strconv.ParseUint(string(raw), 10, 32)
	case 68:
		v.Type, v.Bytes = snmp.Opaque, raw
	case 70:
		v.Type = snmp.Counter64
		v.Uint, err = strconv.ParseUint(string(raw), 10, 64)
	case 128:
		v.Type = snmp.NoSuchObject
	case 129:
		v.Type = snmp.NoSuchInstance
	case 130:
		v.Type = snmp.EndOfMibView
	default:
		return v, fmt.Errorf("%s: unknown type %q", o, tag)
	}
	if err != nil {
		return v, fmt.Errorf("%s: type %s value %q: %w", o, tag, val, err)
	}
	return v, nil
}

// unescape decodes snmpsim's "e" values: backslash escapes as in Python
// string literals (\n, \t, \xHH …).
func unescape(s string) ([]byte, error) {
	escapes := map[byte]byte{'\\': '\\', '\'': '\'', '"': '"', 'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("backslash at the end")
		}
		i++
		if c, ok := escapes[s[i]]; ok {
			out = append(out, c)
			continue
		}
		if s[i] != 'x' || i+2 >= len(s) {
			return nil, fmt.Errorf("unknown escape \\%c", s[i])
		}
		b, err := hex.DecodeString(s[i+1 : i+3])
		if err != nil {
			return nil, err
		}
		out = append(out, b[0])
		i += 2
	}
	return out, nil
}
