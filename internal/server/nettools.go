package server

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/traceroute"
	"github.com/vantage-monitor/vantage/internal/web"
)

// netTools runs the UI's ping and traceroute: pings go through the shared
// ICMP engine, traces through their own short-lived raw socket (see
// internal/traceroute for why).
type netTools struct {
	engine *icmp.Engine // nil when ICMP is unavailable
}

// netTools returns the web API's network tools.
func (s *Server) netTools() web.NetTools { return netTools{engine: s.engine} }

// traceProbeTimeout keeps a 30-hop trace of an unreachable host near the
// web tools' one-minute bound.
const traceProbeTimeout = 2 * time.Second

// Ping pings like Linux ping, one echo a second.
func (n netTools) Ping(ctx context.Context, host string, addr netip.Addr, opt web.PingOptions, line func(string)) error {
	if n.engine == nil {
		return errors.New("ICMP is unavailable on this server (see the server log)")
	}
	_, err := n.engine.RunSession(ctx, icmp.Session{Host: host, Addr: addr, Count: opt.Count, Interval: time.Second}, line)
	return err
}

// Traceroute traces like traceroute, naming hops with the system resolver
// unless numeric output was asked for.
func (n netTools) Traceroute(ctx context.Context, host string, addr netip.Addr, opt web.TraceOptions, line func(string)) error {
	o := traceroute.Options{Mode: opt.Mode, MaxHops: opt.MaxHops, Queries: opt.Queries, Timeout: traceProbeTimeout}
	if !opt.Numeric {
		o.Resolver = net.DefaultResolver
	}
	line(traceroute.FormatHeader(host, addr, o.MaxHops))
	return traceroute.Run(ctx, addr, o, func(h traceroute.Hop) { line(traceroute.FormatHop(h)) })
}
