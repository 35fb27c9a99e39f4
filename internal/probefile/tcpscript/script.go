package tcpscript

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile/expr"
)

// ParseError is a problem in a script, at a line of the probe file.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// maxErrors caps how many problems Parse reports for one script.
const maxErrors = 20

// Script is a parsed <script> section. It is immutable and may be run by
// many goroutines at once.
type Script struct {
	lines   []stmt
	labels  map[string]int // upper-case name → line index
	hasConn bool
}

// stmt is one line of the script; cmd is empty for blank, comment and label lines.
type stmt struct {
	cmd  string
	line int // line in the probe file
	text string
	args []arg
	// conn holds CONN's flags.
	conn connFlags
	// ber is BSND's or BRCV's template.
	ber *berNode
	// expr is EVAL's expression, parsed.
	expr   string
	parsed *expr.Expr
}

// arg is one bound operand.
type arg struct {
	ok  bool
	tok token
	// tgt is a jump target resolved at parse time (when ok and the token
	// has no macro): a line index, end (len(lines)) or stopDown.
	tgt    int
	static bool
	re     *regexp.Regexp // compiled pattern when static
}

// stopDown is the target "#0": end the script as DOWN.
const stopDown = -1

// connFlags are CONN's options.
type connFlags struct {
	telnet, secure, anonymous bool
}

// opKind says what an operand position accepts.
type opKind uint8

const (
	oStr    opKind = iota // "string"
	oNum                  // #n, "n", ${var}
	oTarget               // #n, #+n, @LABEL
	oStatus               // OKAY WARN ALRM CRIT DOWN
	oWord                 // ON, OFF, #n (LINE)
	oValue                // "string", #n or a bare word (STOR "x" 0)
)

type operand struct {
	kind opKind
	opt  bool
}

// signature returns the operands of a command and whether it exists.
func signature(cmd string) ([]operand, bool) {
	req := func(k opKind) operand { return operand{kind: k} }
	opt := func(k opKind) operand { return operand{kind: k, opt: true} }
	switch cmd {
	case "NEXT", "RCON", "EXIT", "STRT", "RTPO":
		return nil, true
	case "CONN":
		return []operand{opt(oNum)}, true
	case "FAIL", "GOTO":
		return []operand{req(oTarget)}, true
	case "PORT":
		return []operand{req(oNum), opt(oNum)}, true
	case "WAIT":
		return []operand{req(oNum), opt(oTarget), opt(oTarget)}, true
	case "IDLE":
		return []operand{req(oNum), opt(oTarget)}, true
	case "DISC":
		return []operand{opt(oTarget)}, true
	case "SEND", "RECV", "TIME":
		return []operand{req(oStr)}, true
	case "MTCH", "EXPT", "SKIP", "CHCK":
		return []operand{req(oStr), opt(oTarget)}, true
	case "LINE":
		return []operand{req(oWord)}, true
	case "BSND", "EVAL":
		return nil, true
	case "BRCV":
		return []operand{opt(oTarget)}, true
	case "SBNE", "SCAT":
		return []operand{req(oStr), req(oStr), opt(oTarget)}, true
	case "NBNE", "NBGT", "NBLT":
		return []operand{req(oNum), req(oNum), opt(oTarget)}, true
	case "STAT":
		return []operand{req(oStatus), opt(oStr)}, true
	case "DONE":
		return []operand{opt(oStatus), opt(oStr)}, true
	case "STOR":
		return []operand{req(oStr), req(oValue)}, true
	case "NADD":
		return []operand{req(oStr), req(oNum)}, true
	}
	return nil, false
}

// commandNames lists every command, for suggestions.
func commandNames() []string {
	return []string{"BRCV", "BSND", "CHCK", "CONN", "DISC", "DONE", "EVAL", "EXIT", "EXPT", "FAIL",
		"GOTO", "IDLE", "LINE", "MTCH", "NADD", "NBGT", "NBLT", "NBNE", "NEXT", "PORT", "RCON", "RECV",
		"RTPO", "SBNE", "SCAT", "SEND", "SKIP", "STAT", "STOR", "STRT", "TIME", "WAIT"}
}

// accepts reports whether a token can fill an operand of kind k.
func accepts(k opKind, t token) bool {
	switch k {
	case oStr:
		return t.kind == tString
	case oNum:
		return t.kind == tNum || t.kind == tString ||
			(t.kind == tWord && (t.hasMacro() || isNumber(t.text)))
	case oTarget:
		return t.kind == tNum || t.kind == tLabel || (t.kind == tWord && t.hasMacro()) // GOTO ${RET}
	case oStatus:
		_, ok := parseStatus(t.text)
		return t.kind == tWord && (ok || strings.HasPrefix(t.text, "${"))
	case oWord:
		return t.kind == tWord || t.kind == tNum
	case oValue:
		return true
	}
	return false
}

func isNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	_, err := strconv.Atoi(s)
	return err == nil
}

// Parse parses the text of a <script> section whose first line is line
// firstLine of the probe file. Errors name the file line and the reason.
func Parse(src string, firstLine int) (*Script, error) {
	raw := strings.Split(src, "\n")
	for len(raw) > 0 && strings.TrimSpace(raw[0]) == "" {
		raw = raw[1:]
		firstLine++
	}
	for len(raw) > 0 && strings.TrimSpace(raw[len(raw)-1]) == "" {
		raw = raw[:len(raw)-1]
	}
	s := &Script{lines: make([]stmt, len(raw)), labels: map[string]int{}}
	var errs []error
	fail := func(line int, format string, a ...any) {
		if len(errs) < maxErrors {
			errs = append(errs, &ParseError{Line: line, Msg: fmt.Sprintf(format, a...)})
		}
	}
	// First pass: labels and commands.
	toks := make([][]token, len(raw))
	inComment := false
	for i, text := range raw {
		text = strings.TrimRight(text, "\r")
		st := &s.lines[i]
		st.line, st.text = firstLine+i, strings.TrimSpace(text)
		if inComment {
			inComment = !strings.Contains(text, "-->")
			continue
		}
		word, n := scanWord(st.text)
		switch {
		case word == "":
		case strings.HasPrefix(word, "<!--"):
			inComment = !strings.Contains(st.text[4:], "-->")
		case strings.HasPrefix(word, "#"), strings.HasPrefix(word, "--"), strings.HasPrefix(word, "//"):
		case strings.HasPrefix(word, "@"):
			name := strings.ToUpper(strings.TrimSuffix(word[1:], ":"))
			if name == "" {
				fail(st.line, "empty label")
			} else if prev, dup := s.labels[name]; dup {
				fail(st.line, "duplicate label @%s (first at line %d)", name, s.lines[prev].line)
			} else {
				s.labels[name] = i
			}
		default:
			if _, ok := signature(word); !ok {
				fail(st.line, "unknown command %q%s", abbreviate(word, 20), suggest(word))
				continue
			}
			st.cmd = word
			rest := st.text[n:]
			var err error
			switch word {
			case "EVAL":
				st.expr = strings.TrimSpace(rest)
				if st.expr == "" {
					fail(st.line, "EVAL: missing expression")
				} else if st.parsed, err = expr.Parse(st.expr); err != nil {
					fail(st.line, "EVAL: %v", err)
				}
				continue
			case "BSND", "BRCV":
				st.ber, rest, err = parseBERArg(rest)
				if err != nil {
					fail(st.line, "%s: %v", word, err)
					continue
				}
			}
			toks[i], inComment, err = tokenize(rest)
			if err != nil {
				fail(st.line, "%s: %v", word, err)
				st.cmd = ""
			}
		}
	}
	// Second pass: bind operands and check them.
	for i := range s.lines {
		if st := &s.lines[i]; st.cmd != "" {
			if st.cmd == "CONN" {
				s.hasConn = true
			}
			if err := s.bind(i, toks[i]); err != nil {
				fail(st.line, "%s: %v", st.cmd, err)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// bind assigns the tokens of line i to its command's operands: each token
// fills the first operand that accepts it (optional operands may be
// skipped); tokens that fit nowhere ("else", "goto", "-1-") are ignored.
func (s *Script) bind(i int, toks []token) error {
	st := &s.lines[i]
	sig, _ := signature(st.cmd)
	st.args = make([]arg, len(sig))
	next := 0
	if (st.cmd == "DONE" || st.cmd == "STAT") && len(toks) > 0 && toks[0].kind == tWord && !accepts(oStatus, toks[0]) {
		return fmt.Errorf("bad status %q (want OKAY, WARN, ALRM, CRIT or DOWN)", toks[0].text)
	}
	for _, t := range toks {
		if st.cmd == "CONN" && (t.kind == tString || t.kind == tWord) {
			switch strings.ToUpper(t.text) {
			case "TELNET":
				st.conn.telnet = true
				continue
			case "SECURE", "SECURE:NO_TLS", "SSL":
				st.conn.secure = true
				continue
			case "SECURE:ADH":
				st.conn.secure, st.conn.anonymous = true, true
				continue
			}
		}
		for j := next; j < len(sig); j++ {
			if accepts(sig[j].kind, t) {
				st.args[j] = arg{ok: true, tok: t}
				next = j + 1
				break
			}
			if !sig[j].opt {
				break
			}
		}
	}
	for j, op := range sig {
		a := &st.args[j]
		if !a.ok {
			if !op.opt {
				return fmt.Errorf("missing %s operand", kindName(op.kind))
			}
			if op.kind == oTarget {
				a.tgt, a.static = stopDown, true
			}
			continue
		}
		switch op.kind {
		case oTarget:
			if a.tok.hasMacro() {
				continue
			}
			tgt, err := s.resolveTarget(i, a.tok)
			if err != nil {
				return err
			}
			a.tgt, a.static = tgt, true
		case oStatus:
			if !a.tok.hasMacro() {
				a.tok.text, _ = parseStatus(a.tok.text)
			}
		case oWord:
			if st.cmd == "LINE" && a.tok.kind == tWord && !a.tok.hasMacro() {
				switch strings.ToUpper(a.tok.text) {
				case "ON", "OFF", "HTML", "BER":
				default:
					return fmt.Errorf("expected ON, OFF, HTML, BER or #bytes, not %q", a.tok.text)
				}
			}
		case oStr:
			if a.tok.regex && !a.tok.hasMacro() && isPatternArg(st.cmd, j) {
				re, err := compilePattern((&runner{}).expand(a.tok.text, true), a.tok.icase)
				if err != nil {
					return fmt.Errorf("bad regular expression %s: %v", a.tok, err)
				}
				a.re = re
			}
		}
	}
	return nil
}

// isPatternArg reports whether operand j of cmd is a match pattern.
func isPatternArg(cmd string, j int) bool {
	switch cmd {
	case "MTCH", "EXPT", "SKIP":
		return j == 0
	case "SBNE":
		return j == 1
	}
	return false
}

// resolveTarget turns a static jump target of line i into a line index.
func (s *Script) resolveTarget(i int, t token) (int, error) {
	text := t.text
	if rel, ok := relative(text); ok {
		return s.checkTarget(i+rel, t)
	}
	if t.kind == tLabel {
		if idx, ok := s.labels[strings.ToUpper(text)]; ok {
			return idx, nil
		}
		return 0, fmt.Errorf("unknown label %s", t)
	}
	if text == "" || text[0] < '0' || text[0] > '9' {
		return 0, fmt.Errorf("bad jump target %s", t)
	}
	n := int(min(parseNum(text), math.MaxInt32)) // "#4>" is 4, as numbers are read
	if n == 0 {
		return stopDown, nil
	}
	return s.checkTarget(n-1, t)
}

func (s *Script) checkTarget(idx int, t token) (int, error) {
	if idx < 0 || idx > len(s.lines) {
		return 0, fmt.Errorf("jump target %s is outside the script (%d lines)", t, len(s.lines))
	}
	return idx, nil
}

// relative parses "+n" or "-n" (trailing text ignored).
func relative(text string) (int, bool) {
	if len(text) < 2 || (text[0] != '+' && text[0] != '-') || text[1] < '0' || text[1] > '9' {
		return 0, false
	}
	return int(max(min(parseNum(text), math.MaxInt32), math.MinInt32)), true
}

func kindName(k opKind) string {
	switch k {
	case oStr:
		return "string"
	case oNum:
		return "number"
	case oTarget:
		return "jump target"
	case oStatus:
		return "status (OKAY, WARN, ALRM, CRIT or DOWN)"
	case oWord:
		return "mode"
	}
	return "value"
}

// parseStatus maps a status word to OKAY, WARN, ALRM, CRIT or DOWN.
func parseStatus(w string) (string, bool) {
	switch strings.ToUpper(w) {
	case "OKAY", "OK":
		return "OKAY", true
	case "WARN", "WARNING":
		return "WARN", true
	case "ALRM", "ALARM":
		return "ALRM", true
	case "CRIT", "CRITICAL":
		return "CRIT", true
	case "DOWN":
		return "DOWN", true
	}
	return "", false
}

// suggest proposes the closest command for an unknown one.
func suggest(word string) string {
	if len(word) > 8 {
		return ""
	}
	best, bestD := "", 3
	for _, c := range commandNames() {
		if strings.EqualFold(c, word) {
			return " (did you mean " + c + "? commands are upper-case)"
		}
		if d := editDistance(strings.ToUpper(word), c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the edit distance between a and b, counting a swap of
// two adjacent letters as one edit (SNED → SEND).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
