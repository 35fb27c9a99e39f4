// Package tcpserve is the accept loop of Vantage's line-protocol
// listeners (the remote-access protocol, the admin console): a bounded
// number of sessions, back-off on accept errors, and a clean stop.
package tcpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Loop accepts connections and runs a session for each.
type Loop struct {
	// Name is the listener's name in messages ("remote", "console").
	Name string
	// Max bounds the sessions at once; at least 1.
	Max    int
	Logger *slog.Logger
	// Admit, when set, refuses a connection before it takes a session
	// slot (an address filter); it logs and closes what it refuses.
	Admit func(c net.Conn) bool
	// Busy tells a client over the limit why it is refused, before the
	// loop closes the connection.
	Busy func(c net.Conn)
	// Session serves one connection; ctx ends when Serve's does.
	Session func(ctx context.Context, c net.Conn)
}

// Serve accepts sessions on ln until ctx ends, then closes ln and waits
// for the sessions (which must end with ctx).
func (l Loop) Serve(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(l.Max, 1))
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer wg.Wait()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("%s listener %s: %w", l.Name, ln.Addr(), err)
			}
			// Out of file descriptors and the like: back off, as
			// net/http does, instead of spinning or giving up.
			l.Logger.Warn(l.Name+" accept failed", "err", err)
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if l.Admit != nil && !l.Admit(c) {
			continue
		}
		select {
		case slots <- struct{}{}:
		default:
			l.Logger.Warn(l.Name+" connection refused: too many sessions", "peer", c.RemoteAddr().String(), "max", l.Max)
			if l.Busy != nil {
				c.SetWriteDeadline(time.Now().Add(time.Second))
				l.Busy(c)
			}
			c.Close()
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			l.Session(ctx, c)
		})
	}
}
