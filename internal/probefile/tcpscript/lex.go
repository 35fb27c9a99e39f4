package tcpscript

import (
	"fmt"
	"strings"
)

// tokKind is the lexical class of one statement operand.
type tokKind uint8

const (
	tWord   tokKind = iota // bare word: OKAY, ON, else, ${timeout}
	tString                // "..." (text keeps its backslash escapes)
	tNum                   // #30, #+2, #${Seconds to wait} (text without '#')
	tLabel                 // @IDLE, @+2 (text without '@', without a trailing ':')
)

// token is one operand of a statement.
type token struct {
	kind  tokKind
	text  string
	regex bool // "..."r or m"..."
	icase bool // "..."i
}

// String renders the token as the script wrote it (for messages).
func (t token) String() string {
	switch t.kind {
	case tString:
		s := `"` + t.text + `"`
		if t.regex {
			s += "r"
		}
		if t.icase {
			s += "i"
		}
		return s
	case tNum:
		return "#" + t.text
	case tLabel:
		return "@" + t.text
	}
	return t.text
}

// hasMacro reports whether the token's text needs substitution at run time.
func (t token) hasMacro() bool { return strings.Contains(t.text, "$") }

// tokenize splits the operands of a statement. Words in parentheses
// ("(connect timeout in secs)") are dropped, and "--" or "<!--" ends the
// statement. openComment reports a "<!--" left open on this line.
func tokenize(s string) (toks []token, openComment bool, err error) {
	paren := false
	for i := 0; ; {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return toks, false, nil
		}
		c := s[i]
		switch {
		case c == '"' || ((c == 'm' || c == 'M') && i+1 < len(s) && s[i+1] == '"'):
			start := i
			if c != '"' {
				i++
			}
			body, n, ok := scanQuoted(s[i:])
			if !ok {
				return toks, false, fmt.Errorf("unterminated string %s", abbreviate(s[start:], 40))
			}
			i += n
			t := token{kind: tString, text: body, regex: c != '"'}
			for i < len(s) && strings.IndexByte("irIR", s[i]) >= 0 {
				if s[i] == 'i' || s[i] == 'I' {
					t.icase = true
				} else {
					t.regex = true
				}
				i++
			}
			if !paren {
				toks = append(toks, t)
			}
			continue
		}
		word, n := scanWord(s[i:])
		i += n
		switch {
		case strings.HasPrefix(word, "<!--"):
			rest := s[i-n:]
			return toks, !strings.Contains(rest[4:], "-->"), nil
		case strings.HasPrefix(word, "--"):
			return toks, false, nil
		case paren:
			paren = !strings.HasSuffix(word, ")")
			continue
		case strings.HasPrefix(word, "("):
			paren = !strings.HasSuffix(word, ")")
			continue
		}
		switch {
		case strings.HasPrefix(word, "#"):
			toks = append(toks, token{kind: tNum, text: word[1:]})
		case strings.HasPrefix(word, "@"):
			toks = append(toks, token{kind: tLabel, text: strings.TrimSuffix(word[1:], ":")})
		default:
			toks = append(toks, token{kind: tWord, text: word})
		}
	}
}

// scanQuoted reads a double-quoted string at the start of s, returning its
// body with escapes intact and the bytes consumed.
func scanQuoted(s string) (body string, n int, ok bool) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[1:i], i + 1, true
		}
	}
	return "", 0, false
}

// maxBareMacro bounds the search for the end of a ${...} in a bare word.
const maxBareMacro = 256

// scanWord reads a bare word; a ${...} inside it may contain spaces.
func scanWord(s string) (string, int) {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if end := matchBrace(s[:min(len(s), i+maxBareMacro)], i+1); end > 0 {
				i = end + 1
				continue
			}
		}
		i++
	}
	return s[:i], i
}

// matchBrace returns the index of the '}' closing the '{' at s[open],
// counting nested braces, or -1. See braceMatches for many lookups.
func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// braceMatches returns, for each '{' of s, the index of its closing '}'
// (-1 when unclosed), in one pass.
func braceMatches(s string) map[int]int {
	var m map[int]int
	var stack []int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			stack = append(stack, i)
		case '}':
			if n := len(stack); n > 0 {
				if m == nil {
					m = map[int]int{}
				}
				m[stack[n-1]] = i
				stack = stack[:n-1]
			}
		}
	}
	return m
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// abbreviate shortens s for an error message.
func abbreviate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
