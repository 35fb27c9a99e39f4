package expr

import (
	"fmt"
	"hash/crc32"
	"math"
	"strings"
)

// builtin is one function of the language (03 §3, §4, §6b).
type builtin struct {
	name     string
	min, max int // argument counts; max < 0 means any number
	fn       func(c *evalCtx, a []Value) (Value, error)
}

// arity describes the accepted argument counts for error messages.
func (b builtin) arity() string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case b.max < 0:
		return "at least " + plural(b.min)
	case b.min == b.max && b.min == 0:
		return "no arguments"
	case b.min == b.max:
		return plural(b.min)
	}
	return fmt.Sprintf("%d to %s", b.min, plural(b.max))
}

// num1 and num2 wrap numeric functions of one and two arguments.
func num1(name string, f func(float64) float64) builtin {
	return builtin{name, 1, 1, func(_ *evalCtx, a []Value) (Value, error) {
		return Number(f(a[0].num())), nil
	}}
}

func num2(name string, f func(x, y float64) float64) builtin {
	return builtin{name, 2, 2, func(_ *evalCtx, a []Value) (Value, error) {
		return Number(f(a[0].num(), a[1].num())), nil
	}}
}

// lookupBuiltin returns the function with the given lower-case name.
// Function names are case-insensitive, like the rest of the language.
func lookupBuiltin(name string) (builtin, bool) {
	switch name {
	// Numeric functions, 03 §3.
	case "abs":
		return num1(name, math.Abs), true
	case "round":
		return builtin{name, 1, 2, fnRound}, true
	case "trunc":
		return num1(name, math.Trunc), true
	case "min", "max":
		return builtin{name, 1, -1, func(_ *evalCtx, a []Value) (Value, error) {
			m := a[0].num()
			for _, v := range a[1:] {
				if x := v.num(); (name == "min") == (x < m) {
					m = x
				}
			}
			return Number(m), nil
		}}, true
	case "bitand":
		return bits(name, func(x, y uint64) uint64 { return x & y }), true
	case "bitor":
		return bits(name, func(x, y uint64) uint64 { return x | y }), true
	case "bitxor":
		return bits(name, func(x, y uint64) uint64 { return x ^ y }), true
	case "bitlshift":
		return num2(name, func(x, y float64) float64 { return shift(x, y, true) }), true
	case "bitrshift":
		return num2(name, func(x, y float64) float64 { return shift(x, y, false) }), true
	case "sin":
		return num1(name, math.Sin), true
	case "cos":
		return num1(name, math.Cos), true
	case "tan":
		return num1(name, math.Tan), true
	case "pi":
		return builtin{name, 0, 0, func(*evalCtx, []Value) (Value, error) { return Number(math.Pi), nil }}, true
	case "pow":
		return num2(name, math.Pow), true
	case "sqrt":
		return num1(name, math.Sqrt), true
	case "exp":
		return num1(name, math.Exp), true
	case "log":
		return builtin{name, 1, 2, fnLog}, true
	case "time":
		return builtin{name, 0, 0, func(c *evalCtx, _ []Value) (Value, error) {
			return Number(float64(now(c.env).Unix())), nil
		}}, true
	// String functions, 03 §4.
	case "defined":
		return builtin{name, 1, 1, func(c *evalCtx, a []Value) (Value, error) {
			_, ok := lookup(c.env, a[0].Str())
			return boolean(ok), nil
		}}, true
	case "strfind", "strifind":
		return builtin{name, 2, 2, func(_ *evalCtx, a []Value) (Value, error) {
			s, sub := a[0].Str(), a[1].Str()
			if name == "strifind" {
				s, sub = asciiLower(s), asciiLower(sub)
			}
			return Number(float64(strings.Index(s, sub))), nil
		}}, true
	case "strlen":
		return builtin{name, 1, -1, func(_ *evalCtx, a []Value) (Value, error) {
			n := 0
			for _, v := range a {
				n += len(v.Str())
			}
			return Number(float64(n)), nil
		}}, true
	case "sprintf":
		return builtin{name, 1, -1, func(_ *evalCtx, a []Value) (Value, error) {
			return String(sprintf(a[0].Str(), a[1:])), nil
		}}, true
	case "strftime":
		return builtin{name, 1, 2, fnStrftime}, true
	case "strptime":
		return builtin{name, 2, 2, fnStrptime}, true
	case "subid":
		return builtin{name, 3, 3, func(_ *evalCtx, a []Value) (Value, error) {
			return String(subid(a[0].Str(), toInt(a[1].num()), toInt(a[2].num()))), nil
		}}, true
	case "substr":
		return builtin{name, 2, 3, func(_ *evalCtx, a []Value) (Value, error) {
			length, hasLen := 0, len(a) == 3
			if hasLen {
				length = toInt(a[2].num())
			}
			return String(substr(a[0].Str(), toInt(a[1].num()), length, hasLen)), nil
		}}, true
	case "unpack":
		return builtin{name, 1, 2, fnUnpack}, true
	// Undocumented functions of the shipped probes, 03 §6b.
	case "pack":
		return builtin{name, 1, 2, fnPack}, true
	case "crc32":
		return builtin{name, 1, 1, func(_ *evalCtx, a []Value) (Value, error) {
			return Number(float64(crc32.ChecksumIEEE([]byte(a[0].Str())))), nil
		}}, true
	}
	return builtin{}, false
}

