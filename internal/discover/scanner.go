package discover

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// PTRResolver looks up an address's names; *dnsmon.Resolver is one.
type PTRResolver interface {
	LookupAddr(ctx context.Context, addr netip.Addr) (dnsmon.Answer, error)
}

// Deps are what a Scanner sends with. Nil members switch their step off,
// except Dialer, which defaults to a net.Dialer.
type Deps struct {
	Pinger Pinger
	SNMP   SNMPClient
	Dialer Dialer
	DNS    PTRResolver
	// Credentials are the server's default SNMP credentials, tried first.
	Credentials snmp.Credentials
	// LocalPrefixes are the host's own networks: NetBIOS is only asked of
	// hosts on them. nil means LocalPrefixes().
	LocalPrefixes func() []netip.Prefix
	Logger        *slog.Logger
}

// Scanner scans address ranges for devices. It keeps no state between
// scans: any number may run at once, each bounded by its own Plan.
type Scanner struct {
	deps Deps
	log  *slog.Logger
}

// New returns a scanner sending through deps.
func New(deps Deps) *Scanner {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Dialer == nil {
		deps.Dialer = &net.Dialer{}
	}
	if deps.LocalPrefixes == nil {
		deps.LocalPrefixes = LocalPrefixes
	}
	return &Scanner{deps: deps, log: deps.Logger}
}

// Scan phases, in order.
const (
	PhasePing   = "ping"
	PhaseSNMP   = "snmp"
	PhaseTCP    = "tcp"
	PhaseTables = "snmp-tables"
	PhaseNames  = "names"
	PhaseDone   = "done"
)

// Progress is reported as a scan advances: Done of Total steps of the
// current phase, and the hosts found so far.
type Progress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
	Found int    `json:"found"`
}

// Host is one device found.
type Host struct {
	Addr netip.Addr `json:"address"`
	// Name is the smart name (see SmartName) and NamedBy its source.
	Name        string        `json:"name"`
	NamedBy     string        `json:"named_by"`
	DNSName     string        `json:"dns_name,omitempty"`
	NetBIOSName string        `json:"netbios_name,omitempty"`
	Workgroup   string        `json:"workgroup,omitempty"`
	Ping        bool          `json:"ping"`
	RTT         time.Duration `json:"rtt,omitempty"`
	SNMP        *SNMPInfo     `json:"snmp,omitempty"`
	OpenPorts   []int         `json:"open_ports,omitempty"`
	// Subnet is the host's network: its real mask when an agent told it,
	// else the range scanned.
	Subnet netip.Prefix `json:"subnet"`
	// Mask is the host's own prefix length when its agent told it, else 0.
	Mask int `json:"mask,omitempty"`
	// Aliases are the host's other addresses that answered the scan (a
	// router's addresses on the other subnets).
	Aliases []netip.Addr `json:"aliases,omitempty"`
}

// Subnet is a network found, and how its mask is known.
type Subnet struct {
	Prefix netip.Prefix `json:"prefix"`
	Source string       `json:"source"` // "snmp" or "scan"
}

// FoundLink joins a host to a subnet (From, ToSubnet) or to another host
// (From, ToHost), with the interface at each end when known.
type FoundLink struct {
	From          netip.Addr   `json:"from"`
	ToSubnet      netip.Prefix `json:"to_subnet,omitzero"`
	ToHost        netip.Addr   `json:"to_host,omitzero"`
	FromInterface string       `json:"from_interface,omitempty"`
	ToInterface   string       `json:"to_interface,omitempty"`
	How           string       `json:"how"` // "ipAddrTable", "lldp", "cdp"
}

// Result is what a scan found.
type Result struct {
	Ranges  []netip.Prefix `json:"ranges"`
	Scanned int            `json:"scanned"`
	Hosts   []Host         `json:"hosts"`
	Subnets []Subnet       `json:"subnets"`
	Links   []FoundLink    `json:"links"`
	// Refused counts sends the range guard stopped; always 0 unless the
	// scanner has a bug.
	Refused int64 `json:"refused,omitempty"`
}

