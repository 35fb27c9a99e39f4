package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"

	"github.com/vantage-monitor/vantage/internal/console"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/remote"
)

// accessListeners are the remote-protocol and console sockets and their
// servers, bound and built at start-up (so a bad flag or certificate
// stops it) and served once the server runs.
type accessListeners struct {
	remote, console net.Listener
	remoteSrv       *remote.Server
	consoleSrv      *console.Server
}

// close releases listeners that were bound but never served.
func (a accessListeners) close() {
	for _, ln := range []net.Listener{a.remote, a.console} {
		if ln != nil {
			ln.Close()
		}
	}
}

// bindAccess binds --remote and --console, builds their servers and
// reports them in GET /api/v1/server. A listener the user asked for that
// cannot be bound is an error; a default one is reported and skipped.
func (s *Server) bindAccess() (accessListeners, error) {
	var a accessListeners
	l := s.cfg.Listeners
	consoleAddr := l.Console
	if consoleAddr != "off" {
		addr, err := console.ListenAddr(consoleAddr)
		if err != nil {
			return a, err
		}
		consoleAddr = addr
	}
	for _, o := range []struct {
		name, addr string
		ln         *net.Listener
	}{{"remote", l.Remote, &a.remote}, {"console", consoleAddr, &a.console}} {
		if o.addr == "off" {
			s.listeners = append(s.listeners, Listener{Name: o.name, Flag: "--" + o.name, Address: "off", State: "off"})
			continue
		}
		ln, err := listenTCP(o.name, o.addr)
		switch {
		case err != nil && s.opts.Listeners[o.name] != "":
			a.close()
			return accessListeners{}, err
		case err != nil:
			s.logger.Error("default listener not bound", "err", err)
			s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: err.Error()})
			s.listeners = append(s.listeners, Listener{Name: o.name, Flag: "--" + o.name, Address: o.addr, State: "failed", Error: err.Error()})
		default:
			*o.ln = s.filter(o.name, ln)
			s.listeners = append(s.listeners, Listener{Name: o.name, Flag: "--" + o.name, Address: ln.Addr().String(), State: "listening"})
		}
	}
	var err error
	if a.remote != nil {
		if a.remoteSrv, err = s.newRemote(); err != nil {
			a.close()
			return accessListeners{}, fmt.Errorf("--remote: %w", err)
		}
	}
	if a.console != nil {
		if a.consoleSrv, err = s.newConsole(); err != nil {
			a.close()
			return accessListeners{}, fmt.Errorf("--console: %w", err)
		}
	}
	return a, nil
}

// serveAccess serves the bound listeners on wg until ctx ends.
func (s *Server) serveAccess(ctx context.Context, a accessListeners, wg *sync.WaitGroup) {
	if a.remote != nil {
		wg.Go(func() {
			if err := a.remoteSrv.Serve(ctx, a.remote); err != nil {
				s.logger.Error("remote listener stopped", "err", err)
			}
		})
		fmt.Fprintf(s.opts.Out, "Vantage %s: remote access on %s (TLS or plain text)\n", s.opts.Version, a.remote.Addr())
	}
	if a.console != nil {
		wg.Go(func() {
			if err := a.consoleSrv.Serve(ctx, a.console); err != nil {
				s.logger.Error("console listener stopped", "err", err)
			}
		})
		fmt.Fprintf(s.opts.Out, "Vantage %s: admin console on %s\n", s.opts.Version, a.console.Addr())
	}
}

// newRemote builds the remote-access server with its certificate.
func (s *Server) newRemote() (*remote.Server, error) {
	cfg := remote.DefaultConfig()
	log := s.logger.With("component", "remote")
	var tlsCfg *tls.Config
	if cfg.TLS != "off" {
		tlsCfg = s.tlsConfig()
	}
	return remote.New(cfg, remote.Deps{Source: remoteSource{ctlBackend{s}}, CheckPassword: s.checkPassword, CanRead: s.canRead, TLS: tlsCfg, Logger: log})
}
