package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// sysUpTimeOID is read with the probe's variables unless nomib2.
const sysUpTimeOID = "1.3.6.1.2.1.1.3.0"

// Labels shown in the display for a variable without a value.
const (
	labelNoSuchName = "[noSuchName]"
	labelNA         = "[N/A]"
	labelBadOID     = "[bad OID]"
)

// errNotRead marks a variable the poll ran out of time to read.
var errNotRead = errors.New("not read: the poll timed out")

// snmpProbe is one instance of a custom-snmp or custom-snmp-trap probe:
// its variables (persistent between polls), the previous samples of its
// rates and its OID cache. Poll and HandleTrap may be called from
// different goroutines.
type snmpProbe struct {
	spec *snmpSpec
	d    Deps

	mu     sync.Mutex
	vars   vars
	labels map[string]string // what the display shows for an undefined variable
	res    resolver
	prev   map[string]sample // previous samples of rate variables
	uptime sample
	// address and params of the last poll, for traps.
	address string
	params  map[string]string
	// trap state: the last trap's result, the special variables it set
	// and the previous values of TRAPVARIABLE rates.
	trapped  bool
	last     status.Result
	trapSet  []string
	trapPrev map[string]sample
	// on-demand tables: those fetched by the last poll, and while the
	// display renders, the tables placed in it and built.
	fetched map[string]*tableData
	placed  []placedTable
	built   map[string]builtTable
}

// trapProbe is an snmpProbe that takes traps.
type trapProbe struct{ *snmpProbe }

func newSNMPProbe(spec *snmpSpec, d Deps) probe.Probe {
	p := &snmpProbe{
		spec: spec, d: d, vars: vars{}, labels: map[string]string{},
		res: resolver{names: d.Names}, prev: map[string]sample{}, trapPrev: map[string]sample{},
		params: paramValues(spec.file, nil),
	}
	if spec.trapOnly || spec.trapVars {
		return trapProbe{p}
	}
	return p
}

// request is one variable to read; v is nil for sysUpTime.
type request struct {
	v   *varSpec
	ref oidRef
}

// answer is what the agent said for one request.
type answer struct {
	val snmp.Value
	err error
}

