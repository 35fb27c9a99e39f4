package probe

// A fake SNMP agent for the probe tests: a system group and interfaces
// whose counters the tests move between polls, served through the
// SNMPClient interface, and a fake pinger for the ICMP fallback.

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// snmpFakeIface is one interface of the fake agent. Counters are served as
// given, so a test can make them wrap or go back.
type snmpFakeIface struct {
	Index              int
	Descr, Name, Alias string
	Type               int
	Speed              uint64 // ifSpeed
	HighSpeed          uint64 // ifHighSpeed, Mbit/s
	Admin, Oper        int
	In, Out            uint64 // ifInOctets/ifOutOctets (Counter32)
	InUcast, OutUcast  uint64
	InMcast, InBcast   uint64 // ifXTable Counter32
	InErr, OutErr      uint64
	InDisc, OutDisc    uint64
	// HC serves ifHCInOctets/ifHCOutOctets and ifHCIn/OutUcastPkts.
	HC                 bool
	InHC, OutHC        uint64
	InUcastHC          uint64
	OutUcastHC         uint64
	Discontinuity      uint64 // ifCounterDiscontinuityTime
	HCAsCounter32      bool   // a broken agent serving HC columns as Counter32
	NoIfX              bool   // no ifXTable row at all
	PhysAddress        []byte // ifPhysAddress
	MTU                int
	LastChangeTicks    uint64
	RawIfRowOverride   map[string]snmp.Value
	RawIfXRowOverrides map[string]snmp.Value
}

// snmpFakeAgent implements SNMPClient.
type snmpFakeAgent struct {
	mu        sync.Mutex
	uptime    uint64 // sysUpTime ticks
	noUptime  bool
	sysName   string
	ifs       []snmpFakeIface
	getErr    error // returned by Get
	tableErr  error // returned by the ifTable walk
	ifxErr    error // returned by the ifXTable walk
	getDelay  time.Duration
	gets      int
	lastCreds snmp.Credentials
}

func newSNMPFakeAgent(ifs ...snmpFakeIface) *snmpFakeAgent {
	return &snmpFakeAgent{uptime: 12*86400*100 + 3*3600*100 + 4*60*100 + 5*100, sysName: "sw1", ifs: ifs}
}

func (a *snmpFakeAgent) iface(index int) *snmpFakeIface {
	for i := range a.ifs {
		if a.ifs[i].Index == index {
			return &a.ifs[i]
		}
	}
	panic("no interface " + strconv.Itoa(index))
}

