// Package traceroute finds the routers on the way to a host, as the classic
// traceroute does: probes leave with TTL (hop limit) 1, 2, 3 …, each router
// where a probe's TTL runs out answers with an ICMP Time Exceeded naming
// itself, and the destination answers the last probes (an echo reply in
// ICMP mode, a Port Unreachable for a UDP datagram to an unused port).
//
// A trace uses its own short-lived sockets, not the shared ICMP engine: a
// raw ICMP socket (needs root or CAP_NET_RAW) that sees the errors and
// quotes of this trace's probes through a kernel filter, and in UDP mode a
// UDP socket to send from. The engine's ping sockets cannot receive ICMP
// errors at all (the kernel queues them on the socket's error queue), and
// widening its raw filter to every ICMP error on the host would wake the
// socket that serves every monitored device for an interactive tool that
// runs a few times a day. Probes are matched to their answers by the
// datagram the ICMP error quotes (icmp.ParseMessage): the UDP ports, or the
// echo ID and sequence number.
package traceroute

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
)

// Probe modes.
const (
	// ModeUDP sends UDP datagrams to ports 33434 and up, like traceroute's
	// default.
	ModeUDP = "udp"
	// ModeICMP sends echo requests, like traceroute -I.
	ModeICMP = "icmp"
)

// Defaults and limits.
const (
	DefaultMaxHops = 30
	DefaultQueries = 3
	DefaultTimeout = 3 * time.Second
	DefaultPort    = 33434
	MaxHops        = 255
	MaxQueries     = 10
	// payloadLen is the probe data: 12 bytes, so that an IPv4 probe is the
	// 40-byte packet of the classic traceroute.
	payloadLen = 12
	// lookupTimeout bounds the reverse lookup of one hop's address.
	lookupTimeout = 2 * time.Second
)

// Resolver names hop addresses; *net.Resolver is one.
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Options tune a trace; zero fields take their defaults.
type Options struct {
	// Mode is ModeUDP (the default when empty) or ModeICMP.
	Mode string
	// MaxHops is the largest TTL tried, default 30.
	MaxHops int
	// Queries is the number of probes per hop, default 3.
	Queries int
	// Timeout is how long each probe waits for its answer, default 3s.
	Timeout time.Duration
	// Port is the first UDP destination port, default 33434; probe n goes
	// to Port+n.
	Port int
	// Resolver, when set, names the hops; nil prints addresses only (-n).
	Resolver Resolver
}

func (o *Options) normalize() error {
	if o.Mode == "" {
		o.Mode = ModeUDP
	}
	if o.MaxHops == 0 {
		o.MaxHops = DefaultMaxHops
	}
	if o.Queries == 0 {
		o.Queries = DefaultQueries
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	switch {
	case o.Mode != ModeUDP && o.Mode != ModeICMP:
		return fmt.Errorf("traceroute mode %q: want %q or %q", o.Mode, ModeUDP, ModeICMP)
	case o.MaxHops < 1 || o.MaxHops > MaxHops:
		return fmt.Errorf("max hops %d out of range 1-%d", o.MaxHops, MaxHops)
	case o.Queries < 1 || o.Queries > MaxQueries:
		return fmt.Errorf("queries per hop %d out of range 1-%d", o.Queries, MaxQueries)
	case o.Timeout < 0:
		return fmt.Errorf("negative probe timeout %s", o.Timeout)
	case o.Port < 1 || o.Port+o.MaxHops*o.Queries > 65535:
		return fmt.Errorf("port %d: the probes' ports must stay below 65536", o.Port)
	}
	return nil
}

// Probe is the answer to one probe.
type Probe struct {
	// Lost is true when no answer came within the timeout ("*").
	Lost bool
	From netip.Addr
	// Name is From's reverse DNS name, From itself when it has none, or
	// "" without a Resolver.
	Name string
	RTT  time.Duration
	// Note is traceroute's annotation of an unreachable: "!H" host, "!N"
	// network, "!P" protocol, "!X" administratively prohibited, "!F"
	// fragmentation needed, "!<code>" others; "" otherwise.
	Note string
	// Final is set when the probe reached the destination, or got an
	// unreachable that ends the trace.
	Final bool
}

// Hop is the answers to the probes sent with one TTL.
type Hop struct {
	TTL    int
	Probes []Probe
}

// Final reports whether the trace ends with this hop.
func (h Hop) Final() bool {
	for _, p := range h.Probes {
		if p.Final {
			return true
		}
	}
	return false
}

// ErrPermission means the raw ICMP socket a trace needs was refused.
var ErrPermission = errors.New("traceroute needs a raw ICMP socket: run as root, or grant the capability with `setcap cap_net_raw+ep` on the vantage binary")

// Run traces the route to dst, calling each with every hop as it completes,
// in order, until the destination answers, an unreachable ends the trace,
// or MaxHops is reached. It returns ctx's error when cancelled.
func Run(ctx context.Context, dst netip.Addr, opt Options, each func(Hop)) error {
	if err := opt.normalize(); err != nil {
		return err
	}
	dst = dst.Unmap()
	if !dst.IsValid() || dst.IsUnspecified() || dst.IsMulticast() {
		return fmt.Errorf("traceroute to %v: not a unicast address", dst)
	}
	t, err := open(dst, opt)
	if err != nil {
		return fmt.Errorf("traceroute to %s: %w", dst, err)
	}
	defer t.close()
	names := map[netip.Addr]string{}
	for ttl := 1; ttl <= opt.MaxHops; ttl++ {
		h, err := t.hop(ctx, ttl)
		if err != nil {
			return fmt.Errorf("traceroute to %s: hop %d: %w", dst, ttl, err)
		}
		if opt.Resolver != nil {
			for i := range h.Probes {
				if p := &h.Probes[i]; !p.Lost {
					p.Name = lookup(ctx, opt.Resolver, names, p.From)
				}
			}
		}
		each(h)
		if h.Final() {
			return nil
		}
	}
	return nil
}

// lookup names addr once per trace: the first name its reverse lookup
// gives, or the address itself, as traceroute prints unnamed hops.
func lookup(ctx context.Context, r Resolver, cache map[netip.Addr]string, addr netip.Addr) string {
	if n, ok := cache[addr]; ok {
		return n
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	name := addr.String()
	if names, err := r.LookupAddr(ctx, addr.String()); err == nil && len(names) > 0 {
		name = strings.TrimSuffix(names[0], ".")
	}
	cache[addr] = name
	return name
}

// unreachableNote is traceroute's annotation of a destination unreachable
// code; "" for port unreachable, the normal end of a UDP trace.
func unreachableNote(m icmp.Message, v6 bool) string {
	if v6 {
		switch m.Code {
		case 0:
			return "!N"
		case 1:
			return "!X"
		case 3:
			return "!H"
		case 4:
			return ""
		}
		return fmt.Sprintf("!<%d>", m.Code)
	}
	switch m.Code {
	case 0, 6, 9:
		return "!N"
	case 1, 7, 10:
		return "!H"
	case 2:
		return "!P"
	case 3:
		return ""
	case 4:
		return "!F"
	case 5:
		return "!S"
	case 13:
		return "!X"
	}
	return fmt.Sprintf("!<%d>", m.Code)
}
