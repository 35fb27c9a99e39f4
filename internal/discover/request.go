package discover

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// Scan limits. A /16 is the largest range InterMapper-style sweeps make
// sense for; beyond it a scan takes hours and looks like an attack.
const (
	MaxRangeBits   = 16     // the shortest IPv4 prefix accepted
	MaxRangeBits6  = 112    // the shortest IPv6 prefix accepted (65,536 addresses)
	MaxAddresses   = 65_536 // addresses in one request, all ranges together
	MaxConcurrency = 256
	MaxRate        = 2000 // probes per second
	MaxCredentials = 16
	MaxPorts       = 64
)

// DefaultPorts are the TCP services checked on each host: ssh, telnet,
// smtp, dns, http, pop3, imap, https, smb, rdp, http-alt.
func DefaultPorts() []int { return []int{22, 23, 25, 53, 80, 110, 143, 443, 445, 3389, 8080} }

// Request is one scan.
type Request struct {
	// CIDRs are the ranges to scan; nothing outside them is ever sent to.
	// A bare address is a /32 (/128).
	CIDRs []string `json:"cidrs"`
	// Communities are tried, in order, after the defaults' community
	// (SNMP v2c); Users are SNMPv3 users tried after them.
	Communities []string           `json:"communities,omitempty"`
	Users       []snmp.Credentials `json:"v3_users,omitempty"`
	// Ports are the TCP ports checked; nil means DefaultPorts, an empty
	// list none.
	Ports []int `json:"ports,omitempty"`
	// ProbeSilent also sends SNMP and TCP probes to addresses that did not
	// answer the ping sweep, to find hosts that filter ICMP.
	ProbeSilent bool `json:"probe_silent,omitempty"`
	// Concurrency bounds probes in flight (default 64); Rate bounds probes
	// started per second (default 200).
	Concurrency int `json:"concurrency,omitempty"`
	Rate        int `json:"rate,omitempty"`
	// Timeout is the wait for one answer (default 1s).
	Timeout time.Duration `json:"timeout,omitempty"`
}

// Plan is a validated request: its ranges and limits, defaults filled in.
type Plan struct {
	Ranges      []netip.Prefix
	Total       int // addresses to sweep
	Credentials []snmp.Credentials
	Ports       []int
	ProbeSilent bool
	Concurrency int
	Rate        int
	Timeout     time.Duration
}

// Prepare checks r and fills in its defaults. base is the server's
// default SNMP credentials, tried first. Errors name the field and the
// offending value, for the API and the command line.
func (r Request) Prepare(base snmp.Credentials) (Plan, error) {
	p := Plan{ProbeSilent: r.ProbeSilent, Concurrency: r.Concurrency, Rate: r.Rate, Timeout: r.Timeout}
	if len(r.CIDRs) == 0 {
		return p, errors.New("cidrs: give at least one range to scan, e.g. 192.0.2.0/24")
	}
	var errs []error
	for _, s := range r.CIDRs {
		pr, err := parseRange(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, q := range p.Ranges {
			if q.Overlaps(pr) {
				errs = append(errs, fmt.Errorf("cidrs: %s overlaps %s", pr, q))
			}
		}
		p.Ranges = append(p.Ranges, pr)
		p.Total += hostCount(pr)
	}
	if p.Total > MaxAddresses {
		errs = append(errs, fmt.Errorf("cidrs: %d addresses in all; at most %d may be scanned at once", p.Total, MaxAddresses))
	}
	switch {
	case p.Concurrency == 0:
		p.Concurrency = 64
	case p.Concurrency < 0 || p.Concurrency > MaxConcurrency:
		errs = append(errs, fmt.Errorf("concurrency: %d is out of range 1-%d", p.Concurrency, MaxConcurrency))
	}
	switch {
	case p.Rate == 0:
		p.Rate = 200
	case p.Rate < 0 || p.Rate > MaxRate:
		errs = append(errs, fmt.Errorf("rate: %d probes per second is out of range 1-%d", p.Rate, MaxRate))
	}
	switch {
	case p.Timeout == 0:
		p.Timeout = time.Second
	case p.Timeout < 10*time.Millisecond || p.Timeout > 30*time.Second:
		errs = append(errs, fmt.Errorf("timeout: %s is out of range 10ms-30s", p.Timeout))
	}
	p.Ports = r.Ports
	if p.Ports == nil {
		p.Ports = DefaultPorts()
	}
	if len(p.Ports) > MaxPorts {
		errs = append(errs, fmt.Errorf("ports: %d ports; at most %d", len(p.Ports), MaxPorts))
	}
	for _, port := range p.Ports {
		if port < 1 || port > 65535 {
			errs = append(errs, fmt.Errorf("ports: %d is not a TCP port", port))
		}
	}
	p.Credentials = credentialList(base, r.Communities, r.Users)
	if len(p.Credentials) > MaxCredentials {
		errs = append(errs, fmt.Errorf("communities and v3_users: %d to try; at most %d", len(p.Credentials), MaxCredentials))
	}
	for i, c := range p.Credentials {
		if err := c.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("credentials #%d (%s): %w", i+1, c, err))
		}
	}
	return p, errors.Join(errs...)
}

