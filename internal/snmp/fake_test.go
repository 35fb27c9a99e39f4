package snmp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// ifValues is a small interface table: ifIndex, ifDescr, ifInOctets for
// n interfaces, plus sysDescr and sysName.
func ifValues(n int) []snmp.Value {
	vals := []snmp.Value{
		{OID: sysDescr, Type: snmp.OctetString, Bytes: []byte("fake agent")},
		{OID: sysName, Type: snmp.OctetString, Bytes: []byte("fake")},
	}
	for i := 1; i <= n; i++ {
		vals = append(vals,
			snmp.Value{OID: fmt.Sprintf("%s.1.%d", ifEntry, i), Type: snmp.Integer, Int: int64(i)},
			snmp.Value{OID: fmt.Sprintf("%s.2.%d", ifEntry, i), Type: snmp.OctetString, Bytes: []byte(fmt.Sprintf("eth%d", i))},
			snmp.Value{OID: fmt.Sprintf("%s.10.%d", ifEntry, i), Type: snmp.Counter32, Uint: uint64(1000 * i)},
		)
	}
	return vals
}

var ifColumns = []string{ifEntry + ".1", ifEntry + ".2", ifEntry + ".10"}

func checkRows(t *testing.T, rows map[string]map[string]snmp.Value, n int) {
	t.Helper()
	if len(rows) != n {
		t.Fatalf("%d rows, want %d: %v", len(rows), n, rows)
	}
	for i := 1; i <= n; i++ {
		row := rows[fmt.Sprint(i)]
		if row[ifEntry+".2"].AsString() != fmt.Sprintf("eth%d", i) || row[ifEntry+".10"].Uint != uint64(1000*i) || row[ifEntry+".1"].Int != int64(i) {
			t.Errorf("row %d: %v", i, row)
		}
	}
}

func TestFakeAgentHealthy(t *testing.T) {
	for _, version := range []string{"1", "2c"} {
		t.Run("v"+version, func(t *testing.T) {
			a := snmptest.NewFakeAgent(ifValues(30))
			addr, port := a.Start(t)
			c, _ := newClient(t, nil)
			tg := v2(addr, port)
			tg.Creds.Version = version
			rows, err := c.Table(context.Background(), tg, ifColumns...)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, rows, 30)
			if a.Stats().MultiOID == 0 || c.Stats().SingleOIDAgents != 0 {
				t.Errorf("agent %+v, client %+v", a.Stats(), c.Stats())
			}
			// v1 agents answer a missing variable with noSuchName for the whole request.
			vals, err := c.Get(context.Background(), tg, sysName, "1.3.6.1.2.1.1.7.0", sysDescr)
			if err != nil {
				t.Fatal(err)
			}
			if vals[0].AsString() != "fake" || vals[1].Exists() || vals[1].OID != "1.3.6.1.2.1.1.7.0" || vals[2].AsString() != "fake agent" {
				t.Errorf("get: %+v", vals)
			}
			// Past the end of the MIB.
			next, err := c.GetNext(context.Background(), tg, ifEntry+".10.30", sysName)
			if err != nil {
				t.Fatal(err)
			}
			if next[0].Type != snmp.EndOfMibView || next[1].OID != ifEntry+".1.1" {
				t.Errorf("getnext: %+v", next)
			}
		})
	}
}

