package probe

// The SNMP probes: SNMP Traffic (com.dartware.snmp) and SNMP - High Traffic
// (com.dartware.snmp.traffic). Both read the MIB-II system group and the
// interface tables each poll and keep the last counters to turn them into
// rates; they differ in what sets the device's status (see snmp_grade.go).
// When the agent does not answer they ping the device, to tell "SNMP
// broken" from "device down", as InterMapper does unless NOICMPFALLBACK.
// Everything private here carries an snmp prefix.

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
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// SNMPClient is the part of the SNMP client the probes use
// (consumer-owned interface); *snmp.Client satisfies it.
type SNMPClient interface {
	Get(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error)
	Walk(ctx context.Context, t snmp.Target, root string, fn func(snmp.Value) error) error
	Table(ctx context.Context, t snmp.Target, columns ...string) (map[string]map[string]snmp.Value, error)
}

var _ SNMPClient = (*snmp.Client)(nil)

// Probe identifiers, InterMapper's own.
const (
	SNMPTrafficID     = "com.dartware.snmp"
	SNMPHighTrafficID = "com.dartware.snmp.traffic"
)

// SNMPInfos describes the SNMP probes, polling through c and falling back
// to ICMP through p (nil: no fallback).
func SNMPInfos(c SNMPClient, p Pinger) []Info {
	return []Info{
		{
			ID:        SNMPTrafficID,
			Name:      "SNMP Traffic",
			Aliases:   []string{"snmp"},
			Params:    snmpTrafficParams(),
			Shareable: true,
			New:       func() Probe { return newSNMPProbe(c, p, false) },
		},
		{
			ID:        SNMPHighTrafficID,
			Name:      "SNMP - High Traffic",
			Aliases:   []string{"snmp-hightraffic"},
			Params:    snmpHighTrafficParams(),
			Shareable: true,
			New:       func() Probe { return newSNMPProbe(c, p, true) },
		},
	}
}

func snmpCommonParams() []Param {
	return []Param{
		{Name: "icmp_fallback", Default: "true", Help: "when the agent does not answer, ping the device to tell a broken agent (Alarm) from a device that is down"},
	}
}

func snmpTrafficParams() []Param {
	return append([]Param{
		{Name: "link_critical", Aliases: []string{"LINKCRITICAL"}, Default: "false", Help: "an interface that is administratively up but operationally down makes the device Critical instead of Alarm"},
		{Name: "ignore_interfaces", Help: "interfaces left out of the link and threshold checks: comma-separated ifIndex numbers, names (ifName, ifDescr or ifAlias) or regular expressions matching a whole name"},
		{Name: "util_warning", Help: "Warning when an interface's inbound or outbound utilisation exceeds this percentage; empty means no threshold"},
		{Name: "util_alarm", Help: "Alarm when an interface's utilisation exceeds this percentage; empty means no threshold"},
		{Name: "util_critical", Help: "Critical when an interface's utilisation exceeds this percentage; empty means no threshold"},
		{Name: "errors_warning", Help: "Warning when an interface's inbound or outbound errors per minute exceed this; empty means no threshold"},
		{Name: "errors_alarm", Help: "Alarm when an interface's errors per minute exceed this; empty means no threshold"},
		{Name: "errors_critical", Help: "Critical when an interface's errors per minute exceed this; empty means no threshold"},
	}, snmpCommonParams()...)
}

func snmpHighTrafficParams() []Param {
	return append([]Param{
		{Name: "interface", Aliases: []string{"Port Number"}, Default: "1", Help: "the interface(s) watched: comma-separated ifIndex numbers, names (ifName, ifDescr or ifAlias) or regular expressions matching a whole name"},
		{Name: "in_warning", Default: "50", Help: "Warning when inbound utilisation exceeds this percentage; 0 or empty turns it off"},
		{Name: "in_alarm", Default: "90", Help: "Alarm when inbound utilisation exceeds this percentage; 0 or empty turns it off"},
		{Name: "out_warning", Default: "50", Help: "Warning when outbound utilisation exceeds this percentage; 0 or empty turns it off"},
		{Name: "out_alarm", Default: "90", Help: "Alarm when outbound utilisation exceeds this percentage; 0 or empty turns it off"},
		{Name: "bytes_warning", Aliases: []string{"Warn Threshold"}, Help: "Warning when inbound or outbound traffic exceeds this many bytes per second (InterMapper's High Traffic threshold); empty means none"},
		{Name: "bytes_alarm", Aliases: []string{"Alarm Threshold"}, Help: "Alarm when inbound or outbound traffic exceeds this many bytes per second; empty means none"},
	}, snmpCommonParams()...)
}

// snmpDefaultTimeout bounds a poll when neither the poller nor the
// caller's context says otherwise: long enough to walk a large switch.
const snmpDefaultTimeout = 30 * time.Second

