package tcpscript

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxVar is the longest value a variable holds (STOR, SCAT); maxExpand
// caps any expanded operand.
const (
	maxVar    = 65535
	maxExpand = 1 << 20
)

// expand returns a string operand with macros substituted and backslash
// escapes decoded, as InterMapper reads a string before using it (so the
// regular expression "[^\\s-]" is [^\s-]). In a regular expression \b and
// \$ and unknown escapes (\s, \d, \.) reach the regexp engine as written.
// Substituted values are inserted as they are: a parameter's backslashes
// and quotes stay.
func (r *runner) expand(body string, regex bool) string {
	var b strings.Builder
	var braces map[int]int
	if strings.Contains(body, "${") {
		braces = braceMatches(body)
	}
	for i := 0; i < len(body) && b.Len() < maxExpand; i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			if regex && (body[i+1] == 'b' || body[i+1] == '$') {
				b.WriteByte('\\')
				b.WriteByte(body[i+1])
				i++
				continue
			}
			i += decodeEscape(body[i+1:], &b)
		case c == '$':
			i += r.macro(body, i, braces, &b) - 1
		default:
			b.WriteByte(c)
		}
	}
	return truncate(b.String())
}

// truncate caps an expansion at maxExpand bytes.
func truncate(s string) string {
	if len(s) > maxExpand {
		return s[:maxExpand]
	}
	return s
}

// expandMacros substitutes macros only (bare words, numbers, macro names).
func (r *runner) expandMacros(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	braces := braceMatches(s)
	for i := 0; i < len(s) && b.Len() < maxExpand; i++ {
		if s[i] == '$' {
			i += r.macro(s, i, braces, &b) - 1
			continue
		}
		b.WriteByte(s[i])
	}
	return truncate(b.String())
}

// macro expands the "${name}" or "$name" at all[at:] into b and returns
// the bytes consumed; braces locates closing braces (braceMatches). "$$"
// is a literal "$". A bare
// $name is substituted only when name is a defined variable, so "^$" and
// "US$" stay as written.
func (r *runner) macro(all string, at int, braces map[int]int, b *strings.Builder) int {
	s := all[at:]
	if len(s) > 1 && s[1] == '$' { // "$$" is a dollar sign: "$${name}" leaves "${name}" for <script-output>
		b.WriteByte('$')
		return 2
	}
	if len(s) > 1 && s[1] == '{' {
		if end, ok := braces[at+1]; ok {
			name := r.expandMacros(all[at+2 : end])
			b.WriteString(r.lookup(name))
			return end - at + 1
		}
		b.WriteString("${")
		return 2
	}
	n := 1
	for n < len(s) && (isIdent(s[n]) || (n == 1 && s[n] == '^')) {
		n++
	}
	if v, ok := r.vals[strings.ToLower(s[1:n])]; ok && n > 1 {
		b.WriteString(v)
		return n
	}
	b.WriteByte('$')
	return 1
}

