package probefile

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decode turns a probe file's bytes into text with "\n" line ends. Real
// files mix encodings: valid UTF-8 sequences are read as UTF-8 and any other
// byte as Latin-1 (the © of copyright lines written by a Mac or Windows
// editor), so no byte is ever lost or rejected. A UTF-16 file (with its byte
// order mark) is decoded as such; CRLF and old-Mac CR line ends become LF.
func decode(data []byte) string {
	var s string
	switch {
	case len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF):
		s = decodeUTF16(data[2:], data[0] == 0xFE)
	case utf8.Valid(data):
		s = string(data)
	default:
		var b strings.Builder
		b.Grow(len(data) + len(data)/8)
		for len(data) > 0 {
			r, n := utf8.DecodeRune(data)
			if r == utf8.RuneError && n <= 1 {
				r, n = rune(data[0]), 1 // Latin-1
			}
			b.WriteRune(r)
			data = data[n:]
		}
		s = b.String()
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

// StripComments removes the <!-- ... --> comments of text (which may span
// lines), for renderers of the IMML sections that keep them as written.
func StripComments(text string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, "<!--")
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		j := strings.Index(text[i+4:], "-->")
		if j < 0 {
			return b.String()
		}
		text = text[i+4+j+3:]
	}
}

// commentStripper removes <!-- --> comments from successive lines, keeping
// track of a comment that spans lines. Comment marks inside double-quoted
// strings are text when quoteAware is set.
type commentStripper struct {
	in         bool // inside a comment
	quoteAware bool
}

// strip returns line without its comments.
func (c *commentStripper) strip(line string) string {
	if !c.in && !strings.Contains(line, "<!--") {
		return line
	}
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(line); i++ {
		if c.in {
			if strings.HasPrefix(line[i:], "-->") {
				c.in = false
				i += 2
			}
			continue
		}
		ch := line[i]
		switch {
		case inQuote && ch == '\\' && i+1 < len(line):
			b.WriteByte(ch)
			i++
			ch = line[i]
		case c.quoteAware && ch == '"':
			inQuote = !inQuote
		case !inQuote && strings.HasPrefix(line[i:], "<!--"):
			c.in = true
			i += 3
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// isDashComment reports whether a trimmed line is a "--" comment line.
func isDashComment(trimmed string) bool {
	return strings.HasPrefix(trimmed, "--") && !strings.HasPrefix(trimmed, "-->")
}

// quoteEnd returns the index just past the string literal that starts at
// s[i] (a quote character), honouring backslash escapes, or -1 when it is
// not closed on this line.
func quoteEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return -1
}

// splitTop splits s at each sep that is outside string literals (delimited
// by any byte of quotes) and outside (), [] and {} groups, so that
// `name, sprintf("%d,%d", $a, $b), CALCULATION` has three fields. The
// second result is false when a string literal is not closed.
func splitTop(s string, sep byte, quotes string) ([]string, bool) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case strings.IndexByte(quotes, ch) >= 0:
			end := quoteEnd(s, i)
			if end < 0 {
				return append(out, s[start:]), false
			}
			i = end - 1
		case ch == '(' || ch == '[' || ch == '{':
			depth++
		case ch == ')' || ch == ']' || ch == '}':
			if depth > 0 {
				depth--
			}
		case ch == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:]), true
}

// unquote returns the text of s when s (already trimmed) is exactly one
// string literal in double or single quotes, with \" (or \') turned into the
// quote; other backslashes are kept, for IMML and macros need them.
func unquote(s string) (string, bool) {
	if len(s) < 2 || (s[0] != '"' && s[0] != '\'') || quoteEnd(s, 0) != len(s) {
		return s, false
	}
	q := s[:1]
	return strings.ReplaceAll(s[1:len(s)-1], `\`+q, q), true
}

// quotedValue reads the value that starts s (trimmed on the left): a string
// literal, whose text and the rest of the line after it are returned, or a
// bare word running to the end of the line. ok is false for a literal that
// is not closed.
func quotedValue(s string) (val, rest string, quoted, ok bool) {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return strings.TrimSpace(s), "", false, true
	}
	end := quoteEnd(s, 0)
	if end < 0 {
		return s, "", true, false
	}
	v, _ := unquote(s[:end])
	return v, strings.TrimSpace(s[end:]), true, true
}

// isTrailingComment reports whether rest (the text after a value) is a
// comment: "#", "--", "//" or ";" comments as real files write them.
func isTrailingComment(rest string) bool {
	return rest == "" || rest[0] == '#' || rest[0] == ';' ||
		strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "//")
}

// cutBareComment removes a trailing " -- comment" or " // comment" from an
// unquoted value. The mark must stand alone between white space, so that
// URLs, negative numbers and "--option" arguments survive.
func cutBareComment(v string) string {
	for i := 0; i+3 <= len(v); i++ {
		if v[i] != ' ' && v[i] != '\t' {
			continue
		}
		mark := v[i+1 : i+3]
		if (mark == "--" || mark == "//") && (i+3 == len(v) || v[i+3] == ' ' || v[i+3] == '\t') {
			return strings.TrimSpace(v[:i])
		}
	}
	return strings.TrimSpace(v)
}

// suggest returns the candidate closest to word when it is close enough to
// be a likely typo, for "did you mean" hints; "" otherwise.
func suggest(word string, candidates []string) string {
	w := strings.ToUpper(word)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(w, strings.ToUpper(c)); d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(w)/3)
	if bestD == 0 || bestD > limit {
		return ""
	}
	return best
}

func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20 // not a typo of a keyword
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