// fnRound is round(x) (half away from zero) and round(x, decimals).
func fnRound(_ *evalCtx, a []Value) (Value, error) {
	x := a[0].num()
	if len(a) == 1 {
		return Number(math.Round(x)), nil
	}
	p := math.Pow(10, math.Trunc(a[1].num()))
	if math.IsInf(p, 0) || p == 0 || math.IsInf(x*p, 0) {
		return Number(x), nil
	}
	return Number(math.Round(x*p) / p), nil
}

// fnLog is log(x), the natural logarithm, and log(x, base).
func fnLog(_ *evalCtx, a []Value) (Value, error) {
	x := a[0].num()
	if len(a) == 1 {
		return Number(math.Log(x)), nil
	}
	switch b := a[1].num(); b {
	case 10:
		return Number(math.Log10(x)), nil
	case 2:
		return Number(math.Log2(x)), nil
	default:
		return Number(math.Log(x) / math.Log(b)), nil
	}
}

// toBits converts a number to 64 bits, negative numbers in two's
// complement.
func toBits(f float64) uint64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f < 0:
		if f < math.MinInt64 {
			return 1 << 63
		}
		return uint64(int64(f))
	case f >= math.MaxUint64:
		return math.MaxUint64
	}
	return uint64(f)
}

// bits wraps a bitwise function; when an operand is negative the result is
// read back as a signed number, so bitor(-1, 0) is -1.
func bits(name string, f func(x, y uint64) uint64) builtin {
	return num2(name, func(x, y float64) float64 {
		r := f(toBits(x), toBits(y))
		if x < 0 || y < 0 {
			return float64(int64(r))
		}
		return float64(r)
	})
}

// shift is bitlshift and bitrshift; shifting by 64 or more, or by a
// negative count, gives 0 (or -1 for a right shift of a negative number).
func shift(x, y float64, left bool) float64 {
	u, n := toBits(x), toInt(y)
	neg := x < 0
	if n < 0 || n >= 64 {
		if neg && !left {
			return -1
		}
		return 0
	}
	if left {
		u <<= n
	} else if neg {
		return float64(int64(u) >> n)
	} else {
		u >>= n
	}
	if neg {
		return float64(int64(u))
	}
	return float64(u)
}

// toInt truncates a number to an int within ±2^40.
func toInt(f float64) int {
	const lim = 1 << 40
	switch {
	case math.IsNaN(f):
		return 0
	case f > lim:
		return lim
	case f < -lim:
		return -lim
	}
	return int(f)
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// subid returns length sub-identifiers of oid from start (0-based;
// negative counts from the end, clamped to the first), 03 §4.
func subid(oid string, start, length int) string {
	oid = strings.TrimLeft(oid, ".")
	if oid == "" || length <= 0 {
		return ""
	}
	ids := strings.Split(oid, ".")
	n := len(ids)
	if start < 0 {
		start = max(start+n, 0)
	}
	if start >= n {
		return ""
	}
	return strings.Join(ids[start:min(n, start+length)], ".")
}

// substr is Perl's substr on bytes: a negative offset counts from the end,
// a negative length leaves that many bytes off the end, no length means to
// the end; only the part inside the string is returned (03 §4).
func substr(s string, off, length int, hasLen bool) string {
	n := len(s)
	start := off
	if start < 0 {
		start += n
	}
	end := n
	if hasLen {
		if length < 0 {
			end = n + length
		} else {
			end = start + length
		}
	}
	start = max(start, 0)
	end = min(end, n)
	if start >= end {
		return ""
	}
	return s[start:end]
}
