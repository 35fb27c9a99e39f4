package tcpscript

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// step executes the statement at pc and returns the next line index.
func (r *runner) step(pc int, st *stmt) int {
	a := st.args
	next := pc + 1
	switch st.cmd {
	case "CONN":
		return r.doConn(pc, st)
	case "FAIL":
		r.failH = handler{set: true, a: a[0], base: pc}
	case "PORT":
		if r.o.Port == 0 && r.conn == nil {
			r.port = int(r.num(a[0]))
		}
	case "WAIT", "IDLE":
		r.idle = r.seconds(a[0], DefaultIdle)
		if a[1].ok {
			r.idleH = handler{set: true, a: a[1], base: pc}
		}
		if st.cmd == "WAIT" && a[2].ok {
			r.discH = handler{set: true, a: a[2], base: pc}
		}
	case "DISC":
		r.discH = handler{set: a[0].ok, a: a[0], base: pc}
	case "SEND":
		r.secret = false
		return r.doSend(pc, st, []byte(r.expand(a[0].tok.text, false)))
	case "BSND":
		r.secret = false
		return r.doSend(pc, st, st.ber.encode(r))
	case "MTCH", "EXPT", "SKIP":
		return r.doMatch(pc, st)
	case "NEXT":
		r.discard()
	case "LINE":
		r.setMode(a[0].tok)
	case "RCON":
		if !r.connect(st, DefaultConnect) {
			return r.connFailed(pc)
		}
	case "BRCV":
		u, err := r.current()
		if err != nil {
			return r.ioFail(pc, st, err, a[0])
		}
		set := map[string]string{}
		if _, ok := st.ber.match(r, u, set); !ok {
			r.idleLine = st.line
			return r.jump(a[0], pc, fmt.Sprintf("BRCV: unexpected reply (line %d)", st.line))
		}
		for k, v := range set {
			r.set(k, v)
		}
	case "RECV":
		u, err := r.current()
		if err != nil {
			return r.ioFail(pc, st, err, arg{})
		}
		r.set(r.expand(a[0].tok.text, false), string(u))
	case "RTPO":
		r.end("DOWN", fmt.Sprintf("RTPO is not supported (line %d)", st.line))
	case "GOTO":
		return r.jump(a[0], pc, fmt.Sprintf("GOTO #0 (line %d)", st.line))
	case "CHCK":
		if r.expand(a[0].tok.text, false) == "" {
			return r.jump(a[1], pc, fmt.Sprintf("CHCK: empty string (line %d)", st.line))
		}
	case "SBNE":
		s := r.expand(a[0].tok.text, false)
		p, err := r.pattern(a[1])
		if err != nil {
			r.end("DOWN", fmt.Sprintf("SBNE: %v (line %d)", err, st.line))
			return next
		}
		eq, groups := p.equal(s)
		if p.re != nil {
			r.groups = groups
		}
		if !eq {
			return r.jump(a[2], pc, fmt.Sprintf("SBNE: %q differs from %q (line %d)", s, p.text, st.line))
		}
	case "NBNE", "NBGT", "NBLT":
		x, y := r.num(a[0]), r.num(a[1])
		if (st.cmd == "NBNE" && x != y) || (st.cmd == "NBGT" && x > y) || (st.cmd == "NBLT" && x < y) {
			return r.jump(a[2], pc, fmt.Sprintf("%s %d %d (line %d)", st.cmd, x, y, st.line))
		}
	case "STAT":
		if s, ok := r.statusArg(a[0], st); ok {
			r.statStatus, r.statReason = s, r.optString(a[1])
		}
	case "DONE":
		msg := r.optString(a[1])
		if !a[1].ok && r.statReason == "" {
			msg = r.connErr // "DONE DOWN" in a FAIL handler: the connection error
		}
		if !a[0].ok {
			r.exit(msg)
		} else if s, ok := r.statusArg(a[0], st); ok {
			r.end(s, msg)
		}
	case "EXIT":
		r.exit("")
	case "STOR":
		r.set(r.expand(a[0].tok.text, false), r.value(a[1]))
	case "SCAT":
		name := r.expand(a[0].tok.text, false)
		v := r.vals[strings.ToLower(name)] + r.expand(a[1].tok.text, false)
		if len(v) > maxVar {
			return r.jump(a[2], pc, fmt.Sprintf("SCAT: %q would exceed %d bytes (line %d)", name, maxVar, st.line))
		}
		r.set(name, v)
	case "NADD":
		name := r.expand(a[0].tok.text, false)
		n := parseNum(r.vals[strings.ToLower(name)])
		r.set(name, strconv.FormatInt(addClamp(n, r.num(a[1])), 10))
	case "EVAL":
		if _, err := r.evaluate(st.expr, st.parsed); err != nil {
			r.note("EVAL at line %d: %v", st.line, err)
		}
	case "STRT":
		r.timer = r.now()
	case "TIME":
		ms := int64(0)
		if !r.timer.IsZero() {
			ms = r.now().Sub(r.timer).Milliseconds()
		}
		r.set(r.expand(a[0].tok.text, false), strconv.FormatInt(ms, 10))
	}
	return next
}

