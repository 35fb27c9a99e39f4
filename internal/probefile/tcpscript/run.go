package tcpscript

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Defaults of a run.
const (
	DefaultTimeout    = 5 * time.Minute  // overall, when Options.Timeout is 0
	DefaultIdle       = 60 * time.Second // per read, until WAIT/IDLE says otherwise
	DefaultConnect    = 60 * time.Second // CONN without a timeout, or no CONN
	DefaultMaxSteps   = 10000
	DefaultVersion    = "6.0"
	transcriptLines   = 64
	transcriptLineLen = 200
)

// Evaluator runs an expression of the probe expression language for EVAL
// and ${eval:...}. vars holds the script's variables and parameters by
// lower-case name, and the regexp groups as "1", "2", …; an assignment
// (":=") stores into vars. It returns the value of the expression.
type Evaluator func(expr string, vars map[string]string) (string, error)

// Options are one run's device and limits.
type Options struct {
	Address string // device address (name or IP)
	Port    int    // the header's port_number or the device's "port" setting
	// Params are the probe's parameters by name as the file writes them
	// ("Password*", "Test[Equal,NotEqual]"), for ${Param Name}.
	Params map[string]string
	// Persistent are the variables of the device's previous run (its
	// Result.Vars): InterMapper keeps script variables between polls, and
	// scripts test them with defined("name"). _connect and _active are not
	// restored.
	Persistent map[string]string
	Timeout    time.Duration // overall; 0 means DefaultTimeout
	// Dial opens the connection; nil uses net.Dialer and crypto/tls with
	// TLSConfig.
	Dial Dialer
	// TLSConfig is the default dialer's TLS base configuration; nil
	// verifies the device's certificate (CONN "SECURE:ADH" never does).
	TLSConfig *tls.Config
	// Eval evaluates EVAL and ${eval:...}; nil uses the probe expression
	// language (internal/probefile/expr).
	Eval       Evaluator
	Version    string // ${_VERSION}; "" means DefaultVersion
	DeviceName string // ${DEVICENAME}
	MaxSteps   int    // statements executed at most; 0 means DefaultMaxSteps
	// Now is the clock of ${_GMTTIME}, STRT/TIME and the connection
	// timings; nil means time.Now. Timeouts always use real time.
	Now func() time.Time
}

// Result is how a run ended.
type Result struct {
	Status string // OKAY, WARN, ALRM, CRIT or DOWN
	Reason string // DONE's or STAT's message, macros expanded, or Vantage's own
	// Vars are the variables the script set (STOR, SCAT, NADD, TIME, BRCV,
	// EVAL) by name, and _connect and _active (milliseconds), for
	// <script-output> and <datasets>.
	Vars map[string]string
	// Transcript is the end of the conversation: "> " sent, "< " received,
	// "* " events; at most 64 lines of 200 bytes.
	Transcript []string
}

// handler is a jump target remembered by WAIT, IDLE, DISC or FAIL.
type handler struct {
	set  bool
	a    arg
	base int // the line that set it, for relative macro targets
}

// runner is the state of one run.
type runner struct {
	ctx      context.Context
	s        *Script
	o        Options
	now      func() time.Time
	start    time.Time
	deadline time.Time

	vals    map[string]string // variables and parameters by lower-case name
	stored  map[string]string // lower-case name → name as set, for Result.Vars
	groups  []string
	regexps map[string]*regexp.Regexp // compiled patterns with macros

	port                      int
	conn                      Conn
	unwatch                   func() bool // stops interrupting conn when ctx ends
	rd                        *reader
	flags                     connFlags
	remoteAddr, localAddr     string
	localPort                 string
	connectStart, connectedAt time.Time
	connectMs                 int64
	closed                    bool // a write failed
	mode, fixed               int
	cur                       []byte
	hasCur                    bool
	lastLine, toMatch         string
	idle                      time.Duration
	idleH, discH, failH       handler
	idleLine                  int
	timer                     time.Time
	statStatus, statReason    string
	status, reason, why       string
	connErr                   string // why the last connection attempt failed
	secret                    bool   // a password parameter ("Name*") was expanded
	done                      bool
	steps, reads              int // statements run; lines EXPT and SKIP passed over
	transcript                []string
}

