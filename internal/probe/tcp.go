package probe

// TCP probes: the generic connect probe and the shared plumbing (dialling,
// turning socket errors into a status) used by the banner and HTTP probes. These are plain Go, not an interpreter for InterMapper's
// tcp-script language: the identifiers and parameter names follow
// InterMapper's built-in probes so that imported maps keep working.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// TCPInfos returns the TCP-family probes: generic TCP, HTTP, HTTPS and the
// banner probes (SMTP, POP3, IMAP4, FTP, SSH). None is shareable: like
// InterMapper, only ping and SNMP polls are shared between devices.
func TCPInfos() []Info {
	infos := []Info{customInfo(), httpInfo(false), httpInfo(true)}
	for _, b := range bannerSpecs() {
		infos = append(infos, b.info())
	}
	return infos
}

// maxResponse bounds what the generic probe reads while looking for its
// expected text: enough for any greeting, small enough to ignore a stream.
const maxResponse = 64 << 10

// customParams are the generic probe's parameters, with InterMapper's
// "Custom TCP" names as aliases.
func customParams() []Param {
	ps := append([]Param{
		{Name: "port", Help: "TCP port to connect to (required)"},
		{Name: "send", Aliases: []string{"String to send"}, Help: "text sent after connecting, followed by CR-LF; empty sends nothing"},
		{Name: "expect", Aliases: []string{"OK Response"}, Help: "text the response must contain; empty only checks that the port accepts connections"},
	}, commonParams()...)
	for i := range ps {
		if ps[i].Name == "timeout" {
			ps[i].Aliases = []string{"Seconds to wait"}
		}
	}
	return ps
}

func customInfo() Info {
	return Info{
		ID:      "com.dartware.tcp.custom",
		Name:    "TCP (generic connect)",
		Aliases: []string{"tcp"},
		Params:  customParams(),
		New:     func() Probe { return customProbe{} },
	}
}

type customConfig struct {
	common
	port   int
	send   string
	expect string
}

func parseCustomConfig(params map[string]string) (customConfig, error) {
	p := resolveParams(customParams(), params)
	var c customConfig
	var err error
	if c.common, err = parseCommon(p); err != nil {
		return c, err
	}
	if c.port, err = parsePort(p["port"], 0); err != nil {
		return c, fmt.Errorf("parameter port: %w", err)
	}
	c.send, c.expect = p["send"], p["expect"]
	return c, nil
}

// customProbe connects, optionally sends a line and optionally looks for a
// substring in what comes back.
type customProbe struct{}

// CheckParams reports whether params are valid for this probe, so that a
// map file can be checked when it is loaded rather than at the first poll.
func (customProbe) CheckParams(params map[string]string) error {
	_, err := parseCustomConfig(params)
	return err
}

func (customProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseCustomConfig(t.Params)
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
	connected := time.Since(start)

	r := newResult()
	if c.send == "" && c.expect == "" {
		return finish(&r, connected, c.rtt)
	}
	if c.send != "" {
		line := c.send
		if !strings.HasSuffix(line, "\n") {
			line += "\r\n"
		}
		if _, err := io.WriteString(conn, line); err != nil {
			raise(&r, status.Alarm, fmt.Sprintf("cannot send on port %d: %v", c.port, err))
			return finish(&r, connected, c.rtt)
		}
	}
	if c.expect == "" {
		return finish(&r, connected, c.rtt)
	}
	got, found, err := readUntil(conn, []byte(c.expect), maxResponse)
	rtt := time.Since(start)
	if len(got) > 0 {
		r.Values["response"] = cleanBanner(got)
	}
	switch {
	case found:
		return finish(&r, rtt, c.rtt)
	case cancelled(ctx):
		return cancelledResult()
	case len(got) == 0 && isTimeout(err):
		return failed(status.Down, true, fmt.Sprintf("no answer on port %d within %s (connected, no response)", c.port, window))
	case len(got) == 0:
		raise(&r, status.Alarm, fmt.Sprintf("connection closed on port %d without a response", c.port))
	default:
		raise(&r, status.Alarm, fmt.Sprintf("%q not found in response %q", c.expect, cleanBanner(got)))
	}
	return finish(&r, rtt, c.rtt)
}

var errNoAddress = errors.New("device has no address")

// dial connects to address:port within ctx. The address may be an IPv4 or
// IPv6 literal (bracketed or not) or a DNS name. Cancelling ctx also closes
// the connection, so that reads and writes stop with it.
func dial(ctx context.Context, address string, port int) (net.Conn, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(address), "["), "]")
	if host == "" {
		return nil, errNoAddress
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("connect to %s port %d: %w", host, port, err)
	}
	cc := &ctxConn{Conn: conn}
	if dl, ok := ctx.Deadline(); ok {
		cc.deadline = dl
		_ = conn.SetDeadline(dl)
	}
	cc.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return cc, nil
}

// ctxConn remembers the poll's deadline and releases the context hook when
// the connection is closed.
type ctxConn struct {
	net.Conn
	deadline time.Time
	stop     func() bool
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// writeFirst holds reads until the first write. HTTP clients speak first; a
// server that greets unasked (SSH, SMTP on a mistyped port) would otherwise
// race the transport, which then logs "Unsolicited response received on idle
// HTTP channel" and fails with an internal message instead of showing the
// greeting as a malformed response.
type writeFirst struct {
	net.Conn
	once  sync.Once
	wrote chan struct{}
}

func (c *writeFirst) Write(b []byte) (int, error) {
	c.once.Do(func() { close(c.wrote) })
	return c.Conn.Write(b)
}

func (c *writeFirst) Read(b []byte) (int, error) {
	<-c.wrote
	return c.Conn.Read(b)
}

func (c *writeFirst) Close() error {
	c.once.Do(func() { close(c.wrote) })
	return c.Conn.Close()
}

// connectFailure turns a failed connect into a result. parent is the
// caller's context, to tell a shutdown from a timeout.
func connectFailure(parent context.Context, err error, port int, window time.Duration) status.Result {
	var dnsErr *net.DNSError
	switch {
	case cancelled(parent):
		return cancelledResult()
	case errors.Is(err, errNoAddress):
		return failed(status.Unknown, false, errNoAddress.Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		return failed(status.Down, true, fmt.Sprintf("connection refused on port %d", port))
	case isTimeout(err):
		return failed(status.Down, true, fmt.Sprintf("no answer on port %d within %s", port, window))
	case errors.As(err, &dnsErr):
		return failed(status.Down, true, fmt.Sprintf("cannot resolve %q: %s", dnsErr.Name, dnsErr.Err))
	}
	return failed(status.Down, true, fmt.Sprintf("cannot connect to port %d: %v", port, rootCause(err)))
}

// rootCause drops the wrappers that only prefix the text of the error they
// wrap (URL, address, "transport connection broken"): the reader knows the
// device and port from the map and the reason.
func rootCause(err error) error {
	for {
		inner := errors.Unwrap(err)
		if inner == nil || !strings.HasSuffix(err.Error(), inner.Error()) {
			return err
		}
		err = inner
	}
}

// isTimeout reports a deadline, whether from the context or the socket.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// readUntil reads until want appears, the peer closes, the deadline passes
// or max bytes have come; it returns what it read.
func readUntil(r io.Reader, want []byte, max int) ([]byte, bool, error) {
	buf := make([]byte, 0, 512)
	chunk := make([]byte, 4096)
	for len(buf) < max {
		n, err := r.Read(chunk[:min(len(chunk), max-len(buf))])
		buf = append(buf, chunk[:n]...)
		if bytes.Contains(buf, want) {
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, false, nil
}