func (a *snmpFakeAgent) Get(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gets++
	a.lastCreds = t.Creds
	if a.getDelay > 0 {
		select {
		case <-time.After(a.getDelay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if a.getErr != nil {
		return nil, a.getErr
	}
	sys := map[string]snmp.Value{
		"1.3.6.1.2.1.1.1.0": snmpVStr("Linux sw1 6.1.0 #1 SMP x86_64"),
		"1.3.6.1.2.1.1.2.0": {Type: snmp.ObjectIdentifier, Text: "1.3.6.1.4.1.8072.3.2.10"},
		"1.3.6.1.2.1.1.4.0": snmpVStr("noc@example.net\x00"),
		"1.3.6.1.2.1.1.5.0": snmpVStr(a.sysName),
		"1.3.6.1.2.1.1.6.0": snmpVStr("rack 4"),
	}
	if !a.noUptime {
		sys["1.3.6.1.2.1.1.3.0"] = snmp.Value{Type: snmp.TimeTicks, Uint: a.uptime}
	}
	out := make([]snmp.Value, len(oids))
	for i, o := range oids {
		v, ok := sys[o]
		if !ok {
			v = snmp.Value{Type: snmp.NoSuchObject}
		}
		v.OID = o
		out[i] = v
	}
	return out, nil
}

func (a *snmpFakeAgent) Walk(ctx context.Context, t snmp.Target, root string, fn func(snmp.Value) error) error {
	return nil
}

func (a *snmpFakeAgent) Table(ctx context.Context, t snmp.Target, columns ...string) (map[string]map[string]snmp.Value, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	x := len(columns) > 0 && strings.HasPrefix(columns[0], snmpIfXTable)
	if x && a.ifxErr != nil {
		return nil, a.ifxErr
	}
	if !x && a.tableErr != nil {
		return nil, a.tableErr
	}
	want := map[string]bool{}
	for _, c := range columns {
		want[c] = true
	}
	rows := map[string]map[string]snmp.Value{}
	for _, f := range a.ifs {
		var all map[string]snmp.Value
		if x {
			if f.NoIfX {
				continue
			}
			all = f.ifxRow()
		} else {
			all = f.ifRow()
		}
		row := map[string]snmp.Value{}
		for col, v := range all {
			if want[col] {
				v.OID = col + "." + strconv.Itoa(f.Index)
				row[col] = v
			}
		}
		if len(row) > 0 {
			rows[strconv.Itoa(f.Index)] = row
		}
	}
	return rows, nil
}

func snmpVStr(s string) snmp.Value { return snmp.Value{Type: snmp.OctetString, Bytes: []byte(s)} }
func snmpVInt(i int) snmp.Value    { return snmp.Value{Type: snmp.Integer, Int: int64(i)} }
func snmpVC32(u uint64) snmp.Value { return snmp.Value{Type: snmp.Counter32, Uint: u} }
func snmpVC64(u uint64) snmp.Value { return snmp.Value{Type: snmp.Counter64, Uint: u} }
func snmpVG32(u uint64) snmp.Value { return snmp.Value{Type: snmp.Gauge32, Uint: u} }

func (f snmpFakeIface) ifRow() map[string]snmp.Value {
	t := snmpIfTable
	row := map[string]snmp.Value{
		t + "1": snmpVInt(f.Index), t + "2": snmpVStr(f.Descr), t + "3": snmpVInt(f.Type), t + "4": snmpVInt(f.MTU),
		t + "5": snmpVG32(f.Speed), t + "6": {Type: snmp.OctetString, Bytes: f.PhysAddress},
		t + "7": snmpVInt(f.Admin), t + "8": snmpVInt(f.Oper), t + "9": {Type: snmp.TimeTicks, Uint: f.LastChangeTicks},
		t + "10": snmpVC32(f.In), t + "11": snmpVC32(f.InUcast), t + "13": snmpVC32(f.InDisc), t + "14": snmpVC32(f.InErr),
		t + "16": snmpVC32(f.Out), t + "17": snmpVC32(f.OutUcast), t + "19": snmpVC32(f.OutDisc), t + "20": snmpVC32(f.OutErr),
	}
	for k, v := range f.RawIfRowOverride {
		row[k] = v
	}
	return row
}

func (f snmpFakeIface) ifxRow() map[string]snmp.Value {
	x := snmpIfXTable
	row := map[string]snmp.Value{
		x + "1": snmpVStr(f.Name), x + "18": snmpVStr(f.Alias), x + "15": snmpVG32(f.HighSpeed),
		x + "2": snmpVC32(f.InMcast), x + "3": snmpVC32(f.InBcast), x + "4": snmpVC32(0), x + "5": snmpVC32(0),
		x + "19": {Type: snmp.TimeTicks, Uint: f.Discontinuity},
	}
	if f.HC {
		hc := snmpVC64
		if f.HCAsCounter32 {
			hc = snmpVC32
		}
		row[x+"6"], row[x+"10"] = hc(f.InHC), hc(f.OutHC)
		row[x+"7"], row[x+"11"] = hc(f.InUcastHC), hc(f.OutUcastHC)
		row[x+"8"], row[x+"9"], row[x+"12"], row[x+"13"] = hc(f.InMcast), hc(f.InBcast), hc(0), hc(0)
	}
	for k, v := range f.RawIfXRowOverrides {
		row[k] = v
	}
	return row
}

// snmpFakePinger answers every ping with its stats and error.
type snmpFakePinger struct {
	mu    sync.Mutex
	stats icmp.Stats
	err   error
	reqs  []icmp.Request
}

func (p *snmpFakePinger) Ping(ctx context.Context, req icmp.Request) (icmp.Stats, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, req)
	st := p.stats
	st.Addr = req.Addr
	return st, p.err
}

// snmpFakeClock is the probe's clock, moved by the tests.
type snmpFakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *snmpFakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *snmpFakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestSNMPProbe builds a probe on the fake agent with a fake clock and a
// resolver that never leaves the machine.
func newTestSNMPProbe(a SNMPClient, p Pinger, high bool) (*snmpProbe, *snmpFakeClock) {
	clk := &snmpFakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	pr := newSNMPProbe(a, p, high)
	pr.now = clk.now
	pr.lookup = func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return pr, clk
}

// snmpIfaceOf returns interface index from a result's values.
func snmpIfaceOf(t *testing.T, r status.Result, index int) SNMPInterface {
	t.Helper()
	ifs, ok := r.Values["interfaces"].([]SNMPInterface)
	if !ok {
		t.Fatalf("no interfaces in values: %#v (reason %q)", r.Values, r.Reason)
	}
	for _, i := range ifs {
		if i.Index == index {
			return i
		}
	}
	t.Fatalf("interface %d missing from %+v", index, ifs)
	return SNMPInterface{}
}

// snmpFval prints an optional reading for failure messages.
func snmpFval(p *float64) string {
	if p == nil {
		return "nil"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// snmpWantRate snmpChecks an optional reading: want < 0 means "no reading".
func snmpWantRate(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	switch {
	case want < 0 && got != nil:
		t.Errorf("%s = %s, want no reading", name, snmpFval(got))
	case want >= 0 && got == nil:
		t.Errorf("%s = nil, want %g", name, want)
	case want >= 0 && *got != want:
		t.Errorf("%s = %s, want %g", name, snmpFval(got), want)
	}
}
