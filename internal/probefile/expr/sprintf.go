package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxWidth bounds printf widths and precisions.
const maxWidth = 512

// sprintf formats like C's sprintf with the conversions of 03 §5:
// %[flags][width][.precision]code with flags "-+ #0", C length modifiers
// (l, h, …) ignored, and codes c d i o x X u s a f e E g G %. A missing
// argument formats as 0 or ""; an unknown code is copied as written.
func sprintf(format string, args []Value) string {
	var out strings.Builder
	next := func() Value {
		if len(args) == 0 {
			return Value{}
		}
		v := args[0]
		args = args[1:]
		return v
	}
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			out.WriteByte(c)
			i++
			continue
		}
		spec, code, n := parseSpec(format[i:])
		if n == 0 { // "%" at the end, or an incomplete spec
			out.WriteString(format[i:])
			break
		}
		i += n
		switch code {
		case '%':
			out.WriteByte('%')
		case 'd', 'i':
			fmt.Fprintf(&out, spec.verb('d'), toInt64(next().num()))
		case 'u':
			fmt.Fprintf(&out, spec.verb('d'), toBits(next().num()))
		case 'o', 'x', 'X':
			fmt.Fprintf(&out, spec.verb(code), toBits(next().num()))
		case 'c':
			spec.prec = -1
			fmt.Fprintf(&out, spec.verb('s'), string([]byte{byte(toBits(next().num()))}))
		case 's':
			fmt.Fprintf(&out, spec.verb('s'), next().Str())
		case 'a':
			spec.prec = -1
			fmt.Fprintf(&out, spec.verb('s'), hexBytes(next().Str(), ":"))
		case 'f', 'F', 'e', 'E', 'g', 'G':
			if (code == 'g' || code == 'G') && spec.prec < 0 {
				spec.prec = 6 // C's default; Go's %g would print all digits
			}
			if code == 'F' {
				code = 'f'
			}
			fmt.Fprintf(&out, spec.verb(code), next().num())
		default:
			out.WriteString(format[i-n : i])
		}
		if out.Len() > maxString {
			break
		}
	}
	return out.String()
}

// printfSpec is a parsed conversion specification.
type printfSpec struct {
	flags string
	width int // -1 if absent
	prec  int // -1 if absent
}

// verb rebuilds the specification as a Go format for code.
func (p printfSpec) verb(code byte) string {
	s := "%" + p.flags
	if p.width >= 0 {
		s += strconv.Itoa(p.width)
	}
	if p.prec >= 0 {
		s += "." + strconv.Itoa(p.prec)
	}
	return s + string(code)
}

// parseSpec parses the conversion at the start of s (which begins with
// "%"), returning it, its code and its length (0 when incomplete).
func parseSpec(s string) (printfSpec, byte, int) {
	p := printfSpec{width: -1, prec: -1}
	i := 1
	for i < len(s) && strings.IndexByte("-+ #0", s[i]) >= 0 {
		if strings.IndexByte(p.flags, s[i]) < 0 {
			p.flags += s[i : i+1]
		}
		i++
	}
	number := func() int {
		n := 0
		for i < len(s) && isDigit(s[i]) {
			n = min(n*10+int(s[i]-'0'), maxWidth)
			i++
		}
		return n
	}
	if i < len(s) && isDigit(s[i]) {
		p.width = number()
	}
	if i < len(s) && s[i] == '.' {
		i++
		p.prec = number()
	}
	for i < len(s) && strings.IndexByte("hlLqjzt", s[i]) >= 0 {
		i++
	}
	if i >= len(s) {
		return p, 0, 0
	}
	return p, s[i], i + 1
}

// toInt64 truncates a number for %d, saturating at the int64 range.
func toInt64(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// hexBytes writes each byte of s as two hex digits, separated by sep.
func hexBytes(s, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		fmt.Fprintf(&b, "%02x", s[i])
	}
	return b.String()
}
