package server

import (
	"github.com/vantage-monitor/vantage/internal/console"
)

// newConsole builds the admin console (loopback-only unless an allow-list
// says otherwise).
func (s *Server) newConsole() (*console.Server, error) {
	return console.New(console.DefaultConfig(), console.Deps{Backend: ctlBackend{s}, CheckAdmin: s.checkAdmin, Allow: s.consoleAllow(),
		Version: s.opts.Version, Logger: s.logger.With("component", "console")})
}
