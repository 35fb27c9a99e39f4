package engine

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// tableFile is a probe with one on-demand table: index-derived columns
// (port and address from a two-part index), a column of an augmenting
// table, calculations (one from a parameter, two circular) and a STRING
// and HEXADECIMAL column.
func tableFile(t *testing.T, display string) string {
	t.Helper()
	return `<parameters>
	"Factor" = "3"
</parameters>
<snmp-device-variables>
	name, 1.3.6.1.2.1.1.5.0, DEFAULT, "Name"
</snmp-device-variables>
<snmp-device-variables-ondemand>
	portTable,          .1,                      TABLE,       "Ports of ${name}"
	portTable/port,     1.3.6.1.9.1.1.2[0:1],    DEFAULT,     "Port"
	portTable/addr,     1.3.6.1.9.1.1.2[1:],     DEFAULT,     "Address"
	portTable/descr,    1.3.6.1.9.1.1.2,         DEFAULT,     "Descr"
	portTable/mac,      1.3.6.1.9.1.1.3,         HEXADECIMAL, "MAC"
	portTable/alias,    1.3.6.1.9.2.1.1,         DEFAULT,     "Alias"
	portTable/speed,    1.3.6.1.9.1.1.4,         DEFAULT,     "Speed"
	portTable/scaled,   $speed * $Factor + $port, CALCULATION, "Scaled"
	portTable/loopA,    $loopB + 1,              CALCULATION, "A"
	portTable/loopB,    $loopA + 1,              CALCULATION, "B"
	portTable/onLoop,   $loopA * 2,              CALCULATION, "C"
</snmp-device-variables-ondemand>
<snmp-device-display>
` + display + `
</snmp-device-display>
`
}

func tableAgent() *fakeSNMP {
	return newFake(
		vStr("1.3.6.1.2.1.1.5.0", "sw1"),
		vStr("1.3.6.1.9.1.1.2.1.192.0.2.1", "Port <one>"),
		vStr("1.3.6.1.9.1.1.2.2.192.0.2.2", "Port two"),
		vStr("1.3.6.1.9.1.1.3.1.192.0.2.1", "\x00\x1a\x2b"),
		vUint("1.3.6.1.9.1.1.4.1.192.0.2.1", snmp.Gauge32, 10),
		vUint("1.3.6.1.9.1.1.4.2.192.0.2.2", snmp.Gauge32, 20),
		vStr("1.3.6.1.9.2.1.1.2.192.0.2.2", "uplink"),
		vStr("1.3.6.1.9.3.1", "after the table"),
	)
}

func TestOnDemandTable(t *testing.T) {
	agent := tableAgent()
	p := newProbe(t, snmpFile(t, tableFile(t, "Device $name\n  ${portTable:View the ports}\nend")), Deps{SNMP: agent, Names: names(t)})
	r := poll(p, nil)
	if errs, _ := r.Values["errors"].([]string); len(errs) > 0 {
		t.Fatalf("errors %q", errs)
	}
	txt := text(r)
	want := strings.Join([]string{
		"Device sw1",
		"  View the ports",
		"Port\tAddress\tDescr\tMAC\tAlias\tSpeed\tScaled\tA\tB\tC",
		"1\t192.0.2.1\tPort <one>\t00 1A 2B\t\t10\t31\t-\t-\t-",
		"2\t192.0.2.2\tPort two\t\tuplink\t20\t62\t-\t-\t-",
		"end",
	}, "\n")
	if txt != want {
		t.Errorf("text:\n%s\nwant:\n%s", txt, want)
	}
	html, _ := r.Values["display_html"].(string)
	for _, s := range []string{`<table class="imml-table">`, "<caption>View the ports</caption>",
		"<th>Descr</th>", "<td>Port &lt;one&gt;</td>", "<td>uplink</td>"} {
		if !strings.Contains(html, s) {
			t.Errorf("html lacks %q:\n%s", s, html)
		}
	}
	if strings.Contains(html, "@@") {
		t.Errorf("placeholder left in html:\n%s", html)
	}
	tabs, _ := r.Values["tables"].(map[string]any)
	if pt, _ := tabs["portTable"].(map[string]any); pt == nil || pt["total"] != 2 {
		t.Errorf("Values[tables] = %v", tabs)
	}
	if got := text(poll(p, map[string]string{"Factor": "1"})); !strings.Contains(got, "\t10\t11\t") {
		t.Errorf("parameter not used in the calculation:\n%s", got)
	}
}

