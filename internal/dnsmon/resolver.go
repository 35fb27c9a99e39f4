package dnsmon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Answer is what a lookup found, with the TTL it may be trusted for.
type Answer struct {
	// Name is the fully-qualified name asked about.
	Name string
	// Addrs are a name's addresses (A and AAAA), sorted.
	Addrs []netip.Addr
	// Names are an address's names (PTR), fully qualified, sorted.
	Names []string
	// TTL is the least TTL of the records used.
	TTL time.Duration
	// Server is the server that answered.
	Server string
	RTT    time.Duration
}

// NotFoundError is a definite "no": the name does not exist (NXDOMAIN) or
// has no records of the types asked for. TTL is the negative-caching time
// the server gave (from its SOA), zero when it gave none.
type NotFoundError struct {
	Name     string
	What     string // "address", "name"
	Server   string
	NXDomain bool
	TTL      time.Duration
}

func (e *NotFoundError) Error() string {
	if e.NXDomain {
		return fmt.Sprintf("%s does not exist (NXDOMAIN from %s)", strings.TrimSuffix(e.Name, "."), e.Server)
	}
	return fmt.Sprintf("%s has no %s records (DNS %s)", strings.TrimSuffix(e.Name, "."), e.What, e.Server)
}

// ServerError is an answer that says nothing about the name: SERVFAIL,
// REFUSED and the like.
type ServerError struct {
	Name   string
	Server string
	Rcode  int
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("DNS server %s answered %s for %s", e.Server, dns.RcodeToString[e.Rcode], strings.TrimSuffix(e.Name, "."))
}

// Resolver sends queries to the configured servers. It is safe for
// concurrent use and holds no cache: watching (and so caching) is per
// name, in Watch.
type Resolver struct {
	cfg    Config
	logger *slog.Logger
	// resolvConf is read when no servers are configured.
	resolvConf string
}

// New returns a resolver for cfg; it is inert until the first lookup (the
// system's resolv.conf, when needed, is read at each lookup so that edits
// are seen). nil logger discards.
func New(cfg Config, logger *slog.Logger) *Resolver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Resolver{cfg: cfg, logger: logger, resolvConf: "/etc/resolv.conf"}
}

// MinTTL is the configured least time between two resolutions of a name.
func (r *Resolver) MinTTL() time.Duration { return r.cfg.MinTTL }