// Run executes the script against o.Address:o.Port. It never panics and
// always returns a status: DONE's, EXIT's (the last STAT, default OKAY),
// OKAY when the script runs off its end, or DOWN when the device cannot be
// reached, stops talking (with no handler), the overall timeout passes or
// the script loops past MaxSteps.
func (s *Script) Run(ctx context.Context, o Options) (res Result) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = DefaultMaxSteps
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	r := &runner{ctx: ctx, s: s, o: o, now: now, start: now(), port: o.Port, idle: DefaultIdle,
		vals: map[string]string{}, stored: map[string]string{}, remoteAddr: o.Address}
	r.deadline, _ = ctx.Deadline()
	for k, v := range o.Persistent {
		if lk := strings.ToLower(k); lk != "_connect" && lk != "_active" {
			r.set(k, v)
		}
	}
	for k, v := range o.Params {
		r.vals[strings.ToLower(k)] = v
	}
	defer func() {
		if p := recover(); p != nil {
			r.end("DOWN", fmt.Sprintf("internal error in the script interpreter: %v", p))
			res = r.result()
		}
	}()
	defer r.disconnect()
	r.loop()
	return r.result()
}

// loop executes statements until the script ends.
func (r *runner) loop() {
	lines := r.s.lines
	for pc := 0; !r.done; {
		switch {
		case pc == stopDown:
			r.end("DOWN", r.why)
			return
		case pc < 0 || pc >= len(lines):
			r.exit("")
			return
		}
		st := &lines[pc]
		if st.cmd == "" {
			pc++
			continue
		}
		r.steps++
		if r.steps > r.o.MaxSteps {
			r.end("DOWN", fmt.Sprintf("Stopped after %d steps: the script loops (line %d)", r.o.MaxSteps, st.line))
			return
		}
		if r.ctx.Err() != nil {
			r.stopped(st)
			return
		}
		if r.conn == nil && !r.s.hasConn && needsConn(st.cmd) {
			if !r.connect(st, DefaultConnect) {
				r.end("DOWN", r.why)
				return
			}
		}
		pc = r.step(pc, st)
	}
}

// needsConn reports whether a command talks to the device.
func needsConn(cmd string) bool {
	switch cmd {
	case "SEND", "MTCH", "EXPT", "SKIP", "BSND", "BRCV", "RECV":
		return true
	}
	return false
}

// end stops the run with a status and reason.
func (r *runner) end(status, reason string) {
	if !r.done {
		r.status, r.reason, r.done = status, reason, true
	}
}

// exit ends with the last STAT (EXIT, DONE without a status, the end of
// the script); msg, when given, replaces STAT's message.
func (r *runner) exit(msg string) {
	status, reason := r.statStatus, r.statReason
	if status == "" {
		status = "OKAY"
	}
	if msg != "" {
		reason = msg
	}
	r.end(status, reason)
}

// stopped ends a run whose context is over.
func (r *runner) stopped(st *stmt) {
	if r.ctx.Err() == nil || errors.Is(r.ctx.Err(), context.DeadlineExceeded) {
		r.end("DOWN", fmt.Sprintf("Timed out after %s (line %d)", r.o.Timeout, st.line))
		return
	}
	r.end("DOWN", fmt.Sprintf("Cancelled (line %d)", st.line))
}

// result builds the Result.
func (r *runner) result() Result {
	vars := make(map[string]string, len(r.stored)+2)
	for k, name := range r.stored {
		vars[name] = r.vals[k]
	}
	if !r.connectStart.IsZero() {
		vars["_connect"] = strconv.FormatInt(r.connectMs, 10)
		vars["_active"] = strconv.FormatInt(r.activeMs(), 10)
	}
	return Result{Status: r.status, Reason: r.reason, Vars: vars, Transcript: r.transcript}
}

func (r *runner) activeMs() int64 {
	if r.connectStart.IsZero() {
		return 0
	}
	return r.now().Sub(r.connectStart).Milliseconds()
}

// set stores a variable the script assigned.
func (r *runner) set(name, value string) {
	if len(value) > maxVar {
		value = value[:maxVar]
	}
	k := strings.ToLower(name)
	r.vals[k] = value
	r.stored[k] = name
}

