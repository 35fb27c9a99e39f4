package expr

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// binFormat is a parsed unpack/pack format: one code and a byte order.
type binFormat struct {
	order binary.ByteOrder
	code  string
}

// parseBinFormat reads `[<|>]code` (the order may also follow the code).
// Without an order the bytes are little-endian: InterMapper used the
// platform's order (03 §4), and every platform Vantage runs on is
// little-endian.
func parseBinFormat(f string) (binFormat, error) {
	b := binFormat{order: binary.LittleEndian}
	code := strings.TrimSpace(f)
	for _, cut := range []func(string, string) (string, bool){strings.CutPrefix, strings.CutSuffix} {
		if rest, ok := cut(code, ">"); ok {
			b.order, code = binary.BigEndian, rest
		} else if rest, ok := cut(code, "<"); ok {
			b.order, code = binary.LittleEndian, rest
		}
	}
	switch code {
	case "c", "C", "s", "S", "l", "L", "H", "#B", "#H", "#~":
		b.code = code
		return b, nil
	}
	return b, fmt.Errorf("unknown format %q", f)
}

// size is the byte width of the numeric codes.
func (b binFormat) size() int {
	switch b.code {
	case "c", "C":
		return 1
	case "s", "S":
		return 2
	case "l", "L":
		return 4
	}
	return 0
}

// fnUnpack is unpack(bytes, format): binary data to a number or string
// (03 §4). Short input is zero-padded at the end, long input truncated; an
// empty or missing format returns the input.
func fnUnpack(_ *evalCtx, a []Value) (Value, error) {
	s := a[0].Str()
	if len(a) < 2 || strings.TrimSpace(a[1].Str()) == "" {
		return String(s), nil
	}
	f, err := parseBinFormat(a[1].Str())
	if err != nil {
		return Value{}, err
	}
	if n := f.size(); n > 0 {
		buf := make([]byte, 4)
		copy(buf[:n], s)
		var u uint32
		switch n {
		case 1:
			u = uint32(buf[0])
			if f.code == "c" {
				return Number(float64(int8(u))), nil
			}
		case 2:
			u = uint32(f.order.Uint16(buf))
			if f.code == "s" {
				return Number(float64(int16(u))), nil
			}
		default:
			u = f.order.Uint32(buf)
			if f.code == "l" {
				return Number(float64(int32(u))), nil
			}
		}
		return Number(float64(u)), nil
	}
	switch f.code {
	case "H": // hex text to an integer of at most 32 bits
		var u uint32
		t := strings.TrimSpace(s)
		for i := 0; i < len(t) && i < 8 && isHexDigit(t[i]); i++ {
			u = u<<4 | uint32(hexVal(t[i]))
		}
		return Number(float64(u)), nil
	case "#H": // hex text to bytes; separators are skipped
		var out []byte
		var hi, n int
		for i := 0; i < len(s); i++ {
			if !isHexDigit(s[i]) {
				continue
			}
			if n%2 == 0 {
				hi = hexVal(s[i])
			} else {
				out = append(out, byte(hi<<4|hexVal(s[i])))
			}
			n++
		}
		return String(string(out)), nil
	case "#B": // all bytes as base64
		return String(base64.StdEncoding.EncodeToString([]byte(s))), nil
	}
	return String(unescapeBytes(s)), nil // "#~"
}

// fnPack is pack(value, format), the inverse of unpack (03 §6b).
func fnPack(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	if len(a) < 2 || strings.TrimSpace(a[1].Str()) == "" {
		return String(v.Str()), nil
	}
	f, err := parseBinFormat(a[1].Str())
	if err != nil {
		return Value{}, err
	}
	if n := f.size(); n > 0 {
		u := toBits(v.num())
		buf := make([]byte, 4)
		switch n {
		case 1:
			buf[0] = byte(u)
		case 2:
			f.order.PutUint16(buf, uint16(u))
		default:
			f.order.PutUint32(buf, uint32(u))
		}
		return String(string(buf[:n])), nil
	}
	switch f.code {
	case "H":
		return String(fmt.Sprintf("%X", uint32(toBits(v.num())))), nil
	case "#H":
		return String(hexBytes(v.Str(), "")), nil
	case "#B":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v.Str()))
		if err != nil {
			return Value{}, fmt.Errorf("bad base64: %v", err)
		}
		return String(string(b)), nil
	}
	var b strings.Builder // "#~": escape what is not printable ASCII
	s := v.Str()
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f && c != '\\' && c != '%' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	return String(b.String()), nil
}

// unescapeBytes decodes the undocumented "#~" format, which the shipped
// wireless probes use on escaped or JavaScript-encoded byte strings: C
// escapes, \xHH, \uHHHH, %HH and %uHHHH. Code points above 0xFF become
// UTF-8; anything else is copied.
func unescapeBytes(s string) string {
	var out []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' && c != '%' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') {
			if r, ok := hexRun(s[i+2:], 4); ok {
				out = appendCode(out, r)
				i += 6
				continue
			}
		}
		if c == '%' {
			if r, ok := hexRun(s[i+1:], 2); ok {
				out = append(out, byte(r))
				i += 3
				continue
			}
			out = append(out, c)
			i++
			continue
		}
		b, n, msg := unescape(s[i:])
		if msg != "" || n == 0 {
			out = append(out, c)
			i++
			continue
		}
		if len(b) == 2 { // unknown escape: drop the backslash
			b = b[1:]
		}
		out = append(out, b...)
		i += n
	}
	return string(out)
}

// hexRun reads exactly n hex digits.
func hexRun(s string, n int) (rune, bool) {
	if len(s) < n {
		return 0, false
	}
	var r rune
	for i := 0; i < n; i++ {
		if !isHexDigit(s[i]) {
			return 0, false
		}
		r = r<<4 | rune(hexVal(s[i]))
	}
	return r, true
}

// appendCode appends a code point: one byte up to 0xFF, else UTF-8.
func appendCode(out []byte, r rune) []byte {
	if r <= 0xFF {
		return append(out, byte(r))
	}
	return utf8.AppendRune(out, r)
}
