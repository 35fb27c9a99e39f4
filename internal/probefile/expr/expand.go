package expr

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// maxExpandDepth bounds macros nested inside macro arguments.
const maxExpandDepth = 16

// Expander expands variables and macros in condition strings and display
// text (04 §2–3, 02 §3–4). The zero Expander with an Env set is what Expand
// uses.
//
// Recognised forms:
//   - $name (letters, digits, "_"; "$a.b" is the variable "a.b" when that
//     is defined, else "$a" followed by ".b") and ${any name};
//   - ${eval:expr}, the expression language, which may assign with ":=";
//   - ${chartable:expr}, ${chartable:#.##:expr} (a "#" mask: as many
//     decimals as "#" after the point) and ${chartable:"%6.2f":expr};
//   - ${scalable10[:fmt]:expr} and ${scalable2[:fmt]:expr}: scaled into
//     1–1000 by powers of 1000 or 1024 and followed by a space and the SI
//     prefix (p n u m k M G T), two decimals by default;
//   - the pure string macros of the TCP and notifier sections:
//     ${_BASE64:s}, ${_LENGTH:s}, ${_URLENCODE:s}, ${urlescape:s},
//     ${_MD5:s} (hex), ${_FLOAT:n} (%g), ${_XOR:s:key}, ${_HMAC:key:msg}
//     (HMAC-MD5, hex); their arguments are expanded first.
//
// Macro names are case-insensitive. A backslash does not escape "$": IMML
// puts a markup command's closing backslash right before a macro
// (`\0\${AvgLatency}`).
type Expander struct {
	// Env supplies the variables.
	Env Env
	// Round shows numeric variables rounded to the nearest integer, as
	// <snmp-device-display> does (02 §4); ${eval:} is never rounded.
	Round bool
	// Macro, if set, answers what this package cannot: every other
	// ${name:arg} (the legend of ${var:legend}, ${Table:link text},
	// ${alarm:condition}, TCP's ${_LINE:50}), and ${name} or $name when
	// name is not a defined variable (alarm points, $alarmpointlist,
	// $TableName), with arg "". arg is already expanded. Returning false
	// leaves the macro to the undefined rule.
	Macro func(name, arg string) (string, bool)
	// Undefined replaces a reference to an undefined variable and a macro
	// that cannot be evaluated. When empty they are left as written, which
	// is how InterMapper passes an unset variable to a command line
	// (06 §2) and keeps a literal "$5" in text.
	Undefined string
}

// Expand expands template with env: the variables and macros listed at
// Expander, numbers shown in full, undefined references left as written.
func Expand(template string, env Env) string {
	return Expander{Env: env}.Expand(template)
}

// Expand expands template.
func (x Expander) Expand(template string) string {
	if x.Env == nil {
		x.Env = MapEnv{}
	}
	return x.expand(template, 0)
}

func (x Expander) expand(s string, depth int) string {
	if depth > maxExpandDepth || strings.IndexByte(s, '$') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			j := strings.IndexByte(s[i:], '$')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		if i+1 < len(s) && s[i+1] == '{' {
			end := macroEnd(s, i+2)
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			b.WriteString(x.macro(s[i+2:end], s[i:end+1], depth))
			i = end + 1
			continue
		}
		n := x.nameLen(s[i+1:])
		if n == 0 {
			b.WriteByte('$')
			i++
			continue
		}
		b.WriteString(x.variable(s[i+1:i+1+n], s[i:i+1+n]))
		i += 1 + n
	}
	return b.String()
}

// nameLen measures the $name at the start of s, preferring the longest
// dotted name that is defined.
func (x Expander) nameLen(s string) int {
	n := 0
	for n < len(s) && isNameChar(s[n]) {
		n++
	}
	best := n
	for n > 0 && n+1 < len(s) && s[n] == '.' && isNameChar(s[n+1]) {
		n++
		for n < len(s) && isNameChar(s[n]) {
			n++
		}
		if _, ok := lookup(x.Env, s[:n]); ok {
			best = n
		}
	}
	return best
}

