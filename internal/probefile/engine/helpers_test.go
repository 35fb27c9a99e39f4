package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// builtinNames loads the built-in MIB table once for all tests.
var builtinNames = sync.OnceValues(mib.Builtin)

func names(t testing.TB) *mib.Names {
	t.Helper()
	n, err := builtinNames()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fakeSNMP serves a map of values. Get answers NoSuchObject for unknown
// OIDs; GetNext walks the sorted OIDs.
type fakeSNMP struct {
	mu    sync.Mutex
	vals  map[string]snmp.Value
	err   error // returned by every request when set
	calls []string
	panic bool
}

func newFake(vals ...snmp.Value) *fakeSNMP {
	f := &fakeSNMP{vals: map[string]snmp.Value{}}
	f.set(vals...)
	return f
}

func (f *fakeSNMP) set(vals ...snmp.Value) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range vals {
		f.vals[v.OID] = v
	}
}

func (f *fakeSNMP) Get(_ context.Context, _ snmp.Target, oids ...string) ([]snmp.Value, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panic {
		panic("fake agent exploded")
	}
	f.calls = append(f.calls, fmt.Sprintf("get %s", strings.Join(oids, " ")))
	if f.err != nil {
		return nil, f.err
	}
	out := make([]snmp.Value, len(oids))
	for i, o := range oids {
		v, ok := f.vals[o]
		if !ok {
			v = snmp.Value{OID: o, Type: snmp.NoSuchObject}
		}
		out[i] = v
	}
	return out, nil
}

func (f *fakeSNMP) GetNext(_ context.Context, _ snmp.Target, oids ...string) ([]snmp.Value, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("getnext %s", strings.Join(oids, " ")))
	if f.err != nil {
		return nil, f.err
	}
	keys := make([]string, 0, len(f.vals))
	for k := range f.vals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, snmp.CompareOID)
	out := make([]snmp.Value, len(oids))
	for i, o := range oids {
		out[i] = snmp.Value{OID: o, Type: snmp.EndOfMibView}
		for _, k := range keys {
			if snmp.CompareOID(k, o) > 0 {
				out[i] = f.vals[k]
				break
			}
		}
	}
	return out, nil
}

func (f *fakeSNMP) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// fakePinger answers pings when alive.
type fakePinger struct{ alive bool }

func (p fakePinger) Ping(_ context.Context, r icmp.Request) (icmp.Stats, error) {
	st := icmp.Stats{Addr: r.Addr, Sent: r.Count}
	if p.alive {
		st.Received, st.Avg = r.Count, 3*time.Millisecond
	}
	return st, nil
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Value constructors.
func vInt(oid string, n int64) snmp.Value { return snmp.Value{OID: oid, Type: snmp.Integer, Int: n} }
func vStr(oid, s string) snmp.Value {
	return snmp.Value{OID: oid, Type: snmp.OctetString, Bytes: []byte(s)}
}
func vUint(oid string, typ snmp.Type, n uint64) snmp.Value {
	return snmp.Value{OID: oid, Type: typ, Uint: n}
}

// snmpFile builds a custom-snmp probe file from its sections.
func snmpFile(t testing.TB, sections string) *probefile.File {
	t.Helper()
	return parse(t, `<header>
	type = "custom-snmp"
	package = "com.example"
	probe_name = "test"
	human_name = "Test"
	version = "1.0"
	address_type = "IP"
</header>
`+sections)
}

func parse(t testing.TB, text string) *probefile.File {
	t.Helper()
	f, err := probefile.Parse("test.txt", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

// newProbe builds the probe of f with deps.
func newProbe(t testing.TB, f *probefile.File, d Deps) probe.Probe {
	t.Helper()
	info, err := Info(f, d)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return info.New()
}

// poll polls p once at 192.0.2.1 with params.
func poll(p probe.Probe, params map[string]string) status.Result {
	return p.Poll(context.Background(), probe.Target{Address: "192.0.2.1", Params: params, Timeout: 5 * time.Second})
}

// vars returns a result's variables.
func varsOf(r status.Result) map[string]any {
	v, _ := r.Values["vars"].(map[string]any)
	return v
}

func text(r status.Result) string {
	s, _ := r.Values["display_text"].(string)
	return s
}

// examplesDir holds real InterMapper probe files, read in place.
func examplesDir(t testing.TB) string {
	dir := os.Getenv("VANTAGE_PROBE_EXAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "probes", "examples")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("probe examples not found (set VANTAGE_PROBE_EXAMPLES): %v", err)
	}
	return dir
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// example parses one of the example probe files.
func example(t testing.TB, name string) *probefile.File {
	t.Helper()
	f, err := probefile.Parse(name, mustRead(t, name))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return f
}