// TestFakeAgentBrokenMulti: agents that answer multi-OID requests wrongly
// are detected, asked again one OID at a time, and remembered.
func TestFakeAgentBrokenMulti(t *testing.T) {
	for _, knob := range []string{"repeat-first", "truncate"} {
		for _, version := range []string{"1", "2c"} {
			t.Run(knob+"/v"+version, func(t *testing.T) {
				a := snmptest.NewFakeAgent(ifValues(12))
				a.BrokenMultiGetNext = knob == "repeat-first"
				a.TruncateMulti = knob == "truncate"
				addr, port := a.Start(t)
				c, reg := newClient(t, nil)
				tg := v2(addr, port)
				tg.Creds.Version = version
				ctx := context.Background()

				next, err := c.GetNext(ctx, tg, ifEntry+".2.3", ifEntry+".10", sysDescr)
				if err != nil {
					t.Fatal(err)
				}
				if next[0].OID != ifEntry+".2.4" || next[1].OID != ifEntry+".10.1" || next[2].OID != sysObjectID && next[2].OID != sysName {
					t.Errorf("getnext after fallback: %v %v %v", next[0].OID, next[1].OID, next[2].OID)
				}
				if s := c.Stats(); s.SingleOIDAgents != 1 || s.Fallbacks != 1 {
					t.Errorf("stats %+v", s)
				}
				multi := a.Stats().MultiOID
				rows, err := c.Table(ctx, tg, ifColumns...)
				if err != nil {
					t.Fatal(err)
				}
				checkRows(t, rows, 12)
				if got := a.Stats().MultiOID; got != multi {
					t.Errorf("the agent got %d more multi-OID requests after it was learnt", got-multi)
				}
				if got := metricValue(t, reg, "vantage_snmp_single_oid_agents"); got != 1 {
					t.Errorf("single_oid_agents %v", got)
				}
				if got := metricValue(t, reg, "vantage_snmp_single_oid_fallbacks_total"); got != 1 {
					t.Errorf("single_oid_fallbacks_total %v", got)
				}
			})
		}
	}
	t.Run("OIDs out of order", func(t *testing.T) {
		a := snmptest.NewFakeAgent(ifValues(12))
		a.BrokenMultiGetNext = true
		addr, port := a.Start(t)
		c, _ := newClient(t, nil)
		next, err := c.GetNext(context.Background(), v2(addr, port), ifEntry+".10", ifEntry+".2")
		if err != nil {
			t.Fatal(err)
		}
		if next[0].OID != ifEntry+".10.1" || next[1].OID != ifEntry+".2.1" || c.Stats().SingleOIDAgents != 1 {
			t.Errorf("getnext: %v %v, %+v", next[0].OID, next[1].OID, c.Stats())
		}
		c, _ = newClient(t, nil)
		rows, err := c.Table(context.Background(), v2(addr, port), ifEntry+".10", ifEntry+".2", ifEntry+".1")
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, rows, 12)
	})
	t.Run("empty column is not broken", func(t *testing.T) {
		a := snmptest.NewFakeAgent(ifValues(5))
		addr, port := a.Start(t)
		c, _ := newClient(t, nil)
		rows, err := c.Table(context.Background(), v2(addr, port), ifEntry+".1", ifEntry+".5", ifEntry+".2", ifEntry+".10")
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, rows, 5)
		next, err := c.GetNext(context.Background(), v2(addr, port), ifEntry+".4", ifEntry+".5", ifEntry+".6")
		if err != nil || next[0].OID != ifEntry+".10.1" || next[2].OID != ifEntry+".10.1" {
			t.Fatalf("getnext in one gap: %v %v", next, err)
		}
		if s := c.Stats(); s.SingleOIDAgents != 0 {
			t.Errorf("a healthy agent was learnt as broken: %+v", s)
		}
	})
	t.Run("table learns too", func(t *testing.T) {
		a := snmptest.NewFakeAgent(ifValues(12))
		a.BrokenMultiGetNext = true
		addr, port := a.Start(t)
		c, _ := newClient(t, nil)
		rows, err := c.Table(context.Background(), v2(addr, port), ifColumns...)
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, rows, 12)
		if s := c.Stats(); s.SingleOIDAgents != 1 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestFakeAgentNonIncreasing(t *testing.T) {
	for _, version := range []string{"1", "2c"} {
		t.Run("v"+version, func(t *testing.T) {
			a := snmptest.NewFakeAgent(ifValues(10))
			a.LoopAt = ifEntry + ".2.5"
			addr, port := a.Start(t)
			c, _ := newClient(t, nil)
			tg := v2(addr, port)
			tg.Creds.Version = version
			n := 0
			err := c.Walk(context.Background(), tg, ifEntry+".2", func(snmp.Value) error { n++; return nil })
			if !errors.Is(err, snmp.ErrNotIncreasing) || !strings.Contains(err.Error(), ifEntry+".2.5") {
				t.Fatalf("walk: %v", err)
			}
			if n != 5 {
				t.Errorf("%d values before the loop", n)
			}
			_, err = c.Table(context.Background(), tg, ifColumns...)
			if !errors.Is(err, snmp.ErrNotIncreasing) {
				t.Errorf("table: %v", err)
			}
		})
	}
}

func TestFakeAgentEndless(t *testing.T) {
	a := snmptest.NewFakeAgent(nil)
	a.Endless = "1.3.6.1.4.1.99999.1"
	addr, port := a.Start(t)
	c, _ := newClient(t, func(c *snmp.Config) { c.MaxWalk = 500 })
	n := 0
	err := c.Walk(context.Background(), v2(addr, port), "1.3.6.1.4.1.99999", func(snmp.Value) error { n++; return nil })
	if !errors.Is(err, snmp.ErrWalkLimit) || n != 500 {
		t.Fatalf("walk of an endless agent: %d values, %v", n, err)
	}
	_, err = c.Table(context.Background(), v2(addr, port), "1.3.6.1.4.1.99999.1", "1.3.6.1.4.1.99999.2")
	if !errors.Is(err, snmp.ErrWalkLimit) {
		t.Fatalf("table of an endless agent: %v", err)
	}
}

func TestFakeAgentDropsAndDelays(t *testing.T) {
	a := snmptest.NewFakeAgent(ifValues(40))
	a.DropEvery = 2
	addr, port := a.Start(t)
	c, _ := newClient(t, func(c *snmp.Config) { c.Timeout = 100 * time.Millisecond; c.Retries = 2 })
	rows, err := c.Table(context.Background(), v2(addr, port), ifColumns...)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows, 40)
	if a.Stats().Dropped == 0 {
		t.Error("nothing dropped")
	}

	slow := snmptest.NewFakeAgent(ifValues(1))
	slow.Delay = 5 * time.Second
	addr, port = slow.Start(t)
	c, _ = newClient(t, func(c *snmp.Config) { c.Timeout = 10 * time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Get(ctx, v2(addr, port), sysName)
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("cancelled get: %v after %v", err, time.Since(start))
	}
	ctx, cancel = context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.Get(ctx, v2(addr, port), sysName)
	if !errors.Is(err, snmp.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("get past the deadline: %v after %v", err, time.Since(start))
	}
	if s := c.Stats(); s.SessionsOpen != 1 {
		t.Errorf("sessions after cancellations: %+v", s)
	}
}

// TestFakeAgentMalformed: broken answers are errors or odd values, counted,
// never a crash.
func TestFakeAgentMalformed(t *testing.T) {
	counter5 := func(b []byte) []byte { // Counter32 1000 (41 02 03 e8) made 5 bytes long: 41 05 01 00 00 03 e8
		i := bytes.Index(b, []byte{0x41, 0x02, 0x03, 0xe8})
		if i < 0 {
			return b
		}
		out := append(append(append([]byte(nil), b[:i]...), 0x41, 0x05, 0x01, 0x00, 0x00, 0x03, 0xe8), b[i+4:]...)
		return fixLengths(out)
	}
	for _, tc := range []struct {
		name   string
		mangle func([]byte) []byte
		ok     bool
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-3] }, false},
		{"garbage", func(b []byte) []byte { return bytes.Repeat([]byte{0xff}, len(b)) }, false},
		{"bad length", func(b []byte) []byte { c := append([]byte(nil), b...); c[1] = 0x7f; return c }, false},
		{"Counter32 of 5 bytes", counter5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := snmptest.NewFakeAgent(ifValues(1))
			a.Mangle = tc.mangle
			addr, port := a.Start(t)
			c, reg := newClient(t, func(c *snmp.Config) { c.Timeout = 100 * time.Millisecond; c.Retries = 0 })
			vals, err := c.Get(context.Background(), v2(addr, port), ifEntry+".10.1")
			if tc.ok {
				if err != nil || vals[0].Type != snmp.TypeUnknown || vals[0].OID != ifEntry+".10.1" {
					t.Fatalf("%+v %v", vals, err)
				}
			} else if !errors.Is(err, snmp.ErrMalformed) {
				t.Fatalf("not ErrMalformed: %+v %v", vals, err)
			}
			if s := c.Stats(); s.Malformed != 1 {
				t.Errorf("stats %+v", s)
			}
			if got := metricValue(t, reg, "vantage_snmp_malformed_total"); got != float64(c.Stats().Malformed) {
				t.Errorf("malformed metric %v", got)
			}
			t.Log(err)
		})
	}
}

// fixLengths rewrites the short-form lengths of a v2c answer with one
// variable after its value grew: each SEQUENCE (or PDU) is the last element
// of its parent, so it runs to the end of the packet.
func fixLengths(b []byte) []byte {
	var walk func(b []byte) []byte
	walk = func(b []byte) []byte {
		var out []byte
		for len(b) >= 2 {
			tag, n := b[0], int(b[1])
			if n > len(b)-2 {
				n = len(b) - 2
			}
			body := b[2 : 2+n]
			if tag == 0x30 || tag == 0xa2 {
				body = walk(b[2:])
				n = len(body)
				out = append(append(out, tag, byte(n)), body...)
				return out
			}
			out = append(append(out, tag, byte(n)), body...)
			b = b[2+n:]
		}
		return append(out, b...)
	}
	return walk(b)
}
