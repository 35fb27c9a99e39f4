package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/tlsconf"
)

// allowLists are the listeners' IP allow-lists (config.yaml access:).
type allowLists struct {
	http, remote, console *auth.AllowList
}

// buildSecurity parses the allow-lists and loads (or on first start
// makes) the certificate in DIR/tls that the web/API and remote
// listeners share.
func (s *Server) buildSecurity() error {
	var err error
	if s.allow.http, err = auth.ParseAllowList(s.cfg.Access.HTTP); err != nil {
		return fmt.Errorf("access.http: %w", err)
	}
	if s.allow.remote, err = auth.ParseAllowList(s.cfg.Access.Remote); err != nil {
		return fmt.Errorf("access.remote: %w", err)
	}
	if s.allow.console, err = auth.ParseAllowList(s.cfg.Access.Console); err != nil {
		return fmt.Errorf("access.console: %w", err)
	}
	var hosts []string
	if s.cfg.ServerName != "" {
		hosts = append(hosts, s.cfg.ServerName)
	}
	if s.tls, s.tlsInfo, err = tlsconf.Load(s.folder.TLS(), tlsconf.Options{Hosts: hosts}); err != nil {
		return err
	}
	what := "certificate"
	if s.tlsInfo.Created {
		what = "new self-signed certificate"
	}
	s.logger.Info("TLS "+what, "dir", s.tlsInfo.Dir, "fingerprint", s.tlsInfo.Fingerprint, "subject", s.tlsInfo.Subject, "not_after", s.tlsInfo.NotAfter)
	return nil
}

// tlsConfig is the certificate configuration of the web/API and remote
// listeners (a copy: callers may set their own options).
func (s *Server) tlsConfig() *tls.Config { return s.tls.Clone() }

// filter applies a listener's allow-list at accept time.
func (s *Server) filter(name string, ln net.Listener) net.Listener {
	list := map[string]*auth.AllowList{"http": s.allow.http, "remote": s.allow.remote, "console": s.allow.console}[name]
	if list.Empty() {
		return ln
	}
	return auth.Filter(ln, name, list, s.logger.With("component", "access"), s.events)
}

// consoleAllow is the console's address filter: its own loopback-only
// default (nil) unless access.console has rules.
func (s *Server) consoleAllow() func(netip.Addr) bool {
	if s.allow.console.Empty() {
		return nil
	}
	return func(a netip.Addr) bool { ok, _ := s.allow.console.Allow(a); return ok }
}

// canRead is the remote protocol's map filter.
func (s *Server) canRead(ctx context.Context, user, mapName string) bool {
	id, err := s.auth.Identity(ctx, user)
	return err == nil && s.auth.Level(id, mapName) >= auth.Read
}
