package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// runSnmp runs walkCmd or getCmd and returns the exit status main would.
func runSnmp(t *testing.T, namer oidNamer, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := snmpCmd(args[0], args[1:], &out, &errb, namer)
	var exit exitCode
	switch {
	case errors.As(err, &exit):
		code = int(exit)
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintf(&errb, "vantage %s: %v\n", args[0], err)
		code = 1
	}
	return code, out.String(), errb.String()
}

// netsnmp runs a net-snmp tool, keeping its files in a temporary folder.
func netsnmp(t *testing.T, tool string, args ...string) string {
	t.Helper()
	path := "/usr/bin/" + tool
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found: install Debian package snmp", path)
		}
		t.Skipf("%s not found: install Debian package snmp", path)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+t.TempDir(), "SNMPCONFPATH="+t.TempDir(), "MIBS=")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s%s", tool, args, err, out, errb.String())
	}
	return string(out)
}

var varLine = regexp.MustCompile(`^(\.[0-9.]+) = (.*)$`)

// parseVars reads "OID = TYPE: value" lines (net-snmp continues long hex
// values on further lines) into OID → (type, value with spaces squeezed).
func parseVars(t *testing.T, out string) (oids []string, vals map[string][2]string) {
	t.Helper()
	vals = map[string][2]string{}
	last := ""
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		m := varLine.FindStringSubmatch(line)
		if m == nil {
			if last == "" {
				t.Fatalf("unexpected line %q", line)
			}
			v := vals[last]
			v[1] += " " + line
			vals[last] = v
			continue
		}
		last = m[1]
		typ, val, ok := strings.Cut(m[2], ": ")
		if !ok {
			typ, val = m[2], ""
		}
		oids = append(oids, last)
		vals[last] = [2]string{typ, val}
	}
	for k, v := range vals {
		vals[k] = [2]string{v[0], strings.Join(strings.Fields(v[1]), " ")}
	}
	return oids, vals
}

// TestWalkMatchesSnmpwalk compares our walk of a real snmpd with net-snmp's.
func TestWalkMatchesSnmpwalk(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "sysName walk-test\nsysContact ops@example.com")
	host := fmt.Sprintf("%s:%d", addr, port)
	v3 := []string{"-v", "3", "-u", snmptest.PrivUser, "-l", "authPriv", "-a", "SHA", "-A", snmptest.AuthKey, "-x", "AES", "-X", snmptest.PrivKey}
	for _, tc := range []struct {
		name  string
		flags []string
		root  string
	}{
		{"v2c system", []string{"-v", "2c", "-c", "public"}, "1.3.6.1.2.1.1"},
		{"v1 interfaces", []string{"-v", "1", "-c", "public"}, "1.3.6.1.2.1.2"},
		{"v3 interfaces", v3, "1.3.6.1.2.1.2"},
		{"v2c ipAddrTable", []string{"-v", "2c", "-c", "public"}, ".1.3.6.1.2.1.4.20"},
		{"v2c hrStorage", []string{"-v", "2c", "-c", "public"}, "1.3.6.1.2.1.25.2"},
		{"v2c leaf", []string{"-v", "2c", "-c", "public"}, "1.3.6.1.2.1.1.5.0"},
		{"v2c nothing there", []string{"-v", "2c", "-c", "public"}, "1.3.6.1.2.1.99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runSnmp(t, nil, append(append([]string{"walk"}, tc.flags...), "-m", host, tc.root)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			theirs := netsnmp(t, "snmpwalk", append(append([]string{}, tc.flags...), "-On", "-Oe", host, tc.root)...)
			ourOIDs, ours := parseVars(t, stdout)
			netOIDs, want := parseVars(t, theirs)
			if strings.Join(ourOIDs, " ") != strings.Join(netOIDs, " ") {
				t.Fatalf("OIDs differ:\nours:    %v\nsnmpwalk: %v", ourOIDs, netOIDs)
			}
			for _, oid := range ourOIDs {
				o, w := ours[oid], want[oid]
				if o[0] != w[0] {
					t.Errorf("%s: type %q, snmpwalk %q", oid, o[0], w[0])
				}
				switch o[0] {
				case "Counter32", "Counter64", "Timeticks", "Gauge32": // they move between the walks
				default:
					if o[1] != w[1] {
						t.Errorf("%s: value %q, snmpwalk %q", oid, o[1], w[1])
					}
				}
			}
			if len(ourOIDs) == 0 {
				t.Error("nothing printed")
			}
		})
	}
}

type fakeNamer map[string]string

func (f fakeNamer) Name(oid string) string {
	if n, ok := f[oid]; ok {
		return n
	}
	return oid // unknown: unchanged, as *mib.Names does
}

func (f fakeNamer) Lookup(name string) (string, bool) {
	for k, v := range f {
		if v == name {
			return k, true
		}
	}
	return "", false
}

