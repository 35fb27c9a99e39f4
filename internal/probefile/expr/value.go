package expr

import (
	"math"
	"strconv"
	"strings"
)

// kind tells which of its three states a Value is in.
type kind uint8

const (
	kindUndef kind = iota
	kindNum
	kindStr
)

// Value is a number, a string, or undefined. The zero Value is undefined.
//
// The language "stores all intermediate and final results as
// double-precision floating point numbers" (03 §1); strings are the second
// kind, held by variables and returned by the string functions. Values are
// small and immutable; pass them by value.
type Value struct {
	k kind
	n float64
	s string
}

// Number returns a numeric Value.
func Number(f float64) Value { return Value{k: kindNum, n: f} }

// String returns a string Value.
func String(s string) Value { return Value{k: kindStr, s: s} }

// Undefined returns the undefined Value (the zero Value).
func Undefined() Value { return Value{} }

// boolean returns 1 for true and 0 for false, the language's TRUE and FALSE
// (03 §1).
func boolean(b bool) Value {
	if b {
		return Number(1)
	}
	return Number(0)
}

// IsDefined reports whether v is a number or a string.
func (v Value) IsDefined() bool { return v.k != kindUndef }

// IsNumber reports whether v holds a number (not a numeric-looking string).
func (v Value) IsNumber() bool { return v.k == kindNum }

// IsString reports whether v holds a string.
func (v Value) IsString() bool { return v.k == kindStr }

// Num returns v as a number. The boolean is true when v is a number or a
// string that reads entirely as one ("42", " -1.5e3 ", "0x1F"). For other
// strings Num returns the value of the longest numeric prefix, the way C's
// atof does ("78Fred" gives 78, "Fred" gives 0), and false; undefined gives
// 0 and false.
func (v Value) Num() (float64, bool) {
	switch v.k {
	case kindNum:
		return v.n, true
	case kindStr:
		if f, ok := parseNumber(v.s); ok {
			return f, true
		}
		return numPrefix(v.s), false
	}
	return 0, false
}

// num is Num without the flag, for arithmetic.
func (v Value) num() float64 {
	f, _ := v.Num()
	return f
}

// numeric reports whether v is a number or a numeric-looking string.
func (v Value) numeric() bool {
	_, ok := v.Num()
	return ok
}

// Str returns v as text: strings as they are, numbers in their shortest
// form (integers without a decimal point, others with up to 15 significant
// digits), undefined as "".
func (v Value) Str() string {
	switch v.k {
	case kindNum:
		return formatNum(v.n)
	case kindStr:
		return v.s
	}
	return ""
}

// Bool returns v's truth: numbers and numeric-looking strings are true when
// non-zero, other strings when non-empty, undefined is false.
func (v Value) Bool() bool {
	switch v.k {
	case kindNum:
		return v.n != 0 && !math.IsNaN(v.n)
	case kindStr:
		if f, ok := parseNumber(v.s); ok {
			return f != 0 && !math.IsNaN(f)
		}
		return v.s != ""
	}
	return false
}

// String describes v for debugging and test output: 42, "text" or
// undefined.
func (v Value) String() string {
	switch v.k {
	case kindNum:
		return formatNum(v.n)
	case kindStr:
		return strconv.Quote(v.s)
	}
	return "undefined"
}

// formatNum renders a number the way string interpolation and Str show it.
func formatNum(f float64) string {
	switch {
	case f == 0:
		return "0" // also -0
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', 15, 64)
}

// isSpace reports ASCII white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanNumber returns the length of the longest number at the start of s:
// an optional sign, then either 0x and hex digits or a decimal with optional
// fraction and exponent. It returns 0 when s does not start with a number.
func scanNumber(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && isHexDigit(s[i+2]) {
		j := i + 2
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		return j
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

// convertNumber converts text accepted by scanNumber.
func convertNumber(s string) float64 {
	neg := false
	t := s
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	var f float64
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		u, err := strconv.ParseUint(t[2:], 16, 64)
		if err != nil { // more than 64 bits
			u = math.MaxUint64
		}
		f = float64(u)
	} else {
		f, _ = strconv.ParseFloat(t, 64) // out of range gives ±Inf, wanted
	}
	if neg {
		f = -f
	}
	return f
}

// parseNumber converts a string that is entirely a number, ignoring
// surrounding white space. "inf" and "nan" are not numbers here.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
	n := scanNumber(s)
	if n == 0 || n != len(s) {
		return 0, false
	}
	return convertNumber(s), true
}

// numPrefix is C's atof: the value of the longest numeric prefix after
// leading white space, 0 when there is none.
func numPrefix(s string) float64 {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	n := scanNumber(s[i:])
	if n == 0 {
		return 0
	}
	return convertNumber(s[i : i+n])
}
