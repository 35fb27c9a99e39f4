package remote

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// session is one client connection. Requests are read and answered on the
// goroutine that runs serve; subscribed changes are written by a second
// one, so writes share a lock.
type session struct {
	srv    *Server
	conn   net.Conn
	peer   netip.Addr
	secure bool
	log    *slog.Logger

	user   string
	errors int

	wmu    sync.Mutex
	broken bool

	sub *subscription
}

// ServeConn runs the protocol on an accepted connection until the client
// quits, errs too often, idles or ctx ends. secure says the connection is
// encrypted (TLS), which a password needs unless the peer is local. The
// connection is closed on return. It is the listener-independent core:
// tests run it over net.Pipe.
func (s *Server) ServeConn(ctx context.Context, c net.Conn, secure bool) {
	defer c.Close()
	ss := &session{srv: s, conn: c, peer: addrOf(c.RemoteAddr()), secure: secure,
		log: s.deps.Logger.With("peer", c.RemoteAddr().String(), "tls", secure)}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	ss.log.Info("remote connection accepted")
	defer func() {
		ss.unsubscribeAll()
		ss.log.Info("remote connection closed", "user", ss.user)
	}()
	ss.serve(ctx)
}

func (ss *session) serve(ctx context.Context) {
	cfg := ss.srv.cfg
	dec := NewDecoder(ss.conn, cfg.MaxElement)
	for {
		// The deadline covers a whole element, so a client trickling
		// bytes cannot stay for ever.
		ss.conn.SetReadDeadline(time.Now().Add(cfg.IdleTimeout))
		req, err := dec.Decode()
		var syn *SyntaxError
		var ne net.Error
		switch {
		case err == nil:
		case errors.As(err, &syn):
			if !ss.bad("", syn.Error()) {
				return
			}
			continue
		case errors.Is(err, ErrTooLarge):
			ss.write(reply("", CodeTooLarge, "element larger than the limit; closing"))
			return
		case errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil:
			ss.write(reply("", CodeTimeout, "idle timeout; closing"))
			return
		default:
			if !errors.Is(err, io.EOF) && ctx.Err() == nil {
				ss.log.Debug("remote read ended", "err", err)
			}
			return
		}
		if !ss.handle(ctx, req) {
			return
		}
	}
}

// bad answers a bad request and reports whether the connection may go on.
func (ss *session) bad(id, msg string) bool {
	ss.errors++
	if ss.errors >= ss.srv.cfg.MaxErrors {
		ss.write(reply(id, CodeBadRequest, msg+"; too many bad requests, closing"))
		return false
	}
	return ss.write(reply(id, CodeBadRequest, msg))
}

// write sends one or more complete elements; false once the connection is
// broken.
func (ss *session) write(s string) bool {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	if ss.broken {
		return false
	}
	ss.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := io.WriteString(ss.conn, s); err != nil {
		ss.broken = true
		ss.conn.Close()
		return false
	}
	return true
}

// local says the peer is on this machine: loopback, or an in-process pipe
// (no address at all).
func (ss *session) local() bool {
	return !ss.peer.IsValid() || ss.peer.IsLoopback()
}

// canRead applies the per-map access hook.
func (ss *session) canRead(ctx context.Context, mapName string) bool {
	return ss.srv.deps.CanRead == nil || ss.srv.deps.CanRead(ctx, ss.user, mapName)
}
