package snmp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

const (
	sysDescr    = "1.3.6.1.2.1.1.1.0"
	sysObjectID = "1.3.6.1.2.1.1.2.0"
	sysUpTime   = "1.3.6.1.2.1.1.3.0"
	sysName     = "1.3.6.1.2.1.1.5.0"
	system      = "1.3.6.1.2.1.1"
	ifTable     = "1.3.6.1.2.1.2.2"
	ifEntry     = "1.3.6.1.2.1.2.2.1"
)

func newClient(t testing.TB, mod func(*snmp.Config)) (*snmp.Client, *prometheus.Registry) {
	t.Helper()
	cfg := snmp.DefaultConfig()
	cfg.Timeout = 500 * time.Millisecond
	if mod != nil {
		mod(&cfg)
	}
	reg := prometheus.NewRegistry()
	c, err := snmp.New(cfg, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, reg
}

func v2(addr string, port int) snmp.Target {
	return snmp.Target{Address: addr, Creds: snmp.Credentials{Version: "2c", Community: snmptest.Community, Port: port}}
}

func v3(addr string, port int, user, auth, priv string) snmp.Target {
	c := snmp.Credentials{Version: "3", User: user, Auth: auth, Priv: priv, Port: port}
	if auth != "" {
		c.AuthKey = snmptest.AuthKey
	}
	if priv != "" {
		c.PrivKey = snmptest.PrivKey
	}
	return snmp.Target{Address: addr, Creds: c}
}

func TestSnmpdVersions(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "sysName vantage-test\nsysLocation lab rack 1")
	c, _ := newClient(t, nil)
	ctx := context.Background()
	v1 := v2(addr, port)
	v1.Creds.Version = "1"
	targets := map[string]snmp.Target{
		"v1":                  v1,
		"v2c":                 v2(addr, port),
		"v3 noAuth":           v3(addr, port, snmptest.NoAuthUser, "", ""),
		"v3 authNoPriv SHA":   v3(addr, port, snmptest.AuthUser, "SHA", ""),
		"v3 authPriv SHA/AES": v3(addr, port, snmptest.PrivUser, "SHA", "AES"),
	}
	for _, u := range snmptest.V3Users() {
		targets["v3 "+u.Auth+"/"+u.Priv] = v3(addr, port, u.Name, u.Auth, u.Priv)
	}
	for name, tg := range targets {
		t.Run(name, func(t *testing.T) {
			vals, err := c.Get(ctx, tg, sysName, sysDescr, "1.3.6.1.2.1.1.99.0", sysUpTime)
			if err != nil {
				t.Fatal(err)
			}
			if len(vals) != 4 || vals[0].AsString() != "vantage-test" || vals[0].Type != snmp.OctetString {
				t.Fatalf("sysName: %+v", vals)
			}
			if !strings.HasPrefix(vals[1].AsString(), "Linux") && vals[1].AsString() == "" {
				t.Errorf("sysDescr: %q", vals[1].AsString())
			}
			if vals[2].Exists() || vals[2].OID != "1.3.6.1.2.1.1.99.0" {
				t.Errorf("missing OID: %+v", vals[2])
			}
			if vals[3].Type != snmp.TimeTicks {
				t.Errorf("sysUpTime: %+v", vals[3])
			}
			var got []snmp.Value
			if err := c.Walk(ctx, tg, system, func(v snmp.Value) error { got = append(got, v); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) < 8 || got[0].OID != sysDescr || got[1].Type != snmp.ObjectIdentifier {
				t.Fatalf("walk system: %d values, first %+v", len(got), got)
			}
			for _, v := range got {
				if v.OID == "1.3.6.1.2.1.1.6.0" && v.AsString() != "lab rack 1" {
					t.Errorf("sysLocation %q", v.AsString())
				}
			}
			next, err := c.GetNext(ctx, tg, system, ifEntry+".2", sysDescr)
			if err != nil {
				t.Fatal(err)
			}
			if next[0].OID != sysDescr || next[1].OID != ifEntry+".2.1" || next[2].OID != sysObjectID {
				t.Errorf("getnext: %v %v %v", next[0].OID, next[1].OID, next[2].OID)
			}
		})
	}
	if s := c.Stats(); s.SingleOIDAgents != 0 || s.Timeouts != 0 || s.Errors != 0 || s.Malformed != 0 {
		t.Errorf("stats after a clean run: %+v", s)
	}
}

// TestSnmpdTable compares a multi-column Table with column walks.
func TestSnmpdTable(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "")
	c, _ := newClient(t, nil)
	ctx := context.Background()
	for _, version := range []string{"1", "2c"} {
		t.Run("v"+version, func(t *testing.T) {
			tg := v2(addr, port)
			tg.Creds.Version = version
			cols := make([]string, 0, 22)
			for i := 1; i <= 22; i++ {
				cols = append(cols, fmt.Sprintf("%s.%d", ifEntry, i))
			}
			cols = append(cols, "."+ifEntry+".99") // no such column: no cells
			rows, err := c.Table(ctx, tg, cols...)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]snmp.Value{}
			err = c.Walk(ctx, tg, ifTable, func(v snmp.Value) error { want[v.OID] = v; return nil })
			if err != nil {
				t.Fatal(err)
			}
			cells := 0
			for index, row := range rows {
				for col, v := range row {
					cells++
					if w, ok := want[col+"."+index]; !ok || w.Type != v.Type || (w.AsString() != v.AsString() && !counterLike(v)) {
						t.Errorf("cell %s.%s = %+v, walk had %+v", col, index, v, w)
					}
				}
			}
			if cells != len(want) || len(rows) == 0 {
				t.Errorf("table has %d cells in %d rows, the walk %d values", cells, len(rows), len(want))
			}
			if _, ok := rows["1"][ifEntry+".2"]; !ok {
				t.Errorf("row 1 has no ifDescr: %v", rows["1"])
			}
		})
	}
}

