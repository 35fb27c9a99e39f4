package probe

// Banner probes: connect, read the server's greeting line and check how it
// starts. This is what InterMapper's SMTP, POP3, IMAP4, FTP and SSH probes
// establish before they log in; logging in (VRFY, USER/PASS) is left out on
// purpose, as it needs credentials and fills the server's logs with
// failed-login noise every poll. Their extra parameters ("Email Address",
// "User ID") are accepted and ignored, so imported maps still load.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vantage-monitor/vantage/internal/status"
)

const (
	// maxBannerLine bounds one greeting line; longer lines are cut there.
	maxBannerLine = 4096
	// maxBannerChars bounds the banner value kept and shown.
	maxBannerChars = 200
	// maxPreamble is how many lines an SSH server may send before its
	// version line (RFC 4253 section 4.2 allows such lines).
	maxPreamble = 10
	// goodbyeWait bounds the wait for the server's answer to QUIT: long
	// enough for the server to log a clean goodbye, short enough not to
	// hold the poller.
	goodbyeWait = time.Second
)

// bannerSpec describes one banner probe.
type bannerSpec struct {
	id, name string
	aliases  []string
	port     int
	// expect is the prefix a good greeting starts with.
	expect string
	// quit is sent after the greeting so the server logs an orderly
	// goodbye rather than a dropped connection; empty sends nothing.
	quit string
	// preamble allows non-matching lines before the greeting.
	preamble bool
}

func bannerSpecs() []bannerSpec {
	return []bannerSpec{
		{id: "com.dartware.tcp.smtp", name: "SMTP", aliases: []string{"smtp"}, port: 25, expect: "220", quit: "QUIT\r\n"},
		{id: "com.dartware.tcp.pop3", name: "POP3", aliases: []string{"pop3"}, port: 110, expect: "+OK", quit: "QUIT\r\n"},
		{id: "com.dartware.tcp.imap4", name: "IMAP4", aliases: []string{"imap"}, port: 143, expect: "* OK", quit: "A1 LOGOUT\r\n"},
		// InterMapper ships only com.dartware.tcp.ftp.login, which logs in;
		// this one checks the greeting only, so it takes its own identifier.
		{id: "com.dartware.tcp.ftp", name: "FTP", aliases: []string{"ftp"}, port: 21, expect: "220", quit: "QUIT\r\n"},
		// SSH has no polite quit before key exchange; closing is normal.
		{id: "com.dartware.tcp.ssh", name: "SSH", aliases: []string{"ssh"}, port: 22, expect: "SSH-", preamble: true},
	}
}

func (s bannerSpec) params() []Param {
	return append([]Param{
		{Name: "port", Default: strconv.Itoa(s.port), Help: "TCP port of the " + s.name + " server"},
		{Name: "expect", Default: s.expect, Help: "text the greeting line must start with"},
	}, commonParams()...)
}

func (s bannerSpec) info() Info {
	return Info{
		ID:      s.id,
		Name:    s.name,
		Aliases: s.aliases,
		Params:  s.params(),
		New:     func() Probe { return bannerProbe{spec: s} },
	}
}

type bannerConfig struct {
	common
	port   int
	expect string
}

func (s bannerSpec) parse(params map[string]string) (bannerConfig, error) {
	p := resolveParams(s.params(), params)
	var c bannerConfig
	var err error
	if c.common, err = parseCommon(p); err != nil {
		return c, err
	}
	if c.port, err = parsePort(p["port"], s.port); err != nil {
		return c, fmt.Errorf("parameter port: %w", err)
	}
	c.expect = p["expect"]
	return c, nil
}

// bannerProbe checks a server's greeting.
type bannerProbe struct{ spec bannerSpec }

// CheckParams reports whether params are valid for this probe.
func (p bannerProbe) CheckParams(params map[string]string) error {
	_, err := p.spec.parse(params)
	return err
}

func (p bannerProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := p.spec.parse(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	pctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()

	start := time.Now()
	conn, err := dial(pctx, t.Address, c.port)
	if err != nil {
		return connectFailure(ctx, err, c.port, window)
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, maxBannerLine)
	raw, err := p.readGreeting(conn, br, c.expect)
	rtt := time.Since(start)

	r := newResult()
	switch {
	case len(raw) > 0:
		banner := cleanBanner(raw)
		r.Values["banner"] = banner
		l, why := checkBanner(banner, c.expect)
		raise(&r, l, why)
		p.goodbye(pctx, conn, br)
	case cancelled(ctx):
		return cancelledResult()
	case isTimeout(err):
		return failed(status.Down, true, fmt.Sprintf("no answer on port %d within %s (connected, no banner)", c.port, window))
	default:
		raise(&r, status.Alarm, fmt.Sprintf("connection closed on port %d without a banner", c.port))
	}
	return finish(&r, rtt, c.rtt)
}

// readGreeting returns the greeting line. Where the protocol allows lines
// before it (SSH), those are skipped; if none matches, the first line is
// returned so the reason shows what the server did say.
func (p bannerProbe) readGreeting(conn net.Conn, br *bufio.Reader, expect string) ([]byte, error) {
	var first []byte
	for i := 0; ; i++ {
		if i == 1 {
			// Servers send their preamble and version together; a server
			// that says one wrong line and waits is another protocol.
			shortenDeadline(conn, goodbyeWait)
		}
		line, err := readLine(br)
		if i == 0 {
			first = append([]byte(nil), line...)
		}
		if len(line) > 0 && strings.HasPrefix(cleanBanner(line), expect) {
			return append([]byte(nil), line...), nil
		}
		if err != nil || !p.spec.preamble || i+1 >= maxPreamble {
			if i > 0 && isTimeout(err) {
				err = nil
			}
			return first, err
		}
	}
}

// goodbye sends the protocol's quit command and waits briefly for the reply;
// failures are ignored, the verdict is already made.
func (p bannerProbe) goodbye(ctx context.Context, conn net.Conn, br *bufio.Reader) {
	if p.spec.quit == "" || ctx.Err() != nil {
		return
	}
	shortenDeadline(conn, goodbyeWait)
	if _, err := io.WriteString(conn, p.spec.quit); err == nil {
		_, _ = readLine(br)
	}
}

// shortenDeadline brings the connection's deadline to at most d from now;
// dial has set it to the poll's deadline, which it never extends.
func shortenDeadline(conn net.Conn, d time.Duration) {
	dl := time.Now().Add(d)
	if cc, ok := conn.(*ctxConn); ok && !cc.deadline.IsZero() && cc.deadline.Before(dl) {
		dl = cc.deadline
	}
	_ = conn.SetDeadline(dl)
}

// readLine reads one line, or maxBannerLine bytes of a line without end.
// The slice is only valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		err = nil
	}
	return line, err
}

// cleanBanner makes a greeting fit to show and store: its first line,
// valid UTF-8, without control characters, trimmed, at most 200 characters.
func cleanBanner(raw []byte) string {
	if i := strings.IndexByte(string(raw), '\n'); i >= 0 {
		raw = raw[:i]
	}
	s := strings.ToValidUTF8(string(raw), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxBannerChars {
		s = strings.TrimSpace(string([]rune(s)[:maxBannerChars]))
	}
	return s
}

// checkBanner judges a cleaned greeting against the expected prefix. A
// prefix, not a substring: "500 not 220" must not pass as an SMTP greeting.
func checkBanner(banner, expect string) (status.Level, string) {
	if strings.HasPrefix(banner, expect) {
		return status.OK, ""
	}
	return status.Alarm, fmt.Sprintf("unexpected banner %q (expected %s)", banner, expect)
}
