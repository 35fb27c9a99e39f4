package tcpscript

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// berNode is one element of a BSND/BRCV template:
//
//	{ a, b, ... }   SEQUENCE (or the [tag] given), "..." skips the rest (BRCV)
//	#5              INTEGER 5 (BRCV: must equal 5)
//	#NAME           BRCV: store the INTEGER in variable NAME
//	"text"          OCTET STRING (BRCV: store the value in variable "text"; "" ignores it)
//	[60] elem       the element's identifier octet, in hex
//	["NAME"] elem   BRCV: store the identifier octet (decimal) in variable NAME
//
// Text and numbers may contain macros, expanded when the command runs.
type berNode struct {
	tag    int // identifier octet, or -1 for the default
	tagVar string
	kind   byte // '{' constructed, '#' integer, '"' string, '.' rest
	text   string
	kids   []*berNode
}

// maxBERDepth bounds template nesting.
const maxBERDepth = 32

// parseBERArg parses the template at the start of s and returns the text after it.
func parseBERArg(s string) (*berNode, string, error) {
	p := &berParser{s: s}
	p.space()
	if p.i >= len(s) || (s[p.i] != '{' && s[p.i] != '[') {
		return nil, s, errors.New("missing BER template { ... }")
	}
	n, err := p.elem(0)
	if err != nil {
		return nil, s, err
	}
	return n, s[p.i:], nil
}

type berParser struct {
	s string
	i int
}

func (p *berParser) space() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *berParser) errorf(format string, a ...any) error {
	return fmt.Errorf("BER template: %s", fmt.Sprintf(format, a...))
}

func (p *berParser) elem(depth int) (*berNode, error) {
	if depth > maxBERDepth {
		return nil, p.errorf("nested too deeply")
	}
	n := &berNode{tag: -1}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '[' {
		end := strings.IndexByte(p.s[p.i:], ']')
		if end < 0 {
			return nil, p.errorf("missing ]")
		}
		t := strings.TrimSpace(p.s[p.i+1 : p.i+end])
		p.i += end + 1
		if strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) >= 2 {
			n.tagVar = t[1 : len(t)-1]
		} else if v, err := strconv.ParseUint(t, 16, 8); err == nil {
			n.tag = int(v)
		} else {
			return nil, p.errorf("bad tag [%s]", t)
		}
		p.space()
	}
	if p.i >= len(p.s) {
		return nil, p.errorf("missing value")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		n.kind = '{'
		p.i++
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return n, nil
			}
			if len(n.kids) > 0 {
				if p.i >= len(p.s) || p.s[p.i] != ',' {
					return nil, p.errorf("expected , or }")
				}
				p.i++
			}
			kid, err := p.elem(depth + 1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
	case c == '"':
		body, used, ok := scanQuoted(p.s[p.i:])
		if !ok {
			return nil, p.errorf("unterminated string")
		}
		n.kind, n.text = '"', body
		p.i += used
	case c == '#':
		word, used := scanBERWord(p.s[p.i+1:])
		if word == "" {
			return nil, p.errorf("missing number after #")
		}
		n.kind, n.text = '#', word
		p.i += 1 + used
	case strings.HasPrefix(p.s[p.i:], "..."):
		n.kind = '.'
		p.i += 3
	default:
		return nil, p.errorf("unexpected %q", c)
	}
	return n, nil
}

// scanBERWord reads a number or variable name, which may hold ${...}.
func scanBERWord(s string) (string, int) {
	i := 0
	for i < len(s) && !isSpace(s[i]) && s[i] != ',' && s[i] != '}' {
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

// berEnv is what encoding and matching need from a run.
type berEnv interface {
	expand(body string, regex bool) string
	expandMacros(s string) string
}

// encode builds the BER bytes of a BSND template.
func (n *berNode) encode(env berEnv) []byte {
	var tag byte
	var content []byte
	switch n.kind {
	case '{':
		tag = 0x30
		for _, k := range n.kids {
			if k.kind != '.' {
				content = append(content, k.encode(env)...)
			}
		}
	case '#':
		tag = 0x02
		content = berInt(parseNum(env.expandMacros(n.text)))
	default:
		tag = 0x04
		content = []byte(env.expand(n.text, false))
	}
	if n.tag >= 0 {
		tag = byte(n.tag)
	}
	return append(append([]byte{tag}, berLen(len(content))...), content...)
}

// berInt is the minimal two's-complement encoding of v.
func berInt(v int64) []byte {
	b := []byte{byte(v)}
	for v > 127 || v < -128 {
		v >>= 8
		b = append([]byte{byte(v)}, b...)
	}
	return b
}

func berLen(n int) []byte {
	if n < 128 {
		return []byte{byte(n)}
	}
	var b []byte
	for ; n > 0; n >>= 8 {
		b = append([]byte{byte(n)}, b...)
	}
	return append([]byte{0x80 | byte(len(b))}, b...)
}

// berLength returns the total size of the BER element at the start of b,
// once its header has arrived.
func berLength(b []byte) (int, bool) {
	_, hdr, length, ok := berHeader(b)
	if !ok {
		return 0, false
	}
	if length < 0 {
		return maxBER + 1, true
	}
	return hdr + length, true
}

// berHeader decodes an identifier and length: the first identifier octet,
// the header size and the content length (-1 when unusable).
func berHeader(b []byte) (tag byte, hdr, length int, ok bool) {
	if len(b) < 2 {
		return 0, 0, 0, false
	}
	tag, i := b[0], 1
	if tag&0x1f == 0x1f {
		for i < len(b) && b[i]&0x80 != 0 {
			i++
		}
		i++
		if i >= len(b) {
			return 0, 0, 0, false
		}
	}
	l := int(b[i])
	i++
	if l < 0x80 {
		return tag, i, l, true
	}
	nb := l & 0x7f
	if nb == 0 || nb > 4 {
		return tag, i, -1, true
	}
	if len(b) < i+nb {
		return 0, 0, 0, false
	}
	l = 0
	for _, c := range b[i : i+nb] {
		l = l<<8 | int(c)
	}
	return tag, i + nb, l, true
}

// match checks a received BER message against a BRCV template and
// collects the variables it names.
func (n *berNode) match(env berEnv, data []byte, set map[string]string) (rest []byte, ok bool) {
	tag, hdr, length, ok := berHeader(data)
	if !ok || length < 0 || hdr+length > len(data) {
		return nil, false
	}
	content, rest := data[hdr:hdr+length], data[hdr+length:]
	if n.tag >= 0 && byte(n.tag) != tag {
		return nil, false
	}
	if n.tagVar != "" {
		set[env.expandMacros(n.tagVar)] = strconv.Itoa(int(tag))
	}
	constructed := tag&0x20 != 0
	switch n.kind {
	case '{':
		if !constructed {
			return nil, false
		}
		for _, k := range n.kids {
			if k.kind == '.' {
				break
			}
			if content, ok = k.match(env, content, set); !ok {
				return nil, false
			}
		}
	case '#':
		if constructed || len(content) > 8 {
			return nil, false
		}
		v := int64(0)
		if len(content) > 0 && content[0]&0x80 != 0 {
			v = -1
		}
		for _, c := range content {
			v = v<<8 | int64(c)
		}
		want := env.expandMacros(n.text)
		if isNumber(want) {
			if parseNum(want) != v {
				return nil, false
			}
		} else {
			set[want] = strconv.FormatInt(v, 10)
		}
	case '"':
		if constructed {
			return nil, false
		}
		if name := env.expand(n.text, false); name != "" {
			set[name] = string(content)
		}
	}
	return rest, true
}