// Walks happen only for tables the display shows; $Table captions with its
// legend.
func TestOnDemandTableOnlyWhenShown(t *testing.T) {
	agent := tableAgent()
	p := newProbe(t, snmpFile(t, tableFile(t, "Device $name")), Deps{SNMP: agent, Names: names(t)})
	poll(p, nil)
	for _, c := range agent.callLog() {
		if strings.HasPrefix(c, "getnext") {
			t.Errorf("table fetched though not shown: %s", c)
		}
	}
	p = newProbe(t, snmpFile(t, tableFile(t, "$portTable")), Deps{SNMP: agent, Names: names(t)})
	if txt := text(poll(p, nil)); !strings.HasPrefix(txt, "Ports of sw1\nPort\t") {
		t.Errorf("text:\n%s", txt)
	}
}

func TestOnDemandTableCap(t *testing.T) {
	agent := newFake()
	const n = maxTableRows + 17
	for i := 1; i <= n; i++ {
		agent.set(vInt(fmt.Sprintf("1.3.6.1.9.1.1.1.%d", i), int64(i*2)))
	}
	f := snmpFile(t, `<snmp-device-variables-ondemand>
	big,       .1,              TABLE,   "Big"
	big/value, 1.3.6.1.9.1.1.1, DEFAULT, "Value"
</snmp-device-variables-ondemand>
<snmp-device-display>
${big:Big table}
</snmp-device-display>
`)
	r := poll(newProbe(t, f, Deps{SNMP: agent, Names: names(t)}), nil)
	lines := strings.Split(text(r), "\n")
	if len(lines) != 2+maxTableRows+1 || lines[2] != "2" || lines[len(lines)-2] != fmt.Sprint(2*maxTableRows) ||
		lines[len(lines)-1] != "… 17 more rows" {
		t.Errorf("%d lines: %q … %q", len(lines), lines[:3], lines[len(lines)-2:])
	}
	if html, _ := r.Values["display_html"].(string); strings.Count(html, "<tr>") != maxTableRows+1 || !strings.Contains(html, "… 17 more rows") {
		t.Errorf("html has %d rows", strings.Count(html, "<tr>"))
	}
}

// TestOnDemandTablesAgainstAgent runs the IF-MIB viewer and the table
// viewer against snmpsim serving the Edgecore ES3528M recording and checks
// cells against the recording.
func TestOnDemandTablesAgainstAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts snmpsim")
	}
	path := filepath.Join(snmprecDir(t), "edgecore-es3528m.snmprec")
	addr, port := snmptest.StartSnmpsim(t, path)
	rec := loadRecording(t, path)
	client, err := snmp.New(snmp.DefaultConfig(), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	target := probe.Target{Address: addr, Timeout: 30 * time.Second,
		SNMP: snmp.Credentials{Version: "2c", Community: "edgecore-es3528m", Port: port}}
	const ifEntry, ifXEntry = "1.3.6.1.2.1.2.2.1.", "1.3.6.1.2.1.31.1.1.1."
	hex := func(oid string) string {
		v := rec[oid]
		return hexadecimal(v)
	}

	cases := []struct {
		file string
		rows func(idx string) []string
	}{
		{"com.dartware.viewer.if-mib.txt", func(i string) []string {
			return []string{
				// ifTable: index from ifDescr[0:1], ifDescr, ifType, ifMtu, ifSpeed.
				i + "\t" + rec.v(t, ifEntry+"2."+i) + "\t" + rec.v(t, ifEntry+"3."+i) + "\t" +
					rec.v(t, ifEntry+"4."+i) + "\t" + rec.v(t, ifEntry+"5."+i) + "\t",
				// ifXTable: index from ifName[0:1], ifName.
				i + "\t" + rec.v(t, ifXEntry+"1."+i) + "\t",
			}
		}},
		{"com.dartware.snmp.tableviewer.txt", func(i string) []string {
			return []string{
				i + "\t" + rec.v(t, ifEntry+"2."+i) + "\t" + rec.enum(t, ifEntry+"3."+i) + "\t" +
					rec.v(t, ifEntry+"5."+i) + "\t" + hex(ifEntry+"6."+i) + "\t" +
					rec.enum(t, ifEntry+"8."+i) + "\t" + rec.enum(t, ifEntry+"7."+i),
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			p := newProbe(t, example(t, c.file), Deps{SNMP: client, Names: names(t), Now: newClock().now})
			r := p.Poll(context.Background(), target)
			if r.NoResponse {
				t.Fatalf("no response: %v %q", r.Level, r.Reason)
			}
			if errs, _ := r.Values["errors"].([]string); len(errs) > 0 {
				t.Errorf("errors %q", errs)
			}
			txt := text(r)
			for _, i := range []string{"1", "2", "28"} {
				for _, want := range c.rows(i) {
					if !strings.Contains(txt, "\n"+want) {
						t.Errorf("display lacks row %q", want)
					}
				}
			}
			if t.Failed() {
				t.Logf("display:\n%s", txt)
			}
		})
	}
}