func counterLike(v snmp.Value) bool {
	return v.Type == snmp.Counter32 || v.Type == snmp.Counter64 || v.Type == snmp.TimeTicks || v.Type == snmp.Gauge32
}

// TestSnmpdFailures checks the errors for wrong credentials, and that no
// secret leaks into them.
func TestSnmpdFailures(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "")
	c, reg := newClient(t, func(c *snmp.Config) { c.Timeout = 200 * time.Millisecond; c.Retries = 1 })
	ctx := context.Background()
	wrongComm := v2(addr, port)
	wrongComm.Creds.Community = "s3cret-community"
	wrongAuth := v3(addr, port, snmptest.PrivUser, "SHA", "AES")
	wrongAuth.Creds.AuthKey = "wrong-auth-key-123"
	wrongPriv := v3(addr, port, snmptest.PrivUser, "SHA", "AES")
	wrongPriv.Creds.PrivKey = "wrong-priv-key-456"
	wrongProto := v3(addr, port, snmptest.PrivUser, "MD5", "AES")
	tooHigh := v3(addr, port, snmptest.AuthUser, "SHA", "AES") // user has no privacy key
	closed := v2(addr, 9)
	cases := []struct {
		name string
		tg   snmp.Target
		want []error
		text string
	}{
		{"wrong community", wrongComm, []error{snmp.ErrTimeout}, "no response"},
		{"unknown v3 user", v3(addr, port, "nobody-here", "SHA", ""), []error{snmp.ErrAuth}, `unknown user "nobody-here"`},
		{"wrong auth key", wrongAuth, []error{snmp.ErrAuth}, "wrong authentication key"},
		{"wrong auth protocol", wrongProto, []error{snmp.ErrAuth}, "wrong authentication key or protocol"},
		{"wrong priv key", wrongPriv, []error{snmp.ErrTimeout, snmp.ErrAuth}, ""},
		{"level above the user's", tooHigh, []error{snmp.ErrTimeout, snmp.ErrAuth}, ""},
		{"closed port", closed, []error{snmp.ErrTimeout}, "127.0.0.1:9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := c.Get(ctx, tc.tg, sysName)
			if err == nil {
				t.Fatal("no error")
			}
			matched := false
			for _, w := range tc.want {
				matched = matched || errors.Is(err, w)
			}
			if !matched {
				t.Errorf("error %q is none of %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), "127.0.0.1:") {
				t.Errorf("error %q does not say %q and the agent", err, tc.text)
			}
			for _, secret := range []string{tc.tg.Creds.Community, tc.tg.Creds.AuthKey, tc.tg.Creds.PrivKey} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows a secret", err)
				}
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			t.Log(err)
		})
	}
	s := c.Stats()
	if s.Timeouts < 2 || s.Errors < 3 {
		t.Errorf("stats %+v", s)
	}
	if got := metricValue(t, reg, "vantage_snmp_timeouts_total"); got != float64(s.Timeouts) {
		t.Errorf("timeouts metric %v, stats %d", got, s.Timeouts)
	}
	if got := metricValue(t, reg, "vantage_snmp_errors_total"); got != float64(s.Errors) {
		t.Errorf("errors metric %v, stats %d", got, s.Errors)
	}
}

