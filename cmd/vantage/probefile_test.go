package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// runProbe runs probeCmd and returns the exit status main would give.
func runProbe(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := probeCmd(args, &out, &errb)
	var exit exitCode
	switch {
	case errors.As(err, &exit):
		code = int(exit)
	case err != nil:
		errb.WriteString("vantage probe: " + err.Error() + "\n")
		code = 1
	}
	return code, out.String(), errb.String()
}

const snmpProbe = `<header>
	type = "custom-snmp"
	package = "com.example"
	probe_name = "snmp.test"
	human_name = "Test SNMP"
	version = "1.0"
</header>
<snmp-device-variables>
	sysDescr, 1.3.6.1.2.1.1.1.0, DEFAULT, "Description"
	upMin, $sysUpTime / 6000, CALCULATION, "Uptime"
</snmp-device-variables>
<snmp-device-thresholds>
	warning: $upMin < 5 "Rebooted"
</snmp-device-thresholds>
`

func TestProbeCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	warn := filepath.Join(dir, "warn.txt")
	bad := filepath.Join(dir, "bad.txt")
	files := map[string]string{
		good: snmpProbe,
		warn: strings.Replace(snmpProbe, "DEFAULT", "PERSECOND", 1),
		bad:  strings.Replace(snmpProbe, "</snmp-device-thresholds>\n", "", 1),
	}
	for name, text := range files {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	code, out, errs := runProbe(t, "check", good)
	if code != 0 || out != good+": ok (com.example.snmp.test \"Test SNMP\", custom-snmp, 2 variables, 1 threshold)\n" || errs != "" {
		t.Errorf("good: code %d out %q err %q", code, out, errs)
	}

	code, out, errs = runProbe(t, "check", warn)
	wantWarn := warn + `:9: warning: <snmp-device-variables>: variable "sysDescr" has unknown type "PERSECOND" (did you mean PER-SECOND?); read as DEFAULT` + "\n"
	if code != 0 || !strings.HasPrefix(out, warn+": ok") || errs != wantWarn {
		t.Errorf("warn: code %d out %q err %q", code, out, errs)
	}
	if code, _, _ = runProbe(t, "check", "-strict", warn); code != 1 {
		t.Errorf("-strict with a warning: code %d", code)
	}

	code, out, errs = runProbe(t, "check", bad)
	if code != 1 || out != "" || errs != bad+":12: section <snmp-device-thresholds> is not closed\n" {
		t.Errorf("bad: code %d out %q err %q", code, out, errs)
	}

	code, out, errs = runProbe(t, "check", dir, filepath.Join(dir, "missing"))
	if code != 1 || strings.Count(out, ": ok (") != 2 || !strings.Contains(errs, "missing: cannot read") ||
		!strings.Contains(errs, "2 of 4 probe files failed") {
		t.Errorf("folder: code %d out %q err %q", code, out, errs)
	}
}