func isIdent(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// decodeEscape writes the escape after a backslash and returns how many
// bytes of s it used.
func decodeEscape(s string, b *strings.Builder) int {
	switch c := s[0]; c {
	case 'r':
		b.WriteByte('\r')
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'f':
		b.WriteByte('\f')
	case 'b':
		b.WriteByte('\b')
	case 'v':
		b.WriteByte('\v')
	case 'a':
		b.WriteByte('\a')
	case '"', '\\', '$', '\'':
		b.WriteByte(c)
	case 'x', 'X':
		n, v := 1, 0
		for ; n < 3 && n < len(s) && isHex(s[n]); n++ {
			v = v*16 + unhex(s[n])
		}
		if n == 1 {
			b.WriteString(`\x`)
			return 1
		}
		b.WriteByte(byte(v))
		return n
	default:
		if '0' <= c && c <= '7' {
			n, v := 0, 0
			for ; n < 3 && n < len(s) && '0' <= s[n] && s[n] <= '7'; n++ {
				v = v*8 + int(s[n]-'0')
			}
			b.WriteByte(byte(v))
			return n
		}
		b.WriteByte('\\')
		b.WriteByte(c)
	}
	return 1
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) int {
	switch {
	case c <= '9':
		return int(c - '0')
	case c >= 'a':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// lookup returns the value of a macro: a regexp group (${1}), a built-in
// (${_REMOTEPORT}, ${_BASE64:text}), ${eval:expr}, a variable or
// parameter, or ${ADDRESS}/${PORT}. Unknown names expand to "".
func (r *runner) lookup(name string) string {
	lower := strings.ToLower(name)
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		if n >= 1 && n <= len(r.groups) {
			return r.groups[n-1]
		}
		return ""
	}
	if strings.HasPrefix(lower, "_") {
		if v, ok := r.builtin(name); ok {
			return v
		}
	}
	if strings.HasPrefix(lower, "eval:") {
		v, _ := r.evaluate(name[len("eval:"):], nil)
		return v
	}
	if v, ok := r.vals[lower]; ok {
		if strings.HasSuffix(lower, "*") {
			r.secret = true // keep it out of the transcript
		}
		return v
	}
	switch lower {
	case "address", "deviceaddress":
		return r.o.Address
	case "port":
		return strconv.Itoa(r.port)
	case "devicename":
		return r.o.DeviceName
	}
	return ""
}

// builtin expands the TCP script's built-in variables and functions;
// false means name is not one.
func (r *runner) builtin(name string) (string, bool) {
	fn, param, _ := strings.Cut(name, ":")
	switch strings.ToLower(fn) {
	case "_line":
		line := r.lastLine
		if n, err := strconv.Atoi(strings.TrimSpace(param)); err == nil && n >= 0 && n < len(line) {
			line = line[:n]
		}
		return line, true
	case "_base64":
		return base64.StdEncoding.EncodeToString([]byte(param)), true
	case "_md5":
		sum := md5.Sum([]byte(param))
		return hex.EncodeToString(sum[:]), true
	case "_hmac":
		key, msg, _ := strings.Cut(param, ":")
		m := hmac.New(md5.New, []byte(key))
		m.Write([]byte(msg))
		return hex.EncodeToString(m.Sum(nil)), true
	case "_length":
		return strconv.Itoa(len(param)), true
	case "_float":
		v, err := strconv.ParseFloat(strings.TrimSpace(param), 64)
		if err != nil {
			return param, true
		}
		return strconv.FormatFloat(v, 'g', 6, 64), true
	case "_urlencode":
		return url.QueryEscape(param), true
	case "_cvspassword":
		return cvsScramble(param), true
	case "_xor":
		data, key, _ := strings.Cut(param, ":")
		return xorString(data, key), true
	case "_remoteaddress":
		return r.remoteAddr, true
	case "_remoteport":
		return strconv.Itoa(r.port), true
	case "_localaddress":
		return r.localAddr, true
	case "_localaddress6":
		if strings.Contains(r.localAddr, ":") {
			return r.localAddr, true
		}
		return "", true
	case "_localport":
		return r.localPort, true
	case "_gmttime":
		return r.now().UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"), true
	case "_version":
		return r.o.Version, true
	case "_idletimeout":
		return strconv.Itoa(int(r.idle / time.Second)), true
	case "_stringtomatch":
		return r.toMatch, true
	case "_idleline":
		return strconv.Itoa(r.idleLine), true
	case "_secsconnected":
		if r.connectedAt.IsZero() {
			return "0", true
		}
		return strconv.Itoa(int(r.now().Sub(r.connectedAt) / time.Second)), true
	case "_connect":
		return strconv.FormatInt(r.connectMs, 10), true
	case "_active":
		return strconv.FormatInt(r.activeMs(), 10), true
	}
	return "", false
}

// xorString XORs data with key repeated (${_XOR:data:key}).
func xorString(data, key string) string {
	if key == "" {
		return data
	}
	out := []byte(data)
	for i := range out {
		out[i] ^= key[i%len(key)]
	}
	return string(out)
}

// cvsScramble is CVS's pserver password scrambling ("A" + substitution).
func cvsScramble(s string) string {
	const shifts = "" +
		"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f" +
		"\x72\x78\x35\x4f\x60\x6d\x48\x6c\x46\x40\x4c\x43\x74\x4a\x44\x57" +
		"\x6f\x34\x4b\x77\x31\x22\x52\x51\x5f\x41\x70\x56\x76\x6e\x7a\x69" +
		"\x29\x39\x53\x2b\x2e\x66\x28\x59\x26\x67\x2d\x32\x2a\x7b\x5b\x23" +
		"\x7d\x37\x36\x42\x7c\x7e\x3b\x2f\x5c\x47\x73\x4e\x58\x6b\x6a\x38" +
		"\x24\x79\x75\x68\x65\x64\x45\x49\x63\x3f\x5e\x5d\x27\x25\x3d\x30" +
		"\x3a\x71\x20\x5a\x2c\x62\x3c\x33\x21\x61\x3e\x4d\x54\x50\x55\xdf" +
		"\xe1\xd8\xbb\xa6\xe5\xbd\xde\xbc\x8d\xf9\x94\xc8\xb8\x88\xf8\xbe" +
		"\xc7\xaa\xb5\xcc\x8a\xe8\xda\xb7\xff\xea\xdc\xf7\xd5\xcb\xe2\xc1" +
		"\xae\xac\xe4\xfc\xd9\xc9\x83\xe6\xc5\xd3\x91\xee\xa1\xb3\xa0\xd4" +
		"\xcf\xdd\xfe\xad\xca\x92\xe0\x97\x8c\xc4\xcd\x82\x87\x85\x8f\xf6" +
		"\xc0\x9f\xf4\xef\xb9\xa8\xd7\x90\x8b\xa5\xb4\x9d\x93\xba\xd6\xb0" +
		"\xe3\xe7\xdb\xa9\xaf\x9c\xce\xc6\x81\xa4\x96\xd2\x9a\xb1\x86\x7f" +
		"\xb6\x80\x9e\xd0\xa2\x84\xa7\xd1\x95\xf1\x99\xfb\xed\xec\xab\xc3" +
		"\xf3\xe9\xfd\xf0\xc2\xfa\xbf\x9b\x8e\x89\xf5\xeb\xa3\xf2\xb2\x98"
	out := []byte("A" + s)
	for i := 1; i < len(out); i++ {
		out[i] = shifts[out[i]]
	}
	return string(out)
}