// macroEnd finds the "}" closing a macro whose text starts at s[start:],
// counting nested braces and, in expression macros, skipping strings.
func macroEnd(s string, start int) int {
	name, _, _ := strings.Cut(s[start:min(len(s), start+12)], ":")
	quoted := false
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "eval", "chartable", "scalable10", "scalable2":
		quoted = true
	}
	depth, inString := 0, false
	for i := start; i < len(s); i++ {
		c := s[i]
		if inString {
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = quoted
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// variable renders $name or ${name}.
func (x Expander) variable(name, raw string) string {
	if v, ok := lookup(x.Env, name); ok {
		return x.format(v)
	}
	if x.Macro != nil {
		if s, ok := x.Macro(name, ""); ok {
			return s
		}
	}
	return x.undefined(raw)
}

// format shows a variable's value, rounded when x.Round.
func (x Expander) format(v Value) string {
	if x.Round && v.k == kindNum && !math.IsInf(v.n, 0) {
		return formatNum(math.Round(v.n))
	}
	return v.Str()
}

func (x Expander) undefined(raw string) string {
	if x.Undefined != "" {
		return x.Undefined
	}
	return raw
}

// macro renders ${inner}; raw is the macro as written.
func (x Expander) macro(inner, raw string, depth int) string {
	name, arg, hasArg := strings.Cut(inner, ":")
	name = strings.TrimSpace(name)
	if !hasArg {
		return x.variable(strings.TrimSpace(inner), raw)
	}
	var out string
	ok := true
	switch strings.ToLower(name) {
	case "eval":
		var v Value
		v, ok = x.eval(arg)
		out = v.Str()
	case "chartable":
		out, ok = x.chartable(arg)
	case "scalable10":
		out, ok = x.scalable(arg, 1000)
	case "scalable2":
		out, ok = x.scalable(arg, 1024)
	case "_base64":
		out = base64.StdEncoding.EncodeToString([]byte(x.expand(arg, depth+1)))
	case "_length":
		out = strconv.Itoa(len(x.expand(arg, depth+1)))
	case "_urlencode", "urlescape":
		out = strings.ReplaceAll(url.QueryEscape(x.expand(arg, depth+1)), "+", "%20")
	case "_md5":
		sum := md5.Sum([]byte(x.expand(arg, depth+1)))
		out = hex.EncodeToString(sum[:])
	case "_float":
		out = sprintf("%g", []Value{String(x.expand(arg, depth+1))})
	case "_xor":
		a, key := cutTop(arg)
		out = xorKey(x.expand(a, depth+1), x.expand(key, depth+1))
	case "_hmac":
		key, msg := cutTop(arg)
		m := hmac.New(md5.New, []byte(x.expand(key, depth+1)))
		m.Write([]byte(x.expand(msg, depth+1)))
		out = hex.EncodeToString(m.Sum(nil))
	default:
		if v, defined := lookup(x.Env, strings.TrimSpace(inner)); defined {
			return x.format(v) // a parameter whose name holds ":"
		}
		if x.Macro != nil {
			if s, answered := x.Macro(name, x.expand(arg, depth+1)); answered {
				return s
			}
		}
		ok = false
	}
	if !ok {
		return x.undefined(raw)
	}
	return out
}

// eval parses and evaluates an expression macro's expression.
func (x Expander) eval(src string) (Value, bool) {
	e, err := Parse(src)
	if err != nil {
		return Value{}, false
	}
	v, err := e.Eval(x.Env)
	return v, err == nil
}

// splitFormat separates the optional format of chartable and scalable
// macros: a "#" mask or a quoted printf spec, then ":" and the expression.
func splitFormat(arg string) (mask, printf, expr string) {
	t := strings.TrimSpace(arg)
	switch {
	case strings.HasPrefix(t, "#"):
		if m, rest, ok := strings.Cut(t, ":"); ok {
			return strings.TrimSpace(m), "", rest
		}
	case strings.HasPrefix(t, `"`):
		for i := 1; i < len(t); i++ {
			if t[i] == '\\' {
				i++
				continue
			}
			if t[i] == '"' {
				if rest, ok := strings.CutPrefix(strings.TrimLeft(t[i+1:], " \t"), ":"); ok {
					return "", t[1:i], rest
				}
				break
			}
		}
	}
	return "", "", arg
}

// formatWith applies a "#" mask or a printf spec to a number.
func formatWith(v Value, mask, printf string) string {
	if printf != "" {
		return sprintf(printf, []Value{v})
	}
	decimals := 0
	if _, frac, ok := strings.Cut(mask, "."); ok {
		decimals = strings.Count(frac, "#")
	}
	return strconv.FormatFloat(v.num(), 'f', decimals, 64)
}

// chartable renders ${chartable[:fmt]:expr}.
func (x Expander) chartable(arg string) (string, bool) {
	mask, printf, src := splitFormat(arg)
	v, ok := x.eval(src)
	if !ok {
		return "", false
	}
	if mask == "" && printf == "" {
		return x.format(v), true
	}
	return formatWith(v, mask, printf), true
}

// scalable renders ${scalable10[:fmt]:expr} and ${scalable2[:fmt]:expr}.
func (x Expander) scalable(arg string, factor float64) (string, bool) {
	mask, printf, src := splitFormat(arg)
	v, ok := x.eval(src)
	if !ok {
		return "", false
	}
	if mask == "" && printf == "" {
		mask = "#.##"
	}
	f := v.num()
	const prefixes = "pnum kMGT" // index 4 is no prefix
	i := 4
	if a := math.Abs(f); a != 0 && !math.IsInf(a, 0) && !math.IsNaN(a) {
		for a >= factor && i < len(prefixes)-1 {
			a, f, i = a/factor, f/factor, i+1
		}
		for a < 1 && i > 0 {
			a, f, i = a*factor, f*factor, i-1
		}
	}
	prefix := strings.TrimSpace(prefixes[i : i+1])
	return formatWith(Number(f), mask, printf) + " " + prefix, true
}

// cutTop splits at the first ":" outside nested ${…}.
func cutTop(s string) (string, string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ':':
			if depth == 0 {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// xorKey XORs s with key repeated.
func xorKey(s, key string) string {
	if key == "" {
		return s
	}
	b := []byte(s)
	for i := range b {
		b[i] ^= key[i%len(key)]
	}
	return string(b)
}