// snmpProbe is one device's SNMP probe. The poller keeps the instance for
// as long as the device is unchanged, so last holds the previous poll's
// counters.
type snmpProbe struct {
	client SNMPClient
	pinger Pinger
	high   bool // SNMP - High Traffic rather than SNMP Traffic
	// now is the clock rates are computed from; tests replace it.
	now func() time.Time
	// lookup resolves DNS names for the ping fallback; tests replace it.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)

	mu   sync.Mutex
	last *snmpSample
}

func newSNMPProbe(c SNMPClient, p Pinger, high bool) *snmpProbe {
	return &snmpProbe{client: c, pinger: p, high: high, now: time.Now, lookup: net.DefaultResolver.LookupNetIP}
}

// CheckParams reports whether params are valid for this probe, so that a
// bad threshold or selector is refused when the device is saved.
func (p *snmpProbe) CheckParams(params map[string]string) error {
	_, err := parseSNMPConfig(params, p.high)
	return err
}

// snmpSystem is the MIB-II system group.
type snmpSystem struct {
	descr, objectID, contact, name, location string
	uptime                                   snmpCounter
}

func snmpSystemOIDs() []string {
	return []string{
		"1.3.6.1.2.1.1.1.0", // sysDescr
		"1.3.6.1.2.1.1.2.0", // sysObjectID
		"1.3.6.1.2.1.1.3.0", // sysUpTime
		"1.3.6.1.2.1.1.4.0", // sysContact
		"1.3.6.1.2.1.1.5.0", // sysName
		"1.3.6.1.2.1.1.6.0", // sysLocation
	}
}

// snmpReading is what one poll read from the agent.
type snmpReading struct {
	sys    snmpSystem
	rtt    time.Duration // of the system-group Get
	at     time.Time     // when the interface tables were read
	ifs    []snmpIfReading
	ifErr  error // the ifTable could not be read
	ifxErr error // the ifXTable could not be read (old agents lack it)
}

// Poll reads the agent, updates the rates and grades the device.
func (p *snmpProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	cfg, err := parseSNMPConfig(t.Params, p.high)
	if err != nil {
		return badParams(err)
	}
	creds := t.SNMP
	if creds.Version == "" {
		creds = snmp.Merge(creds, snmp.DefaultCredentials())
	}
	if err := creds.Validate(); err != nil {
		return p.result(status.Unknown, false, "invalid SNMP settings: "+err.Error())
	}
	window := pollWindow(ctx, t, snmpDefaultTimeout)
	pctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	// The system-group Get leaves a quarter of the time for the ping
	// fallback; the table walks may use all of it.
	budget := window
	if p.pinger != nil && cfg.fallback {
		budget = window * 3 / 4
	}
	gctx, gcancel := context.WithTimeout(pctx, budget)
	defer gcancel()

	target := snmp.Target{Address: strings.TrimSpace(t.Address), Creds: creds}
	rd, err := p.read(gctx, pctx, target)
	if err != nil {
		return p.failure(ctx, pctx, t.Address, cfg, err)
	}
	if rd.ifErr != nil && cancelled(ctx) {
		return cancelledResult()
	}
	res = p.result(status.OK, false, "")
	res.RTT = rd.rtt
	res.Events = p.update(&rd)
	if rd.ifErr != nil {
		raise(&res, status.Alarm, "cannot read the interface table: "+rd.ifErr.Error())
	} else {
		snmpGrade(&res, cfg, rd.ifs)
	}
	snmpValues(res.Values, rd)
	return res
}

// read gets the system group within getCtx, then walks the interface
// tables within ctx. Only a failed system-group Get is an error: the agent
// then did not answer.
func (p *snmpProbe) read(getCtx, ctx context.Context, t snmp.Target) (snmpReading, error) {
	var rd snmpReading
	start := time.Now()
	vals, err := p.client.Get(getCtx, t, snmpSystemOIDs()...)
	if err != nil {
		return rd, err
	}
	rd.rtt = time.Since(start)
	field := func(i int) snmp.Value {
		if i < len(vals) {
			return vals[i]
		}
		return snmp.Value{}
	}
	rd.sys = snmpSystem{
		descr: snmpText(field(0)), objectID: snmpText(field(1)), contact: snmpText(field(3)),
		name: snmpText(field(4)), location: snmpText(field(5)),
	}
	if up := snmpReadCounter(field(2)); up.ok {
		rd.sys.uptime = snmpCounter{v: up.v, ok: true}
	}
	ifRows, err := p.client.Table(ctx, t, snmpIfTableColumns()...)
	if err != nil {
		rd.ifErr = err
		rd.at = p.now()
		return rd, nil
	}
	ifxRows, err := p.client.Table(ctx, t, snmpIfXTableColumns()...)
	if err != nil {
		rd.ifxErr, ifxRows = err, nil
	}
	rd.at = p.now()
	rd.ifs = snmpDecodeInterfaces(ifRows, ifxRows)
	return rd, nil
}

