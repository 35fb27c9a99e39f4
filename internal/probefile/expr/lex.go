package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind classifies tokens.
type tokKind uint8

const (
	tEOF   tokKind = iota
	tErr           // a lexical error; text is the message
	tNum           // number literal; num holds it
	tStr           // string literal; str holds its parts
	tVar           // $name or ${name}; text is the name
	tIdent         // function name
	tOp            // operator or punctuation; text is its canonical spelling
)

// token is one lexical token of an expression.
type token struct {
	kind tokKind
	off  int // byte offset of the first character
	end  int // byte offset after the last character
	text string
	num  float64
	str  *strLit
	at   int // tErr: byte offset the message is about
}

// lexer splits an expression into tokens on demand.
type lexer struct {
	src string
	pos int
}

// maxNameLen bounds the ${name} recognised inside strings.
const maxNameLen = 256

// isNameChar reports the characters of a $name: letters, digits, "_".
func isNameChar(c byte) bool {
	return c == '_' || isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// next returns the next token.
func (l *lexer) next() token {
	src := l.src
	for l.pos < len(src) && isSpace(src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(src) {
		return token{kind: tEOF, off: start, end: start}
	}
	c := src[start]
	switch {
	case c == '"':
		return l.lexString(start)
	case c == '$':
		return l.lexVar(start)
	case isDigit(c) || (c == '.' && start+1 < len(src) && isDigit(src[start+1])):
		return l.lexNumber(start)
	case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
		i := start
		for i < len(src) && isNameChar(src[i]) {
			i++
		}
		l.pos = i
		word := src[start:i]
		switch strings.ToLower(word) {
		case "and":
			return token{kind: tOp, off: start, end: i, text: "&&"}
		case "or":
			return token{kind: tOp, off: start, end: i, text: "||"}
		case "not":
			return token{kind: tOp, off: start, end: i, text: "!"}
		}
		return token{kind: tIdent, off: start, end: i, text: word}
	}
	if start+1 < len(src) {
		switch op := src[start : start+2]; op {
		case ":=", "||", "&&", "==", "!=", "<>", "<=", ">=", "=~", "!~":
			l.pos = start + 2
			return token{kind: tOp, off: start, end: l.pos, text: op}
		}
	}
	if strings.IndexByte("?:=<>+-*/%!(),;", c) >= 0 {
		l.pos = start + 1
		return token{kind: tOp, off: start, end: l.pos, text: src[start:l.pos]}
	}
	r, _ := utf8.DecodeRuneInString(src[start:])
	return l.fail(start, "unexpected character %q", r)
}

// fail returns an error token about off and stops the lexer.
func (l *lexer) fail(off int, format string, args ...any) token {
	return l.failIn(off, off, format, args...)
}

// failIn returns an error token for the token starting at start, about
// the byte at off.
func (l *lexer) failIn(start, off int, format string, args ...any) token {
	l.pos = len(l.src)
	return token{kind: tErr, off: start, end: start, at: off, text: fmt.Sprintf(format, args...)}
}

// lexNumber scans a decimal, float or 0x hex literal.
func (l *lexer) lexNumber(start int) token {
	src := l.src
	n := scanNumber(src[start:])
	end := start + n
	j := end
	for j < len(src) && (isNameChar(src[j]) || src[j] == '.') {
		j++
	}
	if j != end || n == 0 {
		return l.fail(start, "malformed number %q", src[start:j])
	}
	l.pos = end
	return token{kind: tNum, off: start, end: end, num: convertNumber(src[start:end])}
}

// lexVar scans $name, $name.with.dots or ${any name}.
func (l *lexer) lexVar(start int) token {
	src := l.src
	i := start + 1
	if i < len(src) && src[i] == '{' {
		close := strings.IndexByte(src[i:], '}')
		if close < 0 {
			return l.fail(start, `missing "}" after "${"`)
		}
		name := strings.TrimSpace(src[i+1 : i+close])
		if name == "" {
			return l.fail(start, `empty variable name "${}"`)
		}
		l.pos = i + close + 1
		return token{kind: tVar, off: start, end: l.pos, text: name}
	}
	if i >= len(src) || !isNameChar(src[i]) {
		return l.fail(start, `expected a variable name after "$"`)
	}
	for i < len(src) && isNameChar(src[i]) {
		i++
		if i+1 < len(src) && src[i] == '.' && isNameChar(src[i+1]) {
			i++
		}
	}
	l.pos = i
	return token{kind: tVar, off: start, end: i, text: src[start+1 : i]}
}

// lexString scans a double-quoted string: C escapes, and "$name" and
// "${name}" interpolation (03 §1, §7).
func (l *lexer) lexString(start int) token {
	src := l.src
	s := &strLit{}
	var buf []byte
	flush := func() {
		if len(buf) > 0 {
			s.parts = append(s.parts, strPart{text: string(buf)})
			buf = buf[:0]
		}
	}
	i := start + 1
	for {
		if i >= len(src) {
			return l.fail(start, "unterminated string")
		}
		c := src[i]
		switch c {
		case '"':
			flush()
			l.pos = i + 1
			s.finish()
			return token{kind: tStr, off: start, end: l.pos, str: s}
		case '\\':
			b, n, msg := unescape(src[i:])
			if n == 0 && msg == "unterminated string" {
				return l.fail(start, "%s", msg)
			}
			if msg != "" {
				return l.failIn(start, i, "%s", msg)
			}
			buf = append(buf, b...)
			i += n
		case '$':
			name, n := interpolated(src[i:])
			if n == 0 {
				buf = append(buf, '$')
				i++
				continue
			}
			flush()
			s.parts = append(s.parts, strPart{name: name, isVar: true, off: i})
			i += n
		default:
			buf = append(buf, c)
			i++
		}
	}
}

// interpolated recognises a variable reference at the start of s (which
// begins with "$") inside a string: Perl-style "$name" (letters, digits,
// "_"; a following "." ends it) or "${name}". It returns n = 0 when the "$"
// is literal.
func interpolated(s string) (name string, n int) {
	if len(s) > 1 && s[1] == '{' {
		// Look for the "}" only as far as a name can reach, so that text
		// full of "${" stays linear.
		close := strings.IndexByte(s[:min(len(s), maxNameLen+3)], '}')
		if close < 0 || strings.IndexByte(s[:close], '"') >= 0 {
			return "", 0
		}
		name = strings.TrimSpace(s[2:close])
		if name == "" {
			return "", 0
		}
		return name, close + 1
	}
	i := 1
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	if i == 1 {
		return "", 0
	}
	return s[1:i], i
}

// unescape decodes the escape at the start of s (which begins with a
// backslash). It returns the bytes, the length consumed, or a message for a
// malformed escape. Unknown escapes such as \d or \. are kept with their
// backslash, because string literals are also regular expressions.
func unescape(s string) (b []byte, n int, msg string) {
	if len(s) < 2 {
		return nil, 0, "unterminated string"
	}
	switch e := s[1]; e {
	case 'n':
		return []byte{'\n'}, 2, ""
	case 'r':
		return []byte{'\r'}, 2, ""
	case 't':
		return []byte{'\t'}, 2, ""
	case 'a':
		return []byte{7}, 2, ""
	case 'b':
		return []byte{8}, 2, ""
	case 'f':
		return []byte{12}, 2, ""
	case 'v':
		return []byte{11}, 2, ""
	case '\\', '"', '\'', '?', '$':
		return []byte{e}, 2, ""
	case 'x':
		v, i := 0, 2
		for i < len(s) && i < 4 && isHexDigit(s[i]) {
			v = v*16 + hexVal(s[i])
			i++
		}
		if i == 2 {
			return nil, 0, `bad escape "\x" in string: expected hex digits`
		}
		return []byte{byte(v)}, i, ""
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v, i := 0, 1
		for i < len(s) && i < 4 && s[i] >= '0' && s[i] <= '7' {
			v = v*8 + int(s[i]-'0')
			i++
		}
		if v > 255 {
			return nil, 0, fmt.Sprintf(`bad escape %q in string: octal value above \377`, s[:i])
		}
		return []byte{byte(v)}, i, ""
	default:
		return []byte{'\\', e}, 2, ""
	}
}

// hexVal is the value of a hex digit.
func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 0
}