// Poll reads the probe's variables and evaluates the probe file.
func (p *snmpProbe) Poll(ctx context.Context, t probe.Target) (res status.Result) {
	defer guard(p.d.Now, &res)
	params := paramValues(p.spec.file, t.Params)
	p.mu.Lock()
	p.address, p.params = t.Address, params
	if p.spec.trapOnly {
		defer p.mu.Unlock()
		return p.trapState()
	}
	e := p.env()
	reqs, planErrs := p.plan(e)
	tplans := p.planTables(e)
	for _, tp := range tplans {
		planErrs = append(planErrs, tp.errs...)
	}
	p.mu.Unlock()

	var answers []answer
	if len(reqs) > 0 {
		if p.d.SNMP == nil {
			return status.Result{Level: status.Unknown, Reason: "no SNMP client to poll with", Time: p.d.Now()}
		}
		pctx, cancel := withTimeout(ctx, t.Timeout)
		defer cancel()
		var responded bool
		var err error
		answers, responded, err = p.fetch(pctx, p.target(t), reqs)
		switch {
		case ctx.Err() != nil:
			return status.Result{Level: status.Unknown, Reason: "poll cancelled", Time: p.d.Now()}
		case errors.Is(err, snmp.ErrAuth):
			return p.snapshot(status.Alarm, "SNMPv3 authentication failed: "+err.Error(), false)
		case err != nil:
			return p.snapshot(status.Alarm, "SNMP request failed: "+err.Error(), false)
		case !responded:
			return p.noResponse(ctx, t.Address)
		}
	}
	var fetched map[string]*tableData
	if len(tplans) > 0 {
		pctx, cancel := withTimeout(ctx, t.Timeout)
		fetched = p.fetchTables(pctx, p.target(t), tplans)
		cancel()
		if ctx.Err() != nil {
			return status.Result{Level: status.Unknown, Reason: "poll cancelled", Time: p.d.Now()}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fetched = fetched
	p.apply(reqs, answers, p.d.Now())
	res = p.evaluate(p.env())
	if len(planErrs) > 0 {
		errs, _ := res.Values["errors"].([]string)
		res.Values["errors"] = append(errs, planErrs...)
	}
	return res
}

// env is the evaluation environment over the probe's variables; p.mu held.
func (p *snmpProbe) env() *env {
	return newEnv(p.vars, p.address, p.params, p.d.Now)
}

// target is the agent to ask: the device with its merged credentials, on
// the probe's port_number when the credentials give none.
func (p *snmpProbe) target(t probe.Target) snmp.Target {
	creds := t.SNMP
	if creds.Port == 0 && p.spec.file.Header.PortNumber > 0 {
		creds.Port = p.spec.file.Header.PortNumber
	}
	return snmp.Target{Address: t.Address, Creds: creds}
}

// plan substitutes parameters into the OID fields and resolves them;
// p.mu held. Variables whose OID cannot be resolved get a label and an
// error message.
func (p *snmpProbe) plan(e *env) ([]request, []string) {
	var reqs []request
	var errs []string
	if p.spec.mib2 {
		reqs = append(reqs, request{ref: oidRef{OID: sysUpTimeOID}})
	}
	for _, v := range p.spec.vars {
		if v.Type == "CALCULATION" || v.IsTrap() {
			continue
		}
		ref, err := p.res.resolve(expr.Expand(v.OID, e))
		if err != nil {
			p.vars[v.key] = expr.Undefined()
			p.labels[v.key] = labelBadOID
			errs = append(errs, lineMsg(p.spec.file.Path, v.Line, "variable %s: %v", v.Name, err))
			continue
		}
		reqs = append(reqs, request{v: v, ref: ref})
	}
	return reqs, errs
}

// fetch reads the requests, maxvars at a time, with Get for exact OIDs and
// Get-Next for "+" ones. responded is false when the agent never answered;
// err is set only for failures that concern the whole device
// (authentication).
func (p *snmpProbe) fetch(ctx context.Context, t snmp.Target, reqs []request) (answers []answer, responded bool, err error) {
	answers = make([]answer, len(reqs))
	for i := range answers {
		answers[i].err = errNotRead
	}
	n := p.spec.maxVars
	if n <= 0 {
		n = len(reqs)
	}
	for start := 0; start < len(reqs); start += n {
		for _, next := range []bool{false, true} {
			var idx []int
			var oids []string
			for i := start; i < min(start+n, len(reqs)); i++ {
				if reqs[i].ref.Next == next {
					idx = append(idx, i)
					oids = append(oids, reqs[i].ref.OID)
				}
			}
			if len(oids) == 0 {
				continue
			}
			get := p.d.SNMP.Get
			if next {
				get = p.d.SNMP.GetNext
			}
			vals, gerr := get(ctx, t, oids...)
			switch {
			case ctx.Err() != nil:
				return answers, responded, nil
			case errors.Is(gerr, snmp.ErrAuth):
				return answers, true, gerr
			case gerr == nil:
				responded = true
			case !errors.Is(gerr, snmp.ErrTimeout) && !errors.Is(gerr, context.DeadlineExceeded):
				responded = true // the agent answered, with an error
			}
			for j, i := range idx {
				switch {
				case gerr != nil:
					answers[i].err = gerr
				case j < len(vals):
					answers[i] = answer{val: vals[j]}
				default:
					answers[i].err = errors.New("agent returned fewer variables than asked for")
				}
			}
		}
	}
	return answers, responded, nil
}

// apply stores the answers into the variables; p.mu held.
func (p *snmpProbe) apply(reqs []request, answers []answer, now time.Time) {
	for i, r := range reqs { // sysUpTime first: a restarted agent resets rates
		if a := answers[i]; r.v == nil && a.err == nil && a.val.Exists() {
			cur := newSample(a.val, now)
			if p.uptime.real && cur.u < p.uptime.u {
				clear(p.prev)
			}
			p.uptime = cur
			if _, declared := p.spec.byKey["sysuptime"]; !declared {
				p.vars["sysuptime"] = expr.Number(float64(cur.u))
			}
		}
	}
	for i, r := range reqs {
		if r.v == nil {
			continue
		}
		key, a := r.v.key, answers[i]
		delete(p.labels, key)
		switch {
		case a.err != nil:
			p.unset(key, labelNA)
			continue
		case !a.val.Exists() || r.ref.Next && !snmp.InSubtree(a.val.OID, r.ref.Root):
			p.unset(key, labelNoSuchName)
			continue
		}
		typ := r.v.Type
		if typ == "DEFAULT" {
			typ = deduce(a.val)
		}
		if typ != typePerSecond && typ != typePerMinute {
			p.vars[key] = convert(typ, a.val, p.d.Names)
			continue
		}
		cur := newSample(a.val, now)
		rt, ok := rate(p.prev[key], cur, typ == typePerMinute)
		p.prev[key] = cur
		if ok {
			p.vars[key] = expr.Number(rt)
		} else {
			p.unset(key, "")
		}
	}
}

// unset leaves a variable undefined, shown as label.
func (p *snmpProbe) unset(key, label string) {
	p.vars[key] = expr.Undefined()
	p.labels[key] = label
}

// snapshot is a result that is not from evaluating the probe file, with
// the variables as they stand.
func (p *snmpProbe) snapshot(l status.Level, reason string, noResponse bool) status.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return status.Result{Level: l, Reason: reason, NoResponse: noResponse, Time: p.d.Now(),
		Values: map[string]any{"vars": p.varValues()}}
}

// noResponse is the status of a device whose agent is silent: Alarm when
// it answers ping, else Down (and counted as no response).
func (p *snmpProbe) noResponse(ctx context.Context, address string) status.Result {
	const reason = "No SNMP Response."
	if p.spec.noFallback || p.d.Pinger == nil {
		return p.snapshot(status.Down, reason, true)
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ip, err := resolveIP(pctx, address)
	if err != nil {
		return p.snapshot(status.Down, reason+" (cannot ping: "+err.Error()+")", true)
	}
	st, _ := p.d.Pinger.Ping(pctx, icmp.Request{Addr: ip, Count: 2, Timeout: 800 * time.Millisecond})
	if st.Received == 0 {
		return p.snapshot(status.Down, reason, true)
	}
	r := p.snapshot(status.Alarm, reason+fmt.Sprintf(" (device answers ping in %.1f ms)", float64(st.Avg)/1e6), false)
	r.RTT = st.Avg
	return r
}

// resolveIP turns the device's address into an IP for the ping fallback.
func resolveIP(ctx context.Context, host string) (netip.Addr, error) {
	host = strings.Trim(strings.TrimSpace(host), "[]")
	if a, err := netip.ParseAddr(host); err == nil {
		return a, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if err != nil {
		return netip.Addr{}, err
	}
	return addrs[0].Unmap(), nil
}