// Servers are the servers asked, as host:port, in order.
func (r *Resolver) Servers() ([]string, error) {
	if len(r.cfg.Servers) == 0 {
		return systemServers(r.resolvConf)
	}
	out := make([]string, 0, len(r.cfg.Servers))
	for _, s := range r.cfg.Servers {
		a, err := serverAddr(s)
		if err != nil {
			return nil, fmt.Errorf("dns.servers: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// Exchange asks the configured servers in turn until one gives an answer
// that says something about the name (anything but SERVFAIL, REFUSED,
// NOTIMP or silence).
func (r *Resolver) Exchange(ctx context.Context, name string, qtype uint16) (Reply, error) {
	servers, err := r.Servers()
	if err != nil {
		return Reply{}, err
	}
	var errs []error
	for _, s := range servers {
		rep, err := Query(ctx, s, name, qtype, QueryOptions{Timeout: r.cfg.Timeout, Attempts: r.cfg.Attempts})
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		switch rep.Msg.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
			return rep, nil
		}
		errs = append(errs, &ServerError{Name: name, Server: s, Rcode: rep.Msg.Rcode})
	}
	r.logger.Debug("no DNS server answered", "name", name, "type", dns.TypeToString[qtype], "err", errors.Join(errs...))
	return Reply{}, errors.Join(errs...)
}

// LookupHost resolves a name to its A and AAAA addresses. When one type
// is answered with addresses and the other fails (a forwarder that refuses
// AAAA, say), the addresses found are the answer.
func (r *Resolver) LookupHost(ctx context.Context, name string) (Answer, error) {
	fq, err := Qualify(name)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Name: fq}
	var failure error
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rep, err := r.Exchange(ctx, fq, qt)
		if err != nil {
			if ctx.Err() != nil {
				return Answer{}, err
			}
			failure = err
			continue
		}
		a.Server, a.RTT = rep.Server, a.RTT+rep.RTT
		if rep.Msg.Rcode == dns.RcodeNameError {
			// No need to ask for AAAA: the name does not exist at all.
			return Answer{}, &NotFoundError{Name: fq, What: "address", Server: rep.Server, NXDomain: true, TTL: negativeTTL(rep.Msg)}
		}
		addrs, ttl := addrsOf(rep.Msg, fq, qt)
		if len(addrs) == 0 {
			if failure == nil {
				failure = &NotFoundError{Name: fq, What: "address", Server: rep.Server, TTL: negativeTTL(rep.Msg)}
			}
			continue
		}
		a.Addrs = append(a.Addrs, addrs...)
		if a.TTL == 0 || ttl < a.TTL {
			a.TTL = ttl
		}
	}
	if len(a.Addrs) == 0 {
		return Answer{}, failure
	}
	slices.SortFunc(a.Addrs, func(x, y netip.Addr) int { return x.Compare(y) })
	a.Addrs = slices.Compact(a.Addrs)
	return a, nil
}

// LookupAddr resolves an address to its names (PTR).
func (r *Resolver) LookupAddr(ctx context.Context, addr netip.Addr) (Answer, error) {
	rev, err := ReverseName(addr)
	if err != nil {
		return Answer{}, err
	}
	rep, err := r.Exchange(ctx, rev, dns.TypePTR)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Name: rev, Server: rep.Server, RTT: rep.RTT}
	if rep.Msg.Rcode == dns.RcodeNameError {
		return Answer{}, &NotFoundError{Name: addr.String(), What: "name", Server: rep.Server, NXDomain: true, TTL: negativeTTL(rep.Msg)}
	}
	for _, rr := range rep.Msg.Answer {
		if p, ok := rr.(*dns.PTR); ok && strings.EqualFold(p.Hdr.Name, rev) {
			a.Names = append(a.Names, p.Ptr)
			if ttl := ttlOf(rr); a.TTL == 0 || ttl < a.TTL {
				a.TTL = ttl
			}
		}
	}
	if len(a.Names) == 0 {
		return Answer{}, &NotFoundError{Name: addr.String(), What: "PTR", Server: rep.Server, TTL: negativeTTL(rep.Msg)}
	}
	slices.Sort(a.Names)
	a.Names = slices.Compact(a.Names)
	return a, nil
}

// addrsOf collects the addresses of type qt for name, following CNAMEs
// within the answer section (a recursive server puts the chain there).
func addrsOf(m *dns.Msg, name string, qt uint16) ([]netip.Addr, time.Duration) {
	owner := strings.ToLower(name)
	var minTTL time.Duration
	note := func(rr dns.RR) {
		if t := ttlOf(rr); minTTL == 0 || t < minTTL {
			minTTL = t
		}
	}
	// Bounded: each CNAME step consumes one record of the answer.
	for range len(m.Answer) + 1 {
		next := ""
		for _, rr := range m.Answer {
			if c, ok := rr.(*dns.CNAME); ok && strings.ToLower(c.Hdr.Name) == owner {
				next = strings.ToLower(c.Target)
				note(rr)
			}
		}
		if next == "" {
			break
		}
		owner = next
	}
	var out []netip.Addr
	for _, rr := range m.Answer {
		if strings.ToLower(rr.Header().Name) != owner {
			continue
		}
		var ip []byte
		switch v := rr.(type) {
		case *dns.A:
			if qt == dns.TypeA {
				ip = v.A.To4()
			}
		case *dns.AAAA:
			if qt == dns.TypeAAAA {
				ip = v.AAAA.To16()
			}
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a)
			note(rr)
		}
	}
	return out, minTTL
}

func ttlOf(rr dns.RR) time.Duration { return time.Duration(rr.Header().Ttl) * time.Second }

// negativeTTL is how long a "no" may be trusted (RFC 2308: the SOA's TTL
// capped by its MINIMUM); zero when the server sent no SOA.
func negativeTTL(m *dns.Msg) time.Duration {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second
		}
	}
	return 0
}