// doConn connects; a FAIL right after CONN says where to go on failure.
func (r *runner) doConn(pc int, st *stmt) int {
	r.flags = st.conn
	for j := pc + 1; j < len(r.s.lines); j++ {
		if f := &r.s.lines[j]; f.cmd != "" {
			if f.cmd == "FAIL" {
				r.failH = handler{set: true, a: f.args[0], base: j}
			}
			break
		}
	}
	timeout := DefaultConnect
	if st.args[0].ok {
		timeout = r.seconds(st.args[0], DefaultConnect)
	}
	if !r.connect(st, timeout) {
		return r.connFailed(pc)
	}
	return pc + 1
}

// connFailed routes a failed connection to the FAIL handler, or ends DOWN.
func (r *runner) connFailed(pc int) int {
	if r.ctx.Err() != nil {
		r.stopped(&r.s.lines[pc])
		return pc
	}
	if r.failH.set {
		return r.jump(r.failH.a, r.failH.base, r.why)
	}
	r.end("DOWN", r.why)
	return pc
}

// doSend writes data; a lost connection goes to the DISC handler, or is
// noticed by the next read.
func (r *runner) doSend(pc int, st *stmt, data []byte) int {
	if err := r.write(data); err != nil {
		r.note("send failed: %v", err)
		if r.discH.set {
			r.idleLine = st.line
			return r.jump(r.discH.a, r.discH.base, fmt.Sprintf("Disconnected (line %d)", st.line))
		}
	}
	return pc + 1
}

// doMatch runs MTCH (test the current line), EXPT (read until a line
// matches) and SKIP (read past lines that match).
func (r *runner) doMatch(pc int, st *stmt) int {
	p, err := r.pattern(st.args[0])
	if err != nil {
		r.end("DOWN", fmt.Sprintf("%s: %v (line %d)", st.cmd, err, st.line))
		return pc
	}
	r.toMatch = p.text
	r.groups = nil
	var carry []byte
	for {
		u, err := r.current()
		if err != nil {
			return r.ioFail(pc, st, err, st.args[1])
		}
		if carry != nil {
			u = append(carry, u...)
			r.cur = u
		}
		ok, groups := p.find(u)
		switch {
		case st.cmd == "SKIP" && !ok:
			return pc + 1
		case st.cmd != "SKIP" && ok:
			r.groups = groups
			return pc + 1
		case st.cmd == "MTCH":
			r.idleLine = st.line
			return r.jump(st.args[1], pc, fmt.Sprintf("MTCH %q failed on %q (line %d)", p.text, abbreviate(r.lastLine, 60), st.line))
		}
		if r.mode == modeRaw && st.cmd == "EXPT" {
			// Keep the end of a block so a string split across two reads is found.
			carry = append([]byte(nil), u[max(0, len(u)-maxUnit/4):]...)
		}
		r.discard()
		if r.reads++; r.reads > r.o.MaxSteps*10 {
			r.end("DOWN", fmt.Sprintf("%s read too many lines (line %d)", st.cmd, st.line))
			return pc
		}
	}
}

// ioFail routes a failed read: the overall timeout ends the run; an idle
// timeout goes to the idle handler, else to the statement's own target;
// a closed connection goes to the DISC handler, else to the target.
func (r *runner) ioFail(pc int, st *stmt, err error, target arg) int {
	if r.ctx.Err() != nil || (!r.deadline.IsZero() && !time.Now().Before(r.deadline)) {
		r.stopped(st)
		return pc
	}
	r.idleLine = st.line
	expecting := ""
	if st.cmd == "EXPT" || st.cmd == "MTCH" || st.cmd == "SKIP" {
		expecting = fmt.Sprintf(" while waiting for %q", r.toMatch)
	}
	if errors.Is(err, errIdle) {
		r.note("no data for %s", r.idle)
		why := fmt.Sprintf("No data for %d seconds%s (line %d)", int(r.idle/time.Second), expecting, st.line)
		if r.idleH.set {
			return r.jump(r.idleH.a, r.idleH.base, why)
		}
		if target.ok {
			return r.jump(target, pc, why)
		}
		r.end("DOWN", why)
		return pc
	}
	r.note("connection closed: %v", err)
	why := fmt.Sprintf("Connection closed%s (line %d)", expecting, st.line)
	if r.discH.set {
		return r.jump(r.discH.a, r.discH.base, why)
	}
	if target.ok {
		return r.jump(target, pc, why)
	}
	r.end("DOWN", why)
	return pc
}

