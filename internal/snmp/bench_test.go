package snmp_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// BenchmarkWalkIfTable reads the ifTable of a real snmpd: a GetBulk walk of
// the whole table, and a Table of its 22 columns, in v1, v2c and v3
// authPriv. It reports the values read per second.
func BenchmarkWalkIfTable(b *testing.B) {
	addr, port := snmptest.StartSnmpd(b, "")
	c, _ := newClient(b, nil)
	ctx := context.Background()
	v1 := v2(addr, port)
	v1.Creds.Version = "1"
	targets := []struct {
		name string
		tg   snmp.Target
	}{
		{"v1", v1},
		{"v2c", v2(addr, port)},
		{"v3authPriv", v3(addr, port, snmptest.PrivUser, "SHA", "AES")},
	}
	cols := make([]string, 22)
	for i := range cols {
		cols[i] = fmt.Sprintf("%s.%d", ifEntry, i+1)
	}
	for _, tc := range targets {
		b.Run("walk/"+tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				err := c.Walk(ctx, tc.tg, ifTable, func(snmp.Value) error { n++; return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "values/s")
		})
		b.Run("table/"+tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				rows, err := c.Table(ctx, tc.tg, cols...)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rows {
					n += len(r)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "values/s")
		})
	}
}