// connect dials the device (CONN, RCON, or before the first I/O of a
// script without CONN). On failure r.why holds the reason.
func (r *runner) connect(st *stmt, timeout time.Duration) bool {
	r.disconnect()
	addr := net.JoinHostPort(r.o.Address, strconv.Itoa(r.port))
	dial := r.o.Dial
	if dial == nil {
		dial = defaultDialer(r.o.TLSConfig, r.flags.anonymous)
	}
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	r.connectStart = r.now()
	c, err := dial(ctx, "tcp", addr, r.flags.secure)
	if err == nil && c == nil {
		err = errors.New("dialer returned no connection")
	}
	if err != nil {
		r.why = fmt.Sprintf("Could not connect to %s: %v (line %d)", addr, err, st.line)
		r.connErr = r.why
		r.note("could not connect to %s: %v", addr, err)
		return false
	}
	r.connectedAt, r.connErr = r.now(), ""
	r.connectMs = r.connectedAt.Sub(r.connectStart).Milliseconds()
	r.conn, r.rd, r.closed, r.hasCur = c, newReader(c, r.flags.telnet), false, false
	if a, ok := c.(interface{ RemoteAddr() net.Addr }); ok && a.RemoteAddr() != nil {
		if host, _, err := net.SplitHostPort(a.RemoteAddr().String()); err == nil {
			r.remoteAddr = host
		}
	}
	if a, ok := c.(interface{ LocalAddr() net.Addr }); ok && a.LocalAddr() != nil {
		if host, port, err := net.SplitHostPort(a.LocalAddr().String()); err == nil {
			r.localAddr, r.localPort = host, port
		}
	}
	r.unwatch = context.AfterFunc(r.ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	r.note("connected to %s in %d ms", addr, r.connectMs)
	return true
}

// disconnect closes the connection, if any.
func (r *runner) disconnect() {
	if r.conn != nil {
		r.unwatch()
		_ = r.conn.Close()
		r.conn, r.rd, r.hasCur = nil, nil, false
	}
}

// idleDeadline is the deadline of the next read or write.
func (r *runner) idleDeadline() time.Time {
	d := time.Now().Add(r.idle) // deadlines are real time, whatever Options.Now says
	if !r.deadline.IsZero() && r.deadline.Before(d) {
		return r.deadline
	}
	return d
}

// current returns the current line (or block, or BER message), reading
// one when there is none.
func (r *runner) current() ([]byte, error) {
	if r.hasCur {
		return r.cur, nil
	}
	if r.conn == nil {
		return nil, errors.New("not connected")
	}
	u, err := r.rd.unit(r.ctx, r.mode, r.fixed, r.idleDeadline)
	if err != nil {
		return nil, err
	}
	r.cur, r.hasCur, r.lastLine = u, true, string(u)
	r.record("< ", u)
	return u, nil
}

// discard drops the current line (NEXT, SEND, BSND, EXPT's misses).
func (r *runner) discard() { r.hasCur = false }

// write sends data; false means the connection is gone.
func (r *runner) write(data []byte) error {
	r.discard()
	if r.secret {
		r.note("sent %d bytes holding a password", len(data))
	} else {
		r.record("> ", data)
	}
	if r.conn == nil || r.closed {
		return errors.New("not connected")
	}
	_ = r.conn.SetDeadline(r.idleDeadline())
	if _, err := r.conn.Write(data); err != nil {
		// Reads still deliver what arrived, then report the disconnect.
		r.closed = true
		if r.rd.err == nil {
			r.rd.err = err
		}
		return err
	}
	return nil
}

// note adds an event to the transcript.
func (r *runner) note(format string, a ...any) {
	r.record("* ", []byte(fmt.Sprintf(format, a...)))
}

// record adds lines of data to the bounded transcript.
func (r *runner) record(prefix string, data []byte) {
	lines := strings.SplitAfterN(string(data[max(0, len(data)-transcriptLines*transcriptLineLen):]), "\n", -1)
	for _, line := range lines[max(0, len(lines)-transcriptLines):] {
		if line == "" {
			continue
		}
		var b strings.Builder
		b.WriteString(prefix)
		for i := 0; i < len(line) && b.Len() < transcriptLineLen; i++ {
			switch c := line[i]; {
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(&b, `\x%02x`, c)
			default:
				b.WriteByte(c)
			}
		}
		if len(r.transcript) == transcriptLines {
			copy(r.transcript, r.transcript[1:])
			r.transcript = r.transcript[:transcriptLines-1]
		}
		r.transcript = append(r.transcript, b.String())
	}
}
