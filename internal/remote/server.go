// Package remote serves the remote-access protocol (port 8181): XML
// elements on a TCP or TLS stream, one request at a time, each answered by
// <KR id='N' response='CODE'>…</KR>, after the handshake InterMapper's
// documentation gives for checking a server:
//
//	<KC_version id="0">0.9</KC_version>  →  <KR id='0' response='200'>0.9</KR>
//
// After <KC_login> a client lists maps and devices with their status and
// subscribes to status changes, which the server pushes as <KE …/>
// elements. docs/remote-protocol.md describes every element.
package remote

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/vantage-monitor/vantage/internal/ctl"
	"github.com/vantage-monitor/vantage/internal/loginlimit"
	"github.com/vantage-monitor/vantage/internal/tcpserve"
)

// Source is what the protocol reads: the same views as the admin
// commands, plus a feed of changes.
type Source interface {
	Maps() []ctl.Map
	Devices(mapName string) ([]ctl.Device, bool)
	Status(mapName, device string) (ctl.Device, bool)
	// Subscribe calls fn for every change until cancel; fn must not block.
	Subscribe(fn func(Change)) (cancel func())
}

// Change is a device's status (Device set) or a whole map that changed.
type Change struct {
	Map, Device string
	MapChanged  bool
	MapDeleted  bool
}

// Deps are the server's collaborators.
type Deps struct {
	Source Source
	// CheckPassword says whether a user's password is right; err is for
	// failures to check (the database is away), not for a wrong password.
	CheckPassword func(ctx context.Context, user, password string) (ok bool, err error)
	// CanRead says whether user may read a map; nil lets every
	// authenticated user read every map.
	CanRead func(ctx context.Context, user, mapName string) bool
	// Allow is the listener's address filter; nil allows every address.
	Allow func(netip.Addr) bool
	// TLS is the certificate configuration; nil means plain text only.
	TLS    *tls.Config
	Logger *slog.Logger
	// Now is the clock for login limits (nil: time.Now).
	Now func() time.Time
}

// Server accepts remote-access connections.
type Server struct {
	cfg     Config
	deps    Deps
	limiter *loginlimit.Limiter
}

// writeTimeout bounds one write, so a client that stops reading cannot
// hold a session (and its subscription) for ever.
const writeTimeout = 30 * time.Second

// New checks the configuration; the server is inert until Serve.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Source == nil || deps.CheckPassword == nil {
		return nil, errors.New("remote: Source and CheckPassword are required")
	}
	if cfg.TLS == "on" && deps.TLS == nil {
		return nil, errors.New("remote.tls is on but no certificate is configured")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, deps: deps, limiter: loginlimit.New(cfg.Login, deps.Now)}, nil
}

// Serve accepts connections on ln until ctx ends, then closes ln and every
// session and waits for them.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return tcpserve.Loop{
		Name: "remote", Max: s.cfg.MaxConnections, Logger: s.deps.Logger,
		Admit: func(c net.Conn) bool {
			if s.deps.Allow != nil && !s.deps.Allow(addrOf(c.RemoteAddr())) {
				s.deps.Logger.Warn("remote connection refused by the address filter", "peer", c.RemoteAddr().String())
				c.Close()
				return false
			}
			return true
		},
		Busy:    func(c net.Conn) { c.Write([]byte(reply("", CodeUnavailable, "too many connections"))) },
		Session: s.serveSocket,
	}.Serve(ctx, ln)
}

// serveSocket decides between TLS and plain text, then runs the session.
func (s *Server) serveSocket(ctx context.Context, c net.Conn) {
	defer c.Close()
	secure := false
	switch {
	case s.cfg.TLS == "on":
		c, secure = tls.Server(c, s.deps.TLS), true
	case s.cfg.TLS == "auto" && s.deps.TLS != nil:
		// A TLS client speaks first with a handshake record (0x16); a
		// remote-protocol client with '<'.
		br := bufio.NewReader(c)
		c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		first, err := br.Peek(1)
		if err != nil {
			return
		}
		pc := &peekedConn{Conn: c, r: br}
		if first[0] == 0x16 {
			c, secure = tls.Server(pc, s.deps.TLS), true
		} else {
			c = pc
		}
	}
	if tc, ok := c.(*tls.Conn); ok {
		c.SetDeadline(time.Now().Add(s.cfg.IdleTimeout))
		if err := tc.HandshakeContext(ctx); err != nil {
			s.deps.Logger.Info("remote TLS handshake failed", "peer", c.RemoteAddr().String(), "err", err)
			return
		}
		c.SetDeadline(time.Time{})
	}
	s.ServeConn(ctx, c, secure)
}

// peekedConn reads through the buffer that holds the sniffed byte.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// addrOf extracts the peer's IP; the zero Addr when there is none
// (net.Pipe in tests).
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
