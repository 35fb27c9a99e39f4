package probefile

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// examplesDir holds real InterMapper probe files (copyrighted test inputs,
// read in place, never copied into the repository).
func examplesDir(t testing.TB) string {
	dir := examplesDirPath()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("probe examples not found (set VANTAGE_PROBE_EXAMPLES): %v", err)
	}
	return dir
}

// exampleFiles returns the example files' names and contents.
func exampleFiles(t testing.TB) map[string][]byte {
	dir := examplesDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	if len(out) == 0 {
		t.Fatalf("no probe files in %s", dir)
	}
	return out
}

// knownWarnings are the warnings real files are expected to give.
var knownWarnings = map[string][]string{
	"com.dartware.snmp.cisco-ip-sla.txt": {`unknown type "Total-Valuation" (did you mean TOTAL-VALUE?)`},
}

// TestExamples parses every real probe file and checks the result against
// facts read from the file's text by other (simpler) means.
func TestExamples(t *testing.T) {
	for name, data := range exampleFiles(t) {
		t.Run(name, func(t *testing.T) {
			f, err := Parse(name, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var warns []string
			for _, w := range f.Warnings {
				warns = append(warns, w.Error())
			}
			if want := knownWarnings[name]; len(warns) != len(want) {
				t.Errorf("warnings %q, want %q", warns, want)
			} else {
				for i := range want {
					if !strings.Contains(warns[i], want[i]) {
						t.Errorf("warning %q, want %q", warns[i], want[i])
					}
				}
			}
			text := strings.ReplaceAll(string(data), "\r\n", "\n")
			if id := headerValue(text, "package") + "." + headerValue(text, "probe_name"); f.ID() != id {
				t.Errorf("ID %q, want %q", f.ID(), id)
			}
			if typ := headerValue(text, "type"); string(f.Header.Type) != typ {
				t.Errorf("type %q, want %q", f.Header.Type, typ)
			}
			if h := headerValue(text, "human_name"); f.Header.HumanName != h {
				t.Errorf("human name %q, want %q", f.Header.HumanName, h)
			}
			if v := headerValue(text, "version"); f.Header.Version != v || v == "" {
				t.Errorf("version %q, want %q", f.Header.Version, v)
			}
			counts := map[string]int{
				"parameters":             len(f.Parameters),
				"datasets":               len(f.Datasets),
				"snmp-device-thresholds": len(f.Thresholds),
				"command-exit":           len(f.CommandExit),
			}
			var regular, ondemand int
			for _, v := range f.Variables {
				if v.OnDemand {
					ondemand++
				} else {
					regular++
				}
			}
			counts["snmp-device-variables"], counts["snmp-device-variables-ondemand"] = regular, ondemand
			for sec, got := range counts {
				if want := entries(text, sec); got != want {
					t.Errorf("<%s>: %d entries, want %d", sec, got, want)
				}
			}
			if body, ok := sectionBody(text, "script"); ok && f.Script != body {
				t.Errorf("script differs from the file's text")
			}
			if want := strings.Count(strings.ToLower(text), "<tool:"); len(f.Tools) != want {
				t.Errorf("%d tools, want %d", len(f.Tools), want)
			}
			for _, th := range f.Thresholds {
				if th.Expr == "" || strings.HasSuffix(th.Expr, `"`) && th.Reason != "" {
					t.Errorf("threshold split wrongly: %+v", th)
				}
			}
		})
	}
}

// TestExampleDetails spot-checks typed fields of a few real files.
func TestExampleDetails(t *testing.T) {
	files := exampleFiles(t)
	parse := func(name string) *File {
		f, err := Parse(name, files[name])
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	http := parse("com.dartware.tcp.http")
	if p := http.Header.DisplayPath(); strings.Join(p, "|") != "Servers-Standard|HTTP & HTTPS|HTTP" ||
		http.Header.PortNumber != 80 || http.Header.URLHint != "http://${ADDRESS}:${PORT}/" {
		t.Errorf("http header %+v", http.Header)
	}
	if p, ok := http.Parameter("Password*"); !ok || p.Kind != ParamPassword || p.Name != "Password" {
		t.Errorf("http password %+v", p)
	}
	if !strings.HasPrefix(http.Script, "\nCONN #60") || !strings.HasPrefix(http.ScriptOutput, "\n\\B5\\HTTP Information") {
		t.Errorf("http script %q", http.Script[:20])
	}
	ping := parse("com.dartware.ping")
	if p := ping.Header.DisplayPath(); strings.Join(p, "|") != "Basic|Ping/Echo" || ping.Header.EquivClass != "CORE" {
		t.Errorf("ping header %+v", ping.Header)
	}
	nagios := parse("com.dartware.nagios.template")
	if !nagios.Header.HasFlag("NAGIOS3") || nagios.CommandLine.Cmd != "${Plugin}" || nagios.CommandExit[1].Code != 2 {
		t.Errorf("nagios %+v %+v", nagios.CommandLine, nagios.CommandExit)
	}
	sql := parse("com.dartware.cmd.sql_query.txt")
	if tool := sql.Tools["sql_query.vbs"]; !strings.HasSuffix(tool.Text, "wscript.quit(returncode)") || tool.Line != 68 {
		t.Errorf("sql tool at %d ends %q", tool.Line, tool.Text[len(tool.Text)-30:])
	}
	ups := parse("com.dartware.ups.apc.txt")
	if ups.Properties["apcups"] != "false" || ups.Datasets[3].Legend != "Battery Temperature (°C)" {
		t.Errorf("ups %+v %+v", ups.Properties, ups.Datasets[3])
	}
	tv := parse("com.dartware.snmp.tableviewer.txt")
	var tables []string
	for _, v := range tv.Variables {
		if v.Type == "TABLE" {
			tables = append(tables, v.Name)
		}
	}
	if len(tables) != 11 || tables[0] != "ifTable" {
		t.Errorf("tables %q", tables)
	}
	trap := parse("com.dartware.snmp.trapdisplay.txt")
	if trap.Header.Type != SNMPTrap || !trap.Variables[0].IsTrap() {
		t.Errorf("trap probe %+v", trap.Header)
	}
}

// headerValue finds `key = "value"` in a file's text (quoted key or not).
func headerValue(text, key string) string {
	re := regexp.MustCompile(`(?im)^\s*"?` + key + `"?\s*=\s*"([^"]*)"`)
	if m := re.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// sectionBody returns the text between the <name> and </name> lines.
func sectionBody(text, name string) (string, bool) {
	open := regexp.MustCompile(`(?im)^[ \t]*<` + regexp.QuoteMeta(name) + `>[ \t]*\n`)
	loc := open.FindStringIndex(text)
	if loc == nil {
		return "", false
	}
	rest := text[loc[1]:]
	end := regexp.MustCompile(`(?im)^[ \t]*</` + regexp.QuoteMeta(name) + `>`).FindStringIndex(rest)
	if end == nil {
		return "", false
	}
	return strings.TrimSuffix(rest[:end[0]], "\n"), true
}

// entries counts a section's lines that are not blank, "--" comments or
// one-line <!-- --> comments.
func entries(text, name string) int {
	body, _ := sectionBody(text, name)
	n := 0
	for l := range strings.SplitSeq(body, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--") || strings.HasPrefix(l, "<!--") && strings.HasSuffix(l, "-->") {
			continue
		}
		n++
	}
	return n
}
