package snmp_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// recordings holds the shared snmpsim recordings (read in place).
const recordings = "../../../shared/testdata/snmprec"

// TestSnmpsimRecordings walks recorded real devices served by snmpsim and
// compares the system group and the ifTable with the recording itself.
func TestSnmpsimRecordings(t *testing.T) {
	if _, err := os.Stat(recordings); err != nil && os.Getenv("CI") == "" {
		t.Skipf("recordings not found: %v", err)
	}
	names := []string{"airos", "slackware"}
	var files []string
	for _, n := range names {
		files = append(files, filepath.Join(recordings, n+".snmprec"))
	}
	addr, port := snmptest.StartSnmpsim(t, files...)
	c, _ := newClient(t, nil)
	ctx := context.Background()
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			want, err := snmptest.ParseSnmprec(files[i])
			if err != nil {
				t.Fatal(err)
			}
			tg := v2(addr, port)
			tg.Creds.Community = name

			var sys []snmp.Value
			if err := c.Walk(ctx, tg, system, func(v snmp.Value) error { sys = append(sys, v); return nil }); err != nil {
				t.Fatal(err)
			}
			compare(t, "system", sys, below(want, system))

			var cols []string
			for col := 1; col <= 22; col++ {
				cols = append(cols, fmt.Sprintf("%s.%d", ifEntry, col))
			}
			rows, err := c.Table(ctx, tg, cols...)
			if err != nil {
				t.Fatal(err)
			}
			var cells []snmp.Value
			for _, v := range below(want, ifEntry) {
				col := strings.Join(strings.Split(v.OID, ".")[:10], ".")
				index := snmp.Suffix(v.OID, col)
				got, ok := rows[index][col]
				if !ok {
					t.Errorf("ifTable: %s missing", v.OID)
					continue
				}
				cells = append(cells, got)
			}
			compare(t, "ifTable", cells, below(want, ifEntry))
			n := 0
			for _, r := range rows {
				n += len(r)
			}
			if n != len(below(want, ifEntry)) || len(rows) == 0 {
				t.Errorf("ifTable has %d cells in %d rows, the recording %d", n, len(rows), len(below(want, ifEntry)))
			}
		})
	}
}

func below(vals []snmp.Value, root string) []snmp.Value {
	var out []snmp.Value
	for _, v := range vals {
		if snmp.InSubtree(v.OID, root) {
			out = append(out, v)
		}
	}
	return out
}

func compare(t *testing.T, what string, got, want []snmp.Value) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, the recording has %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.OID != w.OID || g.Type != w.Type || g.Int != w.Int || g.Uint != w.Uint || g.Text != w.Text || !bytes.Equal(g.Bytes, w.Bytes) {
			t.Errorf("%s: got %s = %v %q, recorded %s = %v %q", what, g.OID, g.Type, g.AsString(), w.OID, w.Type, w.AsString())
		}
	}
	if len(want) == 0 {
		t.Errorf("%s: nothing recorded", what)
	}
}
