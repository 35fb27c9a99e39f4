package probe

// DNS name monitoring, InterMapper's "Resolve name to address" and
// "Resolve address to name" device settings, as two probes using
// Vantage's own resolver (internal/dnsmon, the servers of config.yaml):
//   - vantage.dns.name watches a name: it re-resolves when the cached
//     answer's TTL (or the minimum) has run out at poll time, goes down
//     when the name stops resolving, and warns, naming the old and new
//     addresses, when the address set changes;
//   - vantage.dns.address looks an address's name up (PTR) and warns when
//     it changes.
// InterMapper has these as device settings rather than probes, so the
// identifiers are Vantage's own.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/status"
)

// DNSResolver is what the name probes need of the resolver
// (consumer-owned; *dnsmon.Resolver is one).
type DNSResolver interface {
	dnsmon.Lookuper
	LookupAddr(ctx context.Context, addr netip.Addr) (dnsmon.Answer, error)
	MinTTL() time.Duration
}

func dnsNameParams() []Param {
	return []Param{
		{Name: "name", Aliases: []string{"Domain Name", "DNS Name"}, Help: "fully-qualified name to watch; empty uses the device address when it is a name"},
		{Name: "expect", Aliases: []string{"IP Address"}, Help: "address the name must resolve to (one of its addresses); Alarm otherwise. Empty accepts any"},
		{Name: "min_ttl", Help: "least time between two resolutions, whatever the TTL (10s, 5m); empty uses dns.min_ttl of config.yaml"},
		{Name: "timeout", Default: "10s", Help: "how long one resolution may take"},
	}
}

// DNSNameInfos describes the name-to-address and address-to-name probes,
// resolving through r.
func DNSNameInfos(r DNSResolver) []Info {
	return []Info{
		{ID: "vantage.dns.name", Name: "DNS: Resolve Name to Address", Aliases: []string{"dns-name", "resolve-name"}, Params: dnsNameParams(),
			New: func() Probe { return &dnsNameProbe{res: r} }},
		{ID: "vantage.dns.address", Name: "DNS: Resolve Address to Name", Aliases: []string{"dns-address", "reverse-dns"}, Params: dnsAddrParams(),
			New: func() Probe { return &dnsAddrProbe{res: r} }},
	}
}

type dnsNameConfig struct {
	name    string
	expect  netip.Addr
	minTTL  time.Duration // < 0: the resolver's
	timeout time.Duration
}

func parseDNSNameConfig(params map[string]string, address string) (dnsNameConfig, error) {
	p := resolveParams(dnsNameParams(), params)
	c := dnsNameConfig{minTTL: -1}
	var err error
	name := strings.TrimSpace(p["name"])
	if name == "" {
		name = strings.TrimSpace(address)
		if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
			return c, fmt.Errorf("parameter name: the device address %s is an IP address; give the name to watch, or use vantage.dns.address", name)
		}
	}
	if name != "" {
		if c.name, err = dnsmon.Qualify(name); err != nil {
			return c, fmt.Errorf("parameter name: %w", err)
		}
	}
	if s := strings.TrimSpace(p["expect"]); s != "" {
		if c.expect, err = netip.ParseAddr(s); err != nil {
			return c, fmt.Errorf("parameter expect: %q is not an IP address", s)
		}
	}
	if s := strings.TrimSpace(p["min_ttl"]); s != "" {
		if c.minTTL, err = parseDuration(s, time.Second); err != nil || c.minTTL < 0 {
			return c, fmt.Errorf("parameter min_ttl: %q is not a duration like 30s", s)
		}
	}
	if c.timeout, err = parseTimeout(p["timeout"]); err != nil {
		return c, fmt.Errorf("parameter timeout: %w", err)
	}
	return c, nil
}

// dnsNameProbe keeps its watch between polls (one probe per device).
type dnsNameProbe struct {
	res DNSResolver
	now func() time.Time // nil: time.Now

	mu      sync.Mutex
	watch   *dnsmon.Watch
	watchOf dnsNameConfig
	// change is the reason of the last address change; it stands until
	// the name is next resolved without a change.
	change string
}

func (p *dnsNameProbe) CheckParams(params map[string]string) error {
	_, err := parseDNSNameConfig(params, "")
	return err
}

