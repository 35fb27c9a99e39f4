package main

import (
	"context"
	"net"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

const recDir = "../../../shared/testdata/snmprec"

// TestResponderMatchesFakeAgent walks every recording whole (GetBulk),
// reads the system group with Get and GetNext and the interface tables as
// poll does, from the lean responder and from snmptest.FakeAgent, and
// wants the same values.
func TestResponderMatchesFakeAgent(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(recDir, "*.snmprec"))
	if len(paths) == 0 {
		t.Skipf("no recordings in %s", recDir)
	}
	c, err := snmp.New(snmp.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rec, err := loadRecording(path)
			if err != nil {
				t.Fatal(err)
			}
			if rec.skipped > 0 {
				t.Errorf("%d values not encodable", rec.skipped)
			}
			vals, err := snmptest.ParseSnmprec(path)
			if err != nil {
				t.Fatal(err)
			}
			fa, fport := snmptest.NewFakeAgent(vals).Start(t)
			ours := startResponder(t, rec)
			read := func(tg snmp.Target) []any {
				var walked []snmp.Value
				if err := c.Walk(ctx, tg, "1.3", func(v snmp.Value) error { walked = append(walked, v); return nil }); err != nil {
					t.Fatal(err)
				}
				sys, err := c.Get(ctx, tg, oids(systemScalars(), ".0")...)
				if err != nil {
					t.Fatal(err)
				}
				next, err := c.GetNext(ctx, tg, oids(systemScalars(), "")...)
				if err != nil {
					t.Fatal(err)
				}
				out := []any{walked, sys, next}
				for _, cols := range [][]column{ifTableColumns(), ifXTableColumns()} {
					rows, err := c.Table(ctx, tg, oids(cols, "")...)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, rows)
				}
				return out
			}
			want, got := read(target(fa, fport)), read(ours)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("responder and FakeAgent differ (walked %d and %d values)", len(got[0].([]snmp.Value)), len(want[0].([]snmp.Value)))
			}
		})
	}
}

func target(addr string, port int) snmp.Target {
	creds := snmp.DefaultCredentials()
	creds.Port = port
	return snmp.Target{Address: addr, Creds: creds}
}

func startResponder(t *testing.T, rec *recording) snmp.Target {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var requests, values atomic.Int64
	go func() {
		defer close(done)
		serve(conn, &responder{rec: rec, community: []byte("public")}, &requests, &values)
	}()
	t.Cleanup(func() { _ = conn.Close(); <-done })
	return target("127.0.0.1", conn.LocalAddr().(*net.UDPAddr).Port)
}
