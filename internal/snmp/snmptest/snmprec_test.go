package snmptest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

func TestParseSnmprec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.snmprec")
	rec := strings.Join([]string{
		"1.3.6.1.2.1.1.3.0|67|397991513",
		"1.3.6.1.2.1.1.1.0|4|Linux box 4.19 ",
		"# a comment",
		"",
		"1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10",
		"1.3.6.1.2.1.2.2.1.6.2|4x|001A2B3C4D5E",
		"1.3.6.1.2.1.2.2.1.2.2|4e|eth\\x30\\tx",
		"1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1",
		"1.3.6.1.2.1.4.20.1.1.10.0.0.2|64x|0a000002",
		"1.3.6.1.2.1.4.20.1.1.74.125.77.125|64|J}M}",
		"1.3.6.1.2.1.2.2.1.10.2|65|4294967295",
		"1.3.6.1.2.1.2.2.1.5.2|66|1000000000",
		"1.3.6.1.2.1.31.1.1.1.6.2|70|18446744073709551615",
		"1.3.6.1.4.1.2021.10.1.6.1|68x|9f78043c23d70a",
		"1.3.6.1.4.1.41112.1.4.5.1.5.1|2|-68",
		"1.3.6.1.2.1.1.9.0|5|",
	}, "\r\n")
	if err := os.WriteFile(path, []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	vals, err := ParseSnmprec(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i, v := range vals {
		got[v.OID] = v.Type.String() + ":" + v.AsString()
		if i > 0 && snmp.CompareOID(vals[i-1].OID, v.OID) >= 0 {
			t.Errorf("not sorted at %s", v.OID)
		}
	}
	for oid, want := range map[string]string{
		"1.3.6.1.2.1.1.3.0":                  "Timeticks:397991513",
		"1.3.6.1.2.1.1.1.0":                  "STRING:Linux box 4.19",
		"1.3.6.1.2.1.1.2.0":                  "OID:1.3.6.1.4.1.8072.3.2.10",
		"1.3.6.1.2.1.2.2.1.6.2":              "STRING:00 1a 2b 3c 4d 5e",
		"1.3.6.1.2.1.2.2.1.2.2":              "STRING:eth0\tx",
		"1.3.6.1.2.1.4.20.1.1.10.0.0.1":      "IpAddress:10.0.0.1",
		"1.3.6.1.2.1.4.20.1.1.10.0.0.2":      "IpAddress:10.0.0.2",
		"1.3.6.1.2.1.4.20.1.1.74.125.77.125": "IpAddress:74.125.77.125",
		"1.3.6.1.2.1.2.2.1.10.2":             "Counter32:4294967295",
		"1.3.6.1.2.1.2.2.1.5.2":              "Gauge32:1000000000",
		"1.3.6.1.2.1.31.1.1.1.6.2":           "Counter64:18446744073709551615",
		"1.3.6.1.4.1.2021.10.1.6.1":          "Opaque:0.01",
		"1.3.6.1.4.1.41112.1.4.5.1.5.1":      "INTEGER:-68",
		"1.3.6.1.2.1.1.9.0":                  "NULL:",
	} {
		if got[oid] != want {
			t.Errorf("%s = %q, want %q", oid, got[oid], want)
		}
	}
	for _, bad := range []string{"1.3.6|4", "1.3.6|2|x", "1.3.6|65|4294967296", "1.3.6|2:numeric|1", "1.3.6|99|1", "1.3..6|2|1", "1.3.6|4x|zz", "1.3.6|64|1.2.3"} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseSnmprec(path); err == nil || !strings.Contains(err.Error(), "x.snmprec:1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestParseSharedRecordings parses every recording the tests use.
func TestParseSharedRecordings(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/testdata/snmprec/*.snmprec")
	if len(files) == 0 {
		t.Skip("no shared recordings next to the repository")
	}
	for _, f := range files {
		vals, err := ParseSnmprec(f)
		if err != nil {
			t.Errorf("%v", err)
		} else if len(vals) < 50 {
			t.Errorf("%s: only %d values", f, len(vals))
		}
	}
}
