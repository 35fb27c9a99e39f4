package probefile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, always returns a File, and
// reports problems with a line inside the file. Seeds are the real probe
// files (read at test time) and the constructs of the table tests.
func FuzzParse(f *testing.F) {
	if entries, err := os.ReadDir(examplesDirPath()); err == nil {
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join(examplesDirPath(), e.Name())); err == nil && !e.IsDir() {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		head("custom-snmp") + "<snmp-device-variables>\nv, sprintf(\"%d,%d\", $a, $b), CALCULATION, \"l\" <!-- c -->\n</snmp-device-variables>\n",
		head("custom-snmp") + "<snmp-device-thresholds>\nalarm: \"$a\" == \"b\" \"r\"\n</snmp-device-thresholds>\n",
		head("custom-snmp") + "<snmp-device-variables-ondemand>\nt, .1, TABLE\nt/c, x[1:4], DEFAULT\n</snmp-device-variables-ondemand>\n",
		head("custom-snmp") + "<snmp-device-alarmpoints>\nP: major ($x) \"r\" => N\n</snmp-device-alarmpoints>\n<snmp-device-notifiers>\nN: \"a:1:2:3\"\n</snmp-device-notifiers>\n",
		head("cmd-line") + "<command-line>\ncmd=x\n</command-line>\n<command-exit>\ndown:${EXIT_CODE}=3\n</command-exit>\n<tool:a.py>\nx\n</tool>\n",
		head("tcp-script") + "<SCRIPT>\nDONE OKAY\n",
		head("built-in") + "<parameters>\n\"a[b,c]\" = \"b\" -- x\n\"p*\" = \"\"\n</parameters>\n<datasets>\n$a, 'b', \"c\", \"true\", \"d\"\n</datasets>\n",
		"<!--\n<header>\n-->\r\n<description>x</description>\r<autorecord>\n$a, 'b', \"L :units(c)\"\n</autorecord>\n\xa9\xb2\xb3",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := Parse("fuzz", data)
		if pf == nil {
			t.Fatal("nil File")
		}
		lines := strings.Count(decode(data), "\n") + 1
		errs := FileErrors(err)
		if err != nil && len(errs) == 0 {
			t.Fatalf("error is not a FileError: %v", err)
		}
		for _, e := range slices.Concat(errs, pf.Warnings) {
			if e.File != "fuzz" || e.Line < 0 || e.Line > lines || e.Reason == "" {
				t.Fatalf("bad problem %+v (file has %d lines)", e, lines)
			}
		}
		if len(errs) > maxReasons+1 || len(pf.Warnings) > maxReasons+1 {
			t.Fatalf("%d errors, %d warnings: not capped", len(errs), len(pf.Warnings))
		}
		if err == nil {
			if pf.Header.Type == "" || pf.Header.ProbeName == "" || !validName(pf.ID()) {
				t.Fatalf("file without identity parsed: %+v", pf.Header)
			}
			for name := range pf.Tools {
				if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
					t.Fatalf("unsafe tool name %q accepted", name)
				}
			}
		}
	})
}

func examplesDirPath() string {
	if dir := os.Getenv("VANTAGE_PROBE_EXAMPLES"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "shared", "probes", "examples")
}
