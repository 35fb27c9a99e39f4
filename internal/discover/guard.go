package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// ErrOutsideRange is what a guarded sender answers when asked to send to
// an address outside the scan's ranges. The scanner never asks: seeing it
// is a bug, and the guard's Refused count says how often it happened.
var ErrOutsideRange = errors.New("address outside the ranges being scanned")

// guard is the scan's promise that nothing leaves the ranges given. Every
// packet the scanner sends to a host goes through one of its wrappers,
// which check the destination before handing it to the real sender: an
// address learnt from SNMP (a neighbour, an ARP entry, another interface)
// that lies outside the ranges is never contacted, whatever the code
// above the wrappers does.
type guard struct {
	ranges  []netip.Prefix
	refused atomic.Int64
}

func newGuard(ranges []netip.Prefix) *guard { return &guard{ranges: ranges} }

// allows reports whether a may be sent to: inside a range, and not the
// network or broadcast address of an IPv4 range.
func (g *guard) allows(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	for _, p := range g.ranges {
		if !p.Contains(a) {
			continue
		}
		if a.Is4() && p.Bits() < 31 && (a == p.Masked().Addr() || a == lastAddr(p)) {
			return false
		}
		return true
	}
	return false
}

func (g *guard) check(a netip.Addr) error {
	if g.allows(a) {
		return nil
	}
	g.refused.Add(1)
	return fmt.Errorf("%s: %w", a, ErrOutsideRange)
}

// Pinger sends ICMP echoes; *icmp.Engine is one.
type Pinger interface {
	Ping(ctx context.Context, req icmp.Request) (icmp.Stats, error)
}

// SNMPClient reads agents; *snmp.Client is one.
type SNMPClient interface {
	Get(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error)
	Table(ctx context.Context, t snmp.Target, columns ...string) (map[string]map[string]snmp.Value, error)
}

// Dialer opens TCP connections (service checks) and UDP sockets (NetBIOS
// node status); *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

type guardedPinger struct {
	g     *guard
	inner Pinger
}

func (p guardedPinger) Ping(ctx context.Context, req icmp.Request) (icmp.Stats, error) {
	if err := p.g.check(req.Addr); err != nil {
		return icmp.Stats{Addr: req.Addr}, err
	}
	return p.inner.Ping(ctx, req)
}

type guardedSNMP struct {
	g     *guard
	inner SNMPClient
}

func (s guardedSNMP) target(t snmp.Target) error {
	a, err := netip.ParseAddr(t.Address)
	if err != nil {
		s.g.refused.Add(1)
		return fmt.Errorf("snmp target %q is not an address: %w", t.Address, ErrOutsideRange)
	}
	return s.g.check(a)
}

func (s guardedSNMP) Get(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error) {
	if err := s.target(t); err != nil {
		return nil, err
	}
	return s.inner.Get(ctx, t, oids...)
}

func (s guardedSNMP) Table(ctx context.Context, t snmp.Target, columns ...string) (map[string]map[string]snmp.Value, error) {
	if err := s.target(t); err != nil {
		return nil, err
	}
	return s.inner.Table(ctx, t, columns...)
}

type guardedDialer struct {
	g     *guard
	inner Dialer
}

func (d guardedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		d.g.refused.Add(1)
		return nil, fmt.Errorf("dial %q: not an address and port: %w", address, ErrOutsideRange)
	}
	if err := d.g.check(ap.Addr()); err != nil {
		return nil, err
	}
	return d.inner.DialContext(ctx, network, address)
}
