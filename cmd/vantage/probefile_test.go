package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{[]string{"run", "x", "host"}, "run: not implemented yet"},
		{[]string{"lint"}, `unknown probe command "lint"`},
	} {
		code, _, errs := runProbe(t, tc.args...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: code %d err %q", tc.args, code, errs)
		}
	}
}