// scan is the state of one Scan call.
type scan struct {
	s        *Scanner
	plan     Plan
	g        *guard
	lim      *limiter
	pinger   Pinger
	snmp     SNMPClient
	dialer   Dialer
	mu       sync.Mutex
	hosts    map[netip.Addr]*Host
	report   func(Progress)
	phase    string
	done     int
	total    int
	reported time.Time
}

// Scan sweeps the request's ranges: ICMP echoes, SNMP with each
// credential in turn, TCP connects to the ports, then the agents' tables,
// reverse DNS and NetBIOS names. progress (may be nil) is called from one
// goroutine at a time. Cancelling ctx stops the scan and returns what was
// found so far with ctx's error.
func (s *Scanner) Scan(ctx context.Context, req Request, progress func(Progress)) (Result, error) {
	plan, err := req.Prepare(s.deps.Credentials)
	if err != nil {
		return Result{}, err
	}
	g := newGuard(plan.Ranges)
	sc := &scan{s: s, plan: plan, g: g, lim: newLimiter(plan.Rate), hosts: map[netip.Addr]*Host{},
		dialer: guardedDialer{g, s.deps.Dialer}, report: progress}
	defer sc.lim.stop()
	if s.deps.Pinger != nil {
		sc.pinger = guardedPinger{g, s.deps.Pinger}
	}
	if s.deps.SNMP != nil {
		sc.snmp = guardedSNMP{g, s.deps.SNMP}
	}
	s.log.Info("discovery started", "ranges", plan.Ranges, "addresses", plan.Total, "credentials", len(plan.Credentials), "ports", len(plan.Ports))
	err = sc.run(ctx)
	r := sc.result()
	r.Refused = g.refused.Load()
	if r.Refused > 0 {
		s.log.Error("discovery tried to send outside its ranges (refused)", "count", r.Refused)
	}
	s.log.Info("discovery finished", "hosts", len(r.Hosts), "subnets", len(r.Subnets), "links", len(r.Links), "err", err)
	return r, err
}

func (sc *scan) run(ctx context.Context) error {
	var all []netip.Addr
	for _, p := range sc.plan.Ranges {
		hosts(p, func(a netip.Addr) bool { all = append(all, a); return true })
	}
	if err := sc.sweep(ctx, all); err != nil {
		return err
	}
	candidates := all
	if !sc.plan.ProbeSilent {
		candidates = sc.found()
	}
	if err := sc.probeSNMP(ctx, candidates); err != nil {
		return err
	}
	if err := sc.probeTCP(ctx, candidates); err != nil {
		return err
	}
	if err := sc.readAgents(ctx); err != nil {
		return err
	}
	if err := sc.name(ctx); err != nil {
		return err
	}
	sc.start(PhaseDone, 0)
	return nil
}

// start begins a phase of total steps.
func (sc *scan) start(phase string, total int) {
	sc.mu.Lock()
	sc.phase, sc.done, sc.total = phase, 0, total
	sc.mu.Unlock()
	sc.progress(true)
}

// step counts one step done and reports at most ten times a second.
func (sc *scan) step() {
	sc.mu.Lock()
	sc.done++
	sc.mu.Unlock()
	sc.progress(false)
}