// TestSnmpdConcurrency: many goroutines, few sockets.
func TestSnmpdConcurrency(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "")
	c, reg := newClient(t, func(c *snmp.Config) { c.MaxSessions = 3 })
	ctx := context.Background()
	targets := []snmp.Target{v2(addr, port), v3(addr, port, snmptest.PrivUser, "SHA", "AES")}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	peak := 0
	var mu sync.Mutex
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tg := targets[i%2]
			if _, err := c.Table(ctx, tg, ifEntry+".2", ifEntry+".10", ifEntry+".16"); err != nil {
				errs <- err
			}
			mu.Lock()
			peak = max(peak, c.Stats().SessionsOpen)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := c.Stats()
	if peak > 3 || s.SessionsOpen > 3 || s.SessionsOpen == 0 {
		t.Errorf("peak sessions %d, now %+v", peak, s)
	}
	if got := metricValue(t, reg, "vantage_snmp_sessions_open"); int(got) != s.SessionsOpen {
		t.Errorf("sessions metric %v", got)
	}
	if got := metricValue(t, reg, "vantage_snmp_sessions_idle"); int(got) != s.SessionsOpen || s.SessionsIdle != s.SessionsOpen {
		t.Errorf("all sessions should be idle now: metric %v, %+v", got, s)
	}
	if n, err := testutil.GatherAndCount(reg, "vantage_snmp_requests_total"); n != 3 || err != nil {
		t.Errorf("requests_total has %d series (%v)", n, err)
	}
	if got := metricValue(t, reg, "vantage_snmp_requests_total"); got != float64(s.Requests) {
		t.Errorf("requests metric %v, stats %d", got, s.Requests)
	}
	if s.Requests < 40 {
		t.Errorf("requests %d", s.Requests)
	}
}

// metricValue sums the samples of a counter or gauge family.
func metricValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		sum := 0.0
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
		return sum
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// TestSnmpdEngineCache: a new v3 session for an agent reuses the engine ID
// learnt by an earlier one instead of discovering it again, which the
// agent counts in usmStatsUnknownEngineIDs.
func TestSnmpdEngineCache(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "")
	c, _ := newClient(t, func(c *snmp.Config) { c.IdleTimeout = 20 * time.Millisecond })
	ctx := context.Background()
	const unknownEngineIDs = "1.3.6.1.6.3.15.1.1.4.0"
	discoveries := func() uint64 {
		vals, err := c.Get(ctx, v2(addr, port), unknownEngineIDs)
		if err != nil {
			t.Fatal(err)
		}
		return vals[0].Uint
	}
	before := discoveries()
	tg := v3(addr, port, snmptest.PrivUser, "SHA", "AES")
	for i := 0; i < 3; i++ {
		if _, err := c.Get(ctx, tg, sysName); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for c.Stats().SessionsOpen > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if got := discoveries() - before; got != 1 {
		t.Errorf("%d engine discoveries for 3 sessions, want 1", got)
	}
}
