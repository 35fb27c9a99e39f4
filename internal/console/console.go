// Package console is the administrator's console (--console): a
// line-oriented text protocol over TCP that telnet and nc both speak, in
// the spirit of InterMapper's telnet server. It asks for an
// administrator's password, then runs the commands of package ctl, which
// `vantage ctl` runs too over the HTTPS API.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/ctl"
	"github.com/vantage-monitor/vantage/internal/loginlimit"
	"github.com/vantage-monitor/vantage/internal/tcpserve"
)

// Deps are the console's collaborators.
type Deps struct {
	Backend ctl.Backend
	// CheckAdmin says whether user exists, has this password and is an
	// administrator; err is for failures to check, not a wrong password.
	CheckAdmin func(ctx context.Context, user, password string) (ok bool, err error)
	// Allow is the listener's address filter; nil allows loopback only.
	Allow   func(netip.Addr) bool
	Version string
	Logger  *slog.Logger
	// Now is the clock for login limits (nil: time.Now).
	Now func() time.Time
}

// Server accepts console sessions.
type Server struct {
	cfg     Config
	deps    Deps
	limiter *loginlimit.Limiter
}

// New checks the configuration; the server is inert until Serve.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Backend == nil || deps.CheckAdmin == nil {
		return nil, errors.New("console: Backend and CheckAdmin are required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, deps: deps, limiter: loginlimit.New(cfg.Login, deps.Now)}, nil
}

// Serve accepts sessions on ln until ctx ends, then closes ln and every
// session and waits for them.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return tcpserve.Loop{
		Name: "console", Max: s.cfg.MaxConnections, Logger: s.deps.Logger,
		Busy:    func(c net.Conn) { io.WriteString(c, "Too many console sessions; try again later.\r\n") },
		Session: s.ServeConn,
	}.Serve(ctx, ln)
}

// allowed applies the address filter: loopback only unless the hook says
// otherwise. A connection without an IP (net.Pipe in tests) is local.
func (s *Server) allowed(a netip.Addr) bool {
	if s.deps.Allow != nil {
		return s.deps.Allow(a)
	}
	return !a.IsValid() || a.IsLoopback()
}

// crlf turns the "\n" of command output into the "\r\n" a telnet client
// needs.
type crlf struct{ w io.Writer }

func (c crlf) Write(b []byte) (int, error) {
	if _, err := io.WriteString(c.w, strings.ReplaceAll(string(b), "\n", "\r\n")); err != nil {
		return 0, err
	}
	return len(b), nil
}

// session is one console connection.
type session struct {
	srv  *Server
	conn net.Conn
	peer netip.Addr
	in   *lineReader
	out  *bufio.Writer
	log  *slog.Logger
	user string
}

// ServeConn runs one session until the user quits, idles or ctx ends; the
// connection is closed on return.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	ss := &session{srv: s, conn: c, peer: addrOf(c.RemoteAddr()), out: bufio.NewWriter(c), log: s.deps.Logger.With("peer", c.RemoteAddr().String())}
	if !s.allowed(ss.peer) {
		ss.log.Warn("console connection refused: address not allowed (the console is loopback-only unless allowed)")
		ss.printf("Access denied: the console accepts local connections only.\r\n")
		ss.flush()
		return
	}
	ss.in = newLineReader(bufio.NewReader(c), s.cfg.MaxLine, func(b []byte) { ss.out.Write(b); ss.flush() })
	ss.log.Info("console connection accepted")
	defer func() { ss.log.Info("console connection closed", "user", ss.user) }()
	if !ss.login(ctx) {
		return
	}
	ss.commands(ctx)
}

func (ss *session) printf(format string, a ...any) { fmt.Fprintf(ss.out, format, a...) }

// flush sends buffered output with a bounded wait, so a client that does
// not read cannot hold the session.
func (ss *session) flush() bool {
	ss.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return ss.out.Flush() == nil
}

// readLine waits at most the idle timeout for a line.
func (ss *session) readLine() (string, error) {
	ss.conn.SetReadDeadline(time.Now().Add(ss.srv.cfg.IdleTimeout))
	return ss.in.ReadLine()
}

// addrOf extracts the peer's IP; the zero Addr when there is none.
func addrOf(a net.Addr) netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