// jump returns the line a target names; "#0" (or a missing target)
// returns stopDown with why as the reason.
func (r *runner) jump(a arg, base int, why string) int {
	r.why = why
	if a.static || !a.ok {
		if !a.ok {
			return stopDown
		}
		return a.tgt
	}
	t := a.tok
	t.text = strings.TrimSuffix(strings.TrimSpace(r.expandMacros(t.text)), ":")
	if t.kind == tWord { // a variable holding "@LABEL" or "#n"
		switch {
		case strings.HasPrefix(t.text, "@"):
			t.kind, t.text = tLabel, t.text[1:]
		case strings.HasPrefix(t.text, "#"):
			t.kind, t.text = tNum, t.text[1:]
		case t.text != "" && (t.text[0] == '+' || t.text[0] == '-' || ('0' <= t.text[0] && t.text[0] <= '9')):
			t.kind = tNum
		default:
			t.kind = tLabel
		}
	}
	if t.kind == tNum && !isNumber(t.text) {
		t.text = strconv.FormatInt(parseNum(t.text), 10)
	}
	idx, err := r.s.resolveTarget(base, t)
	if err != nil {
		r.why = fmt.Sprintf("%v (line %d)", err, r.s.lines[base].line)
		return stopDown
	}
	return idx
}

// pattern expands a match operand; regular expressions with macros are
// compiled once per run and text.
func (r *runner) pattern(a arg) (pattern, error) {
	p := pattern{text: r.expand(a.tok.text, a.tok.regex), icase: a.tok.icase, re: a.re}
	if a.tok.regex && p.re == nil {
		key := p.text
		if p.icase {
			key = "(?i)" + key
		}
		if re, ok := r.regexps[key]; ok {
			p.re = re
			return p, nil
		}
		re, err := compilePattern(p.text, a.tok.icase)
		if err != nil {
			return p, fmt.Errorf("bad regular expression %q: %v", p.text, err)
		}
		if len(r.regexps) < 64 {
			if r.regexps == nil {
				r.regexps = map[string]*regexp.Regexp{}
			}
			r.regexps[key] = re
		}
		p.re = re
	}
	return p, nil
}

// setMode is LINE ON/OFF/HTML/BER/#n.
func (r *runner) setMode(t token) {
	w := strings.ToUpper(r.expandMacros(t.text))
	switch {
	case t.kind == tNum || isNumber(w):
		n := parseNum(w)
		switch {
		case n <= 0:
			r.mode = modeRaw
		default:
			r.mode, r.fixed = modeFixed, int(min(n, maxBER))
		}
	case w == "OFF":
		r.mode = modeRaw
	case w == "BER":
		r.mode = modeBER
	default:
		r.mode = modeLine
	}
}

// statusArg expands a status operand; a bad one ends the run.
func (r *runner) statusArg(a arg, st *stmt) (string, bool) {
	w := r.expandMacros(a.tok.text)
	s, ok := parseStatus(w)
	if !ok {
		r.end("DOWN", fmt.Sprintf("%s: bad status %q (line %d)", st.cmd, w, st.line))
	}
	return s, ok
}

func (r *runner) optString(a arg) string {
	if !a.ok {
		return ""
	}
	return r.expand(a.tok.text, false)
}

// value is STOR's value: a string, a #number converted, or a bare word.
func (r *runner) value(a arg) string {
	switch a.tok.kind {
	case tString:
		return r.expand(a.tok.text, false)
	case tNum:
		return strconv.FormatInt(r.num(a), 10)
	}
	return r.expandMacros(a.tok.text)
}

// num is a numeric operand's value.
func (r *runner) num(a arg) int64 {
	if a.tok.kind == tString {
		return parseNum(r.expand(a.tok.text, false))
	}
	return parseNum(r.expandMacros(a.tok.text))
}

// seconds is a timeout operand; zero or less means def.
func (r *runner) seconds(a arg, def time.Duration) time.Duration {
	n := r.num(a)
	if n <= 0 {
		return def
	}
	return time.Duration(min(n, 86400)) * time.Second
}

// parseNum converts text to an integer as InterMapper does: optional
// spaces and sign, then digits up to the first non-digit; otherwise 0.
func parseNum(s string) int64 {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	for i := 0; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		if v > (math.MaxInt64-9)/10 {
			v = math.MaxInt64
			break
		}
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		return -v
	}
	return v
}

// addClamp adds without overflowing.
func addClamp(a, b int64) int64 {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		if b > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}