func (p *dnsNameProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseDNSNameConfig(t.Params, t.Address)
	if err != nil {
		return badParams(err)
	}
	if c.name == "" {
		return badParams(errors.New("parameter name: no name to watch"))
	}
	if p.res == nil {
		return failed(status.Unknown, false, "no DNS resolver configured")
	}
	window := pollWindow(ctx, t, c.timeout)
	qctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.watch == nil || p.watchOf != c {
		minTTL := c.minTTL
		if minTTL < 0 {
			minTTL = p.res.MinTTL()
		}
		p.watch, p.watchOf, p.change = dnsmon.NewWatch(p.res, c.name, minTTL, p.now), c, ""
	}
	chk := p.watch.Check(qctx)
	if chk.Err != nil && cancelled(ctx) {
		return cancelledResult()
	}
	r := newResult()
	now := time.Now()
	if p.now != nil {
		now = p.now()
	}
	r.Values["next_resolve"] = chk.Next.UTC().Format(time.RFC3339)
	r.Values["next_resolve_s"] = max(chk.Next.Sub(now).Seconds(), 0)
	if chk.Err != nil {
		r = failed(status.Down, true, dnsNameFailure(c.name, chk.Err))
		r.Values["next_resolve"] = chk.Next.UTC().Format(time.RFC3339)
		p.change = ""
		return r
	}
	ans := chk.Answer
	r.Values["addresses"] = joinAddrs(ans.Addrs)
	r.Values["ttl_s"] = ans.TTL.Seconds()
	r.Values["server"] = ans.Server
	switch {
	case chk.Changed:
		p.change = fmt.Sprintf("address change: %q changed from %s to %s (DNS %s)",
			strings.TrimSuffix(c.name, "."), joinAddrs(chk.Previous), joinAddrs(ans.Addrs), ans.Server)
	case chk.Resolved:
		p.change = ""
	}
	if p.change != "" {
		raise(&r, status.Warning, p.change)
	}
	if c.expect.IsValid() && !slices.Contains(ans.Addrs, c.expect) {
		raise(&r, status.Alarm, fmt.Sprintf("%s resolves to %s, not %s", strings.TrimSuffix(c.name, "."), joinAddrs(ans.Addrs), c.expect))
	}
	var rtt time.Duration
	if chk.Resolved {
		rtt = ans.RTT // a cached answer has no response time
	}
	return finish(&r, rtt, rttThresholds{})
}

// dnsNameFailure explains why a name did not resolve.
func dnsNameFailure(name string, err error) string {
	var nf *dnsmon.NotFoundError
	var nq *dnsmon.NotQualifiedError
	switch {
	case errors.As(err, &nq):
		return err.Error()
	case errors.As(err, &nf):
		return "name stopped resolving: " + err.Error()
	}
	return fmt.Sprintf("cannot resolve %s: %v", strings.TrimSuffix(name, "."), err)
}

func dnsAddrParams() []Param {
	return []Param{
		{Name: "address", Help: "IP address to look up; empty uses the device address (resolved first when it is a name)"},
		{Name: "expect", Aliases: []string{"DNS Name"}, Help: "name the address must map to; Alarm otherwise. Empty accepts any"},
		{Name: "timeout", Default: "10s", Help: "how long one lookup may take"},
	}
}

// dnsAddrProbe remembers the last names to tell a change.
type dnsAddrProbe struct {
	res DNSResolver

	mu   sync.Mutex
	last []string
}

func (p *dnsAddrProbe) CheckParams(params map[string]string) error {
	pp := resolveParams(dnsAddrParams(), params)
	if s := strings.TrimSpace(pp["address"]); s != "" {
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Errorf("parameter address: %q is not an IP address", s)
		}
	}
	if _, err := parseTimeout(pp["timeout"]); err != nil {
		return fmt.Errorf("parameter timeout: %w", err)
	}
	return nil
}

func (p *dnsAddrProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	if err := p.CheckParams(t.Params); err != nil {
		return badParams(err)
	}
	if p.res == nil {
		return failed(status.Unknown, false, "no DNS resolver configured")
	}
	pp := resolveParams(dnsAddrParams(), t.Params)
	timeout, _ := parseTimeout(pp["timeout"])
	window := pollWindow(ctx, t, timeout)
	qctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()

	src := strings.TrimSpace(pp["address"])
	if src == "" {
		src = strings.Trim(strings.TrimSpace(t.Address), "[]")
	}
	addr, err := netip.ParseAddr(src)
	if err != nil {
		a, lerr := p.res.LookupHost(qctx, src)
		if lerr != nil {
			return failed(status.Down, true, fmt.Sprintf("cannot resolve the device address %s: %v", src, lerr))
		}
		addr = a.Addrs[0]
	}
	ans, err := p.res.LookupAddr(qctx, addr)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if cancelled(ctx) {
			return cancelledResult()
		}
		return failed(status.Down, true, fmt.Sprintf("address %s has no name: %v", addr, err))
	}
	r := newResult()
	names := make([]string, len(ans.Names))
	for i, n := range ans.Names {
		names[i] = strings.TrimSuffix(n, ".")
	}
	r.Values["names"] = strings.Join(names, ",")
	r.Values["ttl_s"] = ans.TTL.Seconds()
	if p.last != nil && !slices.Equal(p.last, names) {
		raise(&r, status.Warning, fmt.Sprintf("name change: %s changed from %s to %s (DNS %s)", addr, strings.Join(p.last, ","), strings.Join(names, ","), ans.Server))
	}
	p.last = names
	if want := strings.TrimSuffix(strings.TrimSpace(pp["expect"]), "."); want != "" && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, want) }) {
		raise(&r, status.Alarm, fmt.Sprintf("%s maps to %s, not %s", addr, strings.Join(names, ","), want))
	}
	return finish(&r, ans.RTT, rttThresholds{})
}