func TestProbeCheckExamples(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "probes", "examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("probe examples not found: %v", err)
	}
	code, out, errs := runProbe(t, "check", dir)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errs)
	}
	for _, want := range []string{
		`com.dartware.tcp.http: ok (com.dartware.tcp.http "HTTP", tcp-script, `,
		`com.dartware.snmp.tableviewer.txt: ok (com.dartware.snmp.tableviewer "SNMP - Table Viewer", custom-snmp, 0 variables, 0 thresholds, 11 on-demand tables)`,
		`com.dartware.cmd.sql_query.txt: ok (com.dartware.cmd.sql_query "SQL Query", cmd-line, 4 exit rules, 1 tool)`,
		`com.dartware.ping: ok (com.dartware.ping "Ping/Echo", built-in, 2 parameters)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestProbeCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage: vantage probe check"},
		{[]string{"check"}, "no files given"},
		{[]string{"run", "x"}, "usage: vantage probe run"},
		{[]string{"run", "missing.txt", "host"}, "no such file"},
		{[]string{"lint"}, `unknown probe command "lint"`},
	} {
		code, _, errs := runProbe(t, tc.args...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: code %d err %q", tc.args, code, errs)
		}
	}
}

func TestProbeRunSNMP(t *testing.T) {
	agent := snmptest.NewFakeAgent([]snmp.Value{
		{OID: "1.3.6.1.2.1.1.6.0", Type: snmp.OctetString, Bytes: []byte("Lab rack 7")},
		{OID: "1.3.6.1.2.1.2.1.0", Type: snmp.Integer, Int: 2},
	})
	addr, port := agent.Start(t)
	file := filepath.Join("..", "..", "..", "shared", "probes", "examples", "com.dartware.snmp.oidsingle.txt")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("probe examples not found: %v", err)
	}
	hostPort := fmt.Sprintf("%s:%d", addr, port)
	code, out, errs := runProbe(t, "run", file, hostPort, "Variable=sysLocation.0", "Legend=Location", "-c", "public", "-v", "2c")
	want := "status: ok\nvariables:\n  theLegend = \"Location\"\n  theOID = \"Lab rack 7\"\ndisplay:\n    Location:  Lab rack 7\n"
	if code != 0 || out != want || errs != "" {
		t.Errorf("code %d err %q out\n%s\nwant\n%s", code, errs, out, want)
	}
	code, out, _ = runProbe(t, "run", "-debug", file, hostPort)
	if code != 0 || !strings.Contains(out, "theOID = 2\n") || !strings.Contains(out, "datasets:\n  $theOID = 2 (exampletag, )\n") {
		t.Errorf("defaults: code %d out\n%s", code, out)
	}
	code, out, _ = runProbe(t, "run", "-t", "1", file, hostPort, "-c", "wrong")
	if code != 0 || !strings.HasPrefix(out, "status: ") || !strings.Contains(out, "reason: No SNMP Response.") {
		t.Errorf("wrong community: code %d out\n%s", code, out)
	}
}

func TestProbeRunTCPAndCommand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>vantage</html>")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	dir := t.TempDir()
	probeFile := filepath.Join(dir, "http.txt")
	os.WriteFile(probeFile, []byte(`<header>
	type = "tcp-script"
	package = "com.example"
	probe_name = "tcp.web"
	human_name = "Web"
	version = "1"
	port_number = "80"
</header>
<parameters>
	"Path" = "/"
</parameters>
<script>
CONN #5
SEND "GET ${Path} HTTP/1.0\r\n\r\n"
EXPT "<html>"i else goto @NO
STOR "seen" "yes"
DONE OKAY "page fine"
@NO:
DONE WARN "no html"
</script>
<script-output>
\B5\Web\0P\ seen=${seen}
</script-output>
`), 0o644)
	code, out, errs := runProbe(t, "run", probeFile, ln.Addr().String(), "-debug")
	if code != 0 || !strings.HasPrefix(out, "status: ok\nreason: page fine\nvariables:\n") ||
		!strings.Contains(out, "  seen = \"yes\"\n") || !strings.Contains(out, "display:\n  Web seen=yes\n") ||
		!strings.Contains(out, "transcript:\n") {
		t.Errorf("tcp: code %d err %q out\n%s", code, errs, out)
	}

	tools := t.TempDir()
	os.WriteFile(filepath.Join(tools, "check_thing"), []byte("#!/bin/sh\necho \"WARNING - thing on $1 is odd|odd=3;1;5\"\nexit 1\n"), 0o755)
	nagios := filepath.Join("..", "..", "..", "shared", "probes", "examples", "com.dartware.nagios.template")
	if _, err := os.Stat(nagios); err != nil {
		t.Skipf("probe examples not found: %v", err)
	}
	code, out, errs = runProbe(t, "run", "-tools", tools, nagios, "192.0.2.5", "Plugin=check_thing ${ADDRESS}")
	want := "status: alarm\nreason: WARNING - thing on 192.0.2.5 is odd\nvariables:\n  odd = \"3\"\ndisplay:\n" +
		"  NAGIOS Probe Performance Data: check_thing ${ADDRESS}\n  WARNING - thing on 192.0.2.5 is odd\n" +
		"    Label  Value  Warn  Crit  Min  Max\n    odd    3      1     5\n"
	if code != 0 || out != want {
		t.Errorf("nagios: code %d err %q out\n%s\nwant\n%s", code, errs, out, want)
	}
}