// update compares rd with the previous poll: it fills in the rates and
// returns a REBOOT event when the agent restarted. It then keeps rd's
// counters for the next poll.
func (p *snmpProbe) update(rd *snmpReading) []status.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	prev := p.last
	var events []status.Event
	var elapsed time.Duration
	rebooted := false
	if prev != nil {
		elapsed = rd.at.Sub(prev.at)
		if snmpRebooted(prev.uptime, rd.sys.uptime, elapsed) {
			rebooted = true
			events = append(events, status.Event{Kind: "REBOOT", Message: fmt.Sprintf("agent restarted (sysUpTime %s < %s)",
				snmpUptimeText(rd.sys.uptime.v), snmpUptimeText(prev.uptime.v))})
		}
	}
	if rd.ifErr != nil {
		// Keep the old counters (the next rate spans two polls) unless
		// the agent restarted, which made them worthless.
		if rebooted {
			p.last = newSNMPSample(rd.at, rd.sys.uptime, nil)
		}
		return events
	}
	if prev != nil && !rebooted {
		secs := elapsed.Seconds()
		for i := range rd.ifs {
			if old, ok := prev.ifs[rd.ifs[i].Index]; ok {
				snmpApplyRates(&rd.ifs[i], old, secs)
			}
		}
	}
	p.last = newSNMPSample(rd.at, rd.sys.uptime, rd.ifs)
	return events
}

// failure turns a failed system-group Get into a status: a broken or
// silent agent on a device that answers ping is Alarm, a silent device is
// Down.
func (p *snmpProbe) failure(ctx, pctx context.Context, addr string, cfg snmpConfig, err error) status.Result {
	switch {
	case cancelled(ctx):
		return cancelledResult()
	case errors.Is(err, snmp.ErrAuth):
		return p.result(status.Alarm, false, "SNMPv3 authentication failed: "+err.Error())
	case !errors.Is(err, snmp.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded):
		return p.result(status.Alarm, false, "SNMP request failed: "+err.Error())
	}
	if p.pinger == nil || !cfg.fallback {
		return p.result(status.Down, true, "no answer to SNMP")
	}
	ip, rerr := p.resolve(pctx, addr)
	if rerr != nil {
		return p.result(status.Down, true, "no answer to SNMP; cannot ping: "+rerr.Error())
	}
	timeout := time.Second
	if dl, ok := pctx.Deadline(); ok {
		timeout = min(timeout, max(time.Until(dl)/2, 10*time.Millisecond))
	}
	st, perr := p.pinger.Ping(pctx, icmp.Request{Addr: ip, Count: 2, Timeout: timeout})
	if cancelled(ctx) {
		return cancelledResult()
	}
	if st.Received == 0 && perr != nil && !errors.Is(perr, context.DeadlineExceeded) {
		return p.result(status.Down, true, "no answer to SNMP; cannot ping: "+perr.Error())
	}
	if st.Received > 0 {
		r := p.result(status.Alarm, false, fmt.Sprintf("SNMP agent not responding (device answers ping, RTT %s ms)", fmtMillis(st.Avg)))
		r.Values["ping_rtt_ms"] = millis(st.Avg)
		return r
	}
	return p.result(status.Down, true, "no answer to SNMP or ping")
}

// resolve turns the device's address into an IP for the ping fallback.
func (p *snmpProbe) resolve(ctx context.Context, host string) (netip.Addr, error) {
	host = strings.TrimSpace(host)
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return a, nil
	}
	if host == "" {
		return netip.Addr{}, errors.New("the device has no address")
	}
	addrs, err := p.lookup(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("cannot resolve %s: %w", host, err)
	}
	return addrs[0].Unmap(), nil
}

func (p *snmpProbe) result(l status.Level, noResponse bool, reason string) status.Result {
	return status.Result{Level: l, NoResponse: noResponse, Reason: reason, Values: map[string]any{}, Time: p.now()}
}

// snmpValues fills the status window's readings.
func snmpValues(v map[string]any, rd snmpReading) {
	v["sys_descr"] = rd.sys.descr
	v["sys_name"] = rd.sys.name
	v["sys_object_id"] = rd.sys.objectID
	v["sys_contact"] = rd.sys.contact
	v["sys_location"] = rd.sys.location
	if rd.sys.uptime.ok {
		v["sys_uptime"] = rd.sys.uptime.v / snmpTicksPerSecond
		v["sys_uptime_text"] = snmpUptimeText(rd.sys.uptime.v)
	}
	v["rtt_ms"] = millis(rd.rtt)
	ifs := make([]SNMPInterface, len(rd.ifs))
	for i, r := range rd.ifs {
		ifs[i] = r.SNMPInterface
	}
	v["interfaces"] = ifs
	if rd.ifxErr != nil {
		v["ifx_error"] = rd.ifxErr.Error()
	}
}