func TestGetCommand(t *testing.T) {
	addr, port := snmptest.StartSnmpd(t, "sysName get-test\nsysContact ops")
	host := fmt.Sprintf("%s:%d", addr, port)
	code, stdout, stderr := runSnmp(t, nil, "get", "-c", "public", host, "1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.3.0")
	want := `^\.1\.3\.6\.1\.2\.1\.1\.5\.0 = STRING: "get-test"
\.1\.3\.6\.1\.2\.1\.1\.99\.0 = No Such Object available on this agent at this OID
\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: \(\d+\) 0:\d\d:\d\d\.\d\d
$`
	if code != 0 || !regexp.MustCompile(want).MatchString(stdout) {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	// With a MIB namer: names for OIDs and OID values, names accepted as input; -m turns them off.
	names := fakeNamer{"1.3.6.1.2.1.1.5.0": "SNMPv2-MIB::sysName.0", "1.3.6.1.2.1.1.2.0": "SNMPv2-MIB::sysObjectID.0", "1.3.6.1.4.1.8072.3.2.10": "NET-SNMP-TC::linux"}
	_, stdout, _ = runSnmp(t, names, "get", host, "SNMPv2-MIB::sysName.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.4.0")
	if stdout != "SNMPv2-MIB::sysName.0 = STRING: \"get-test\"\nSNMPv2-MIB::sysObjectID.0 = OID: NET-SNMP-TC::linux\n.1.3.6.1.2.1.1.4.0 = STRING: \"ops\"\n" {
		t.Errorf("named: %q", stdout)
	}
	_, stdout, _ = runSnmp(t, names, "get", "-On", host, "1.3.6.1.2.1.1.5.0")
	if stdout != ".1.3.6.1.2.1.1.5.0 = STRING: \"get-test\"\n" {
		t.Errorf("numeric: %q", stdout)
	}
	// v3, and the errors of a wrong key.
	_, stdout, stderr = runSnmp(t, nil, "get", "-v", "3", "-u", snmptest.AuthUser, "-a", "SHA", "-A", snmptest.AuthKey, host, "1.3.6.1.2.1.1.5.0")
	if !strings.Contains(stdout, "get-test") {
		t.Errorf("v3: %q %q", stdout, stderr)
	}
	code, _, stderr = runSnmp(t, nil, "get", "-v", "3", "-u", snmptest.AuthUser, "-a", "SHA", "-A", "not-the-key", host, "1.3.6.1.2.1.1.5.0")
	if code != 1 || !strings.Contains(stderr, "wrong authentication key") || strings.Contains(stderr, "not-the-key") {
		t.Errorf("wrong key: exit %d %q", code, stderr)
	}
	code, _, stderr = runSnmp(t, nil, "walk", "-c", "wrong-community", "-t", "100ms", "-r", "1", host)
	if code != 1 || stderr != "Timeout: No Response from "+host+".\n" {
		t.Errorf("timeout: exit %d %q", code, stderr)
	}
}

func TestSnmpCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"walk"},
		{"get", "127.0.0.1"},
		{"walk", "127.0.0.1", "1.3", "1.4"},
		{"walk", "-l", "bogus", "-v", "3", "-u", "u", "127.0.0.1"},
		{"walk", "-t", "soon", "127.0.0.1"},
		{"walk", "-v", "4", "127.0.0.1"},
		{"walk", "-v", "3", "127.0.0.1"},
		{"walk", "-v", "3", "-u", "u", "-a", "SHA", "-A", "short", "127.0.0.1"},
		{"walk", "127.0.0.1:99999"},
		{"get", "127.0.0.1", "sysName.0"},
		{"walk", "-bogus", "127.0.0.1"},
	} {
		code, stdout, stderr := runSnmp(t, nil, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "usage: vantage") {
			t.Errorf("%v: exit %d, %q %q", args, code, stdout, stderr)
		}
	}
	if code, _, stderr := runSnmp(t, nil, "walk", "-h"); code != 0 || !strings.Contains(stderr, "-On") {
		t.Errorf("-h: exit %d %q", code, stderr)
	}
}

func TestSnmpFormatting(t *testing.T) {
	for in, want := range map[string]string{"192.0.2.1": "192.0.2.1:161", "h:1161": "h:1161", "udp:h:1161": "h:1161", "[::1]:1161": "::1:1161", "::1": "::1:161", "[::1]": "::1:161"} {
		h, p, err := splitHostPort(in)
		if got := fmt.Sprintf("%s:%d", h, p); err != nil || got != want {
			t.Errorf("%q: %s %v", in, got, err)
		}
	}
	for in, want := range map[uint64]string{99: "0:00:00.99", 397991513: "46 days, 1:31:55.13", 8640000: "1 day, 0:00:00.00"} {
		if got := ticks(in); got != want {
			t.Errorf("ticks(%d) = %q", in, got)
		}
	}
	p := printer{}
	for _, tc := range []struct {
		v    snmp.Value
		want string
	}{
		{snmp.Value{Type: snmp.OctetString, Bytes: []byte{0, 0x1a, 0xff}}, "Hex-STRING: 00 1A FF "},
		{snmp.Value{Type: snmp.OctetString, Bytes: []byte(`say "hi"`)}, `STRING: "say \"hi\""`},
		{snmp.Value{Type: snmp.OctetString}, `""`},
		{snmp.Value{Type: snmp.Opaque, Bytes: snmp.OpaqueFloat(5.463867)}, "Opaque: Float: 5.463867"},
		{snmp.Value{Type: snmp.Integer, Int: -3}, "INTEGER: -3"},
		{snmp.Value{Type: snmp.Counter64, Uint: 1 << 63}, "Counter64: 9223372036854775808"},
		{snmp.Value{Type: snmp.ObjectIdentifier, Text: "1.3.6.1"}, "OID: .1.3.6.1"},
		{snmp.Value{Type: snmp.EndOfMibView}, "No more variables left in this MIB View (It is past the end of the MIB tree)"},
	} {
		if got := p.value(tc.v); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.v, got, tc.want)
		}
	}
}