// parseRange reads a CIDR or a bare address and refuses ranges too large
// to scan. Host bits are refused rather than cleared: 192.0.2.77/24 is
// more likely a typo than a wish to scan the /24.
func parseRange(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	var p netip.Prefix
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return p, fmt.Errorf("cidrs: %q: zoned addresses cannot be scanned", s)
		}
		p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	} else {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("cidrs: %q is not a CIDR range such as 192.0.2.0/24", s)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if p.Masked() != p {
			return p, fmt.Errorf("cidrs: %s has host bits set; did you mean %s?", s, p.Masked())
		}
	}
	a := p.Addr()
	switch {
	case a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() && p.Bits() < a.BitLen()-8:
		return p, fmt.Errorf("cidrs: %s cannot be scanned (unspecified, multicast or the whole loopback range)", p)
	case a.Is4() && p.Bits() < MaxRangeBits:
		return p, fmt.Errorf("cidrs: %s is larger than a /%d; split it into /%d ranges or smaller", p, MaxRangeBits, MaxRangeBits)
	case a.Is6() && p.Bits() < MaxRangeBits6:
		return p, fmt.Errorf("cidrs: %s is larger than a /%d; IPv6 subnets cannot be swept, list the addresses", p, MaxRangeBits6)
	case a.Is4() && p.Bits() == 32 && isLimitedBroadcast(a):
		return p, fmt.Errorf("cidrs: %s is the broadcast address", p)
	}
	return p, nil
}

func isLimitedBroadcast(a netip.Addr) bool { return a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) }

// hostCount is the number of addresses of p that are scanned.
func hostCount(p netip.Prefix) int {
	n := 1 << (p.Addr().BitLen() - p.Bits())
	if p.Addr().Is4() && p.Bits() < 31 {
		n -= 2 // network and broadcast addresses
	}
	return n
}

// hosts calls fn for each address of p that is scanned, in order: for an
// IPv4 range shorter than /31 the network and broadcast addresses are
// left out (a probe to either reaches every host or none, and is no
// device). fn returning false stops the walk.
func hosts(p netip.Prefix, fn func(netip.Addr) bool) {
	first := p.Masked().Addr()
	last := lastAddr(p)
	if p.Addr().Is4() && p.Bits() < 31 {
		first, last = first.Next(), last.Prev()
	}
	for a := first; a.IsValid() && a.Compare(last) <= 0; a = a.Next() {
		if !fn(a) {
			return
		}
	}
}

// lastAddr is the highest address of p (IPv4: the broadcast address).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// credentialList is the base credentials, then one v2c credential per
// listed community, then the v3 users, without repeats.
func credentialList(base snmp.Credentials, communities []string, users []snmp.Credentials) []snmp.Credentials {
	base = snmp.Merge(base, snmp.DefaultCredentials())
	out := []snmp.Credentials{base}
	seen := map[string]bool{credKey(base): true}
	add := func(c snmp.Credentials) {
		if k := credKey(c); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	for _, c := range communities {
		add(snmp.Credentials{Version: "2c", Community: c, Port: base.Port})
	}
	for _, u := range users {
		u.Version = "3"
		if u.Port == 0 {
			u.Port = base.Port
		}
		add(u)
	}
	return out
}

func credKey(c snmp.Credentials) string {
	return strings.Join([]string{c.Version, c.Community, c.User, c.Auth, c.AuthKey, c.Priv, c.PrivKey, c.Context, fmt.Sprint(c.Port)}, "\x00")
}