func (sc *scan) progress(force bool) {
	if sc.report == nil {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	now := time.Now()
	if !force && sc.done < sc.total && now.Sub(sc.reported) < 100*time.Millisecond {
		return
	}
	sc.reported = now
	sc.report(Progress{Phase: sc.phase, Done: sc.done, Total: sc.total, Found: len(sc.hosts)})
}

// host returns the record of a, creating it.
func (sc *scan) host(a netip.Addr) *Host {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	h := sc.hosts[a]
	if h == nil {
		h = &Host{Addr: a}
		sc.hosts[a] = h
	}
	return h
}

// update changes a's record under the lock, creating it.
func (sc *scan) update(a netip.Addr, fn func(h *Host)) {
	h := sc.host(a)
	sc.mu.Lock()
	fn(h)
	sc.mu.Unlock()
}

// found lists the hosts found so far, by address.
func (sc *scan) found() []netip.Addr {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	out := make([]netip.Addr, 0, len(sc.hosts))
	for a := range sc.hosts {
		out = append(out, a)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// each runs fn on every address with at most Concurrency at once, and
// stops early when ctx ends.
func (sc *scan) each(ctx context.Context, addrs []netip.Addr, fn func(ctx context.Context, a netip.Addr)) error {
	work := make(chan netip.Addr)
	var wg sync.WaitGroup
	for range min(sc.plan.Concurrency, max(len(addrs), 1)) {
		wg.Go(func() {
			for a := range work {
				fn(ctx, a)
				sc.step()
			}
		})
	}
feed:
	for _, a := range addrs {
		select {
		case work <- a:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return ctx.Err()
}

// sweep pings every address, a second time when the first echo is lost.
func (sc *scan) sweep(ctx context.Context, addrs []netip.Addr) error {
	sc.start(PhasePing, len(addrs))
	if sc.pinger == nil {
		return nil
	}
	return sc.each(ctx, addrs, func(ctx context.Context, a netip.Addr) {
		for range 2 {
			if sc.lim.wait(ctx) != nil {
				return
			}
			st, err := sc.pinger.Ping(ctx, icmp.Request{Addr: a, Count: 1, Timeout: sc.plan.Timeout})
			if err == nil && st.Received > 0 {
				sc.update(a, func(h *Host) { h.Ping, h.RTT = true, st.Min })
				return
			}
		}
	})
}

// probeSNMP identifies the agents among addrs.
func (sc *scan) probeSNMP(ctx context.Context, addrs []netip.Addr) error {
	sc.start(PhaseSNMP, len(addrs))
	if sc.snmp == nil {
		return nil
	}
	return sc.each(ctx, addrs, func(ctx context.Context, a netip.Addr) {
		info, err := identify(ctx, sc.snmp, a, sc.plan.Credentials, sc.lim, sc.plan)
		if err != nil {
			return
		}
		sc.update(a, func(h *Host) { h.SNMP = info })
	})
}

// probeTCP tries a connection to each port of each address.
func (sc *scan) probeTCP(ctx context.Context, addrs []netip.Addr) error {
	sc.start(PhaseTCP, len(addrs))
	if len(sc.plan.Ports) == 0 {
		return nil
	}
	return sc.each(ctx, addrs, func(ctx context.Context, a netip.Addr) {
		var open []int
		for _, port := range sc.plan.Ports {
			if sc.lim.wait(ctx) != nil {
				return
			}
			cctx, cancel := context.WithTimeout(ctx, sc.plan.Timeout)
			c, err := sc.dialer.DialContext(cctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String())
			cancel()
			if err == nil {
				c.Close()
				open = append(open, port)
			}
		}
		if len(open) > 0 {
			sc.update(a, func(h *Host) { h.OpenPorts = open })
		}
	})
}

// readAgents reads the tables of every agent found.
func (sc *scan) readAgents(ctx context.Context) error {
	var agents []netip.Addr
	for _, a := range sc.found() {
		if sc.host(a).SNMP != nil {
			agents = append(agents, a)
		}
	}
	sc.start(PhaseTables, len(agents))
	return sc.each(ctx, agents, func(ctx context.Context, a netip.Addr) {
		if sc.lim.wait(ctx) != nil {
			return
		}
		h := sc.host(a)
		sc.mu.Lock()
		info := *h.SNMP
		sc.mu.Unlock()
		// An agent's tables are read with a bound of its own, so one slow
		// agent cannot hold the scan for long.
		cctx, cancel := context.WithTimeout(ctx, 30*sc.plan.Timeout)
		readTables(cctx, sc.snmp, a, &info)
		cancel()
		sc.update(a, func(h *Host) { h.SNMP = &info })
	})
}

// name looks up each host's DNS name and, where the seed's rule asks for
// it and the host is on a local LAN, its NetBIOS name.
func (sc *scan) name(ctx context.Context) error {
	addrs := sc.found()
	sc.start(PhaseNames, len(addrs))
	local := sc.s.deps.LocalPrefixes()
	return sc.each(ctx, addrs, func(ctx context.Context, a netip.Addr) {
		var dnsName string
		if sc.s.deps.DNS != nil {
			cctx, cancel := context.WithTimeout(ctx, 5*sc.plan.Timeout)
			ans, err := sc.s.deps.DNS.LookupAddr(cctx, a)
			cancel()
			if err == nil && len(ans.Names) > 0 {
				dnsName = strings.TrimSuffix(ans.Names[0], ".")
			}
		}
		var ns NodeStatus
		if needsNetBIOS(dnsName) && onLAN(a, local) && a.Is4() && sc.lim.wait(ctx) == nil {
			ns, _ = nodeStatus(ctx, sc.dialer, a, sc.plan.Timeout)
		}
		sc.update(a, func(h *Host) {
			h.DNSName, h.NetBIOSName, h.Workgroup = dnsName, ns.Computer(), ns.Workgroup()
		})
	})
}

// onLAN reports whether a is on one of the local networks, where a
// NetBIOS node status request reaches it without crossing a router.
func onLAN(a netip.Addr, local []netip.Prefix) bool {
	for _, p := range local {
		if p.Masked().Contains(a) {
			return true
		}
	}
	return false
}

// result assembles the Result: names, subnets and links.
func (sc *scan) result() Result {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	r := Result{Ranges: sc.plan.Ranges, Scanned: sc.plan.Total}
	for _, h := range sc.hosts {
		if !h.Ping && h.SNMP == nil && len(h.OpenPorts) == 0 {
			continue
		}
		var sys string
		if h.SNMP != nil {
			sys = h.SNMP.SysName
		}
		h.Name, h.NamedBy = SmartName(Names{DNS: h.DNSName, NetBIOS: h.NetBIOSName, SysName: sys}, h.Addr)
		r.Hosts = append(r.Hosts, *h)
	}
	slices.SortFunc(r.Hosts, func(a, b Host) int { return a.Addr.Compare(b.Addr) })
	r.Hosts = foldAliases(r.Hosts)
	topology(&r)
	return r
}

// foldAliases merges the hosts that are other addresses of an agent (its
// ipAddrTable lists them) into that agent: a router answering on each of
// its subnets is one device, polled at its lowest address found, not one
// device per interface. hosts are sorted by address.
func foldAliases(hosts []Host) []Host {
	var out []Host
	for _, h := range hosts {
		k := slices.IndexFunc(out, func(o Host) bool {
			return o.SNMP != nil && (h.SNMP == nil || h.SNMP.SysName == o.SNMP.SysName) &&
				slices.ContainsFunc(o.SNMP.Addrs, func(ia IfAddr) bool { return ia.Prefix.Addr() == h.Addr })
		})
		if k < 0 {
			out = append(out, h)
			continue
		}
		out[k].Aliases = append(out[k].Aliases, h.Addr)
		out[k].OpenPorts = mergePorts(out[k].OpenPorts, h.OpenPorts)
	}
	return out
}

func mergePorts(a, b []int) []int {
	for _, p := range b {
		if !slices.Contains(a, p) {
			a = append(a, p)
		}
	}
	slices.Sort(a)
	return a
}

// limiter spaces the probes of a scan: at most rate a second, whatever
// the concurrency.
type limiter struct {
	t *time.Ticker
}

func newLimiter(rate int) *limiter {
	return &limiter{t: time.NewTicker(time.Second / time.Duration(rate))}
}

func (l *limiter) wait(ctx context.Context) error {
	select {
	case <-l.t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("discovery: %w", ctx.Err())
	}
}

func (l *limiter) stop() { l.t.Stop() }

// Credentials are the default SNMP credentials the scanner tries first.
func (s *Scanner) Credentials() snmp.Credentials { return s.deps.Credentials }
