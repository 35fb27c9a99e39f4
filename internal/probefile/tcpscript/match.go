package tcpscript

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// compilePattern compiles an expanded regular expression. Bytes that are
// not UTF-8 (Latin-1 probe files) become U+FFFD, which is how the regexp
// engine sees such bytes in the data.
func compilePattern(text string, icase bool) (*regexp.Regexp, error) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if icase {
		text = "(?i)" + text
	}
	return regexp.Compile(text)
}

// pattern is an expanded MTCH/EXPT/SKIP/SBNE operand.
type pattern struct {
	text  string // as expanded, for ${_STRINGTOMATCH} and messages
	re    *regexp.Regexp
	icase bool
}

// find reports whether data matches and returns the regexp groups.
func (p pattern) find(data []byte) (bool, []string) {
	if p.re != nil {
		m := p.re.FindSubmatch(data)
		if m == nil {
			return false, nil
		}
		groups := make([]string, len(m)-1)
		for i, g := range m[1:] {
			groups[i] = string(g)
		}
		return true, groups
	}
	if p.icase {
		return bytes.Contains(asciiLower(data), asciiLower([]byte(p.text))), nil
	}
	return bytes.Contains(data, []byte(p.text)), nil
}

// equal is SBNE's comparison: whole-string equality, or a regexp match.
func (p pattern) equal(s string) (bool, []string) {
	if p.re != nil {
		return p.find([]byte(s))
	}
	if p.icase {
		return strings.EqualFold(s, p.text), nil
	}
	return s == p.text, nil
}

// asciiLower lower-cases ASCII letters only, so 8-bit data is left alone.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
