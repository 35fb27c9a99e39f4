package cmdline

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{`check_ping -H 1.2.3.4 -w 100,10%`, []string{"check_ping", "-H", "1.2.3.4", "-w", "100,10%"}, false},
		{`a "b c" 'd e' f\ g`, []string{"a", "b c", "d e", "f g"}, false},
		{`a "" b`, []string{"a", "", "b"}, false},
		{`a 'it''s'`, []string{"a", "its"}, false},
		{`a "unclosed`, nil, true},
		{`  `, nil, false},
	}
	for _, tc := range tests {
		got, err := split(tc.in)
		if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("split(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestArgvNoInjection(t *testing.T) {
	rn := Runner{}
	env := Env{Address: "192.0.2.1", Port: 80, Params: map[string]string{
		"Search":  `x; rm -rf / "$(id)"`,
		"Plugin":  `check_ping -H ${ADDRESS} -w "100,10%"`,
		"Secret*": "p w",
	}}
	got, err := rn.argv(Spec{Cmd: "probe.sh", Arg: `-s ${Search} -p ${Secret} -a ${ADDRESS}:${PORT} $count`}, env)
	want := []string{"probe.sh", "-s", `x; rm -rf / "$(id)"`, "-p", "p w", "-a", "192.0.2.1:80", "$count"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("argv = %q, %v\nwant %q", got, err, want)
	}
	// The Nagios probe's cmd=${Plugin}: the parameter is a command line.
	got, err = rn.argv(Spec{Cmd: "${Plugin}"}, env)
	want = []string{"check_ping", "-H", "192.0.2.1", "-w", "100,10%"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("plugin argv = %q, %v", got, err)
	}
	env.Persistent = map[string]string{"count": "3"}
	got, _ = rn.argv(Spec{Cmd: "${PYTHON} p.py $count"}, env)
	if !reflect.DeepEqual(got, []string{"python3", "p.py", "3"}) {
		t.Fatalf("persistent argv = %q", got)
	}
	if _, err := rn.argv(Spec{Cmd: ""}, env); err == nil {
		t.Fatal("empty command accepted")
	}
}

func TestParseOutput(t *testing.T) {
	tests := []struct {
		out    string
		vars   map[string]string
		reason string
	}{
		{`\{ $rtt := 5, $hop := 2 } Round-trip time is very high`, map[string]string{"rtt": "5", "hop": "2"}, "Round-trip time is very high"},
		{`\{ $SearchString := 'aaa', $numericParam := '3' }`, map[string]string{"SearchString": "aaa", "numericParam": "3"}, ""},
		{`\{reason:="CPU, mostly idle"}` + "\n" + `\B5\WMI\0P\`, map[string]string{"reason": "CPU, mostly idle"}, ""},
		{"plain text\nsecond line", map[string]string{}, "plain text"},
		{`\{ broken`, map[string]string{}, `\{ broken`},
	}
	for _, tc := range tests {
		vars, reason := ParseOutput(tc.out)
		if !reflect.DeepEqual(vars, tc.vars) || reason != tc.reason {
			t.Errorf("ParseOutput(%q) = %v %q; want %v %q", tc.out, vars, reason, tc.vars, tc.reason)
		}
	}
}

func TestParseNagios(t *testing.T) {
	text, perf := ParseNagios("OK - load average: 0.95, 0.72, 0.64|load1=0.954;15.000;30.000;0; load5=0.718;10.000;25.000;0; load15=0.635;5.000;20.000;0;\nlong text\n| 'disk used'=81%;90;95;0;100\n")
	if text != "OK - load average: 0.95, 0.72, 0.64" || len(perf) != 4 {
		t.Fatalf("text %q perf %+v", text, perf)
	}
	if perf[0] != (Perf{Label: "load1", Value: "0.954", Warn: "15.000", Crit: "30.000", Min: "0"}) {
		t.Fatalf("perf[0] = %+v", perf[0])
	}
	if perf[3].Label != "disk used" || perf[3].Value != "81" || perf[3].UOM != "%" || perf[3].Max != "100" {
		t.Fatalf("perf[3] = %+v", perf[3])
	}
}

func script(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	tools := t.TempDir()
	probeDir := filepath.Join(tools, "com.example.cmd")
	os.MkdirAll(probeDir, 0o755)
	script(t, probeDir, "exit.sh", `echo '\{ $got := "'"$1"'" } exited with' "$2"; exit "$2"`+"\n")
	script(t, tools, "stdin.sh", `read line; echo "read: $line"`+"\n")
	script(t, tools, "hang.sh", "sleep 30 & sleep 30\n")
	script(t, tools, "nagios.sh", `echo "WARNING - 3 users|users=3;2;5;0"; exit 1`+"\n")
	os.WriteFile(filepath.Join(tools, "notexec.sh"), []byte("echo"), 0o644)
	rn := Runner{ToolsDir: tools}
	exits := []ExitRule{{status.Down, 4}, {status.Critical, 3}, {status.Alarm, 2}, {status.Warning, 1}, {status.OK, 0}}
	env := Env{Address: "192.0.2.7", Params: map[string]string{"Code": "2"}}
	tests := []struct {
		name   string
		spec   Spec
		level  status.Level
		reason string
		vars   map[string]string
	}{
		{"exit mapped", Spec{ProbeID: "com.example.cmd", Cmd: "exit.sh", Arg: "${ADDRESS} ${Code}", Exit: exits}, status.Alarm, "exited with 2", map[string]string{"got": "192.0.2.7"}},
		{"unmapped exit", Spec{ProbeID: "com.example.cmd", Cmd: "exit.sh x 9", Exit: exits}, status.Unknown, "exited with 9", nil},
		{"stdin", Spec{Cmd: "stdin.sh", Input: "hello ${Code}", Exit: exits}, status.OK, "read: hello 2", nil},
		{"nagios", Spec{Cmd: "nagios.sh", Nagios: true, Exit: []ExitRule{{status.Down, 3}, {status.Critical, 2}, {status.Alarm, 1}, {status.OK, 0}}}, status.Alarm, "WARNING - 3 users", map[string]string{"users": "3"}},
		{"timeout", Spec{Cmd: "hang.sh", Timeout: "0.3", Exit: exits}, status.Down, "did not finish within 300ms (killed)", nil},
		{"not found", Spec{Cmd: "nope.sh", Exit: exits}, status.Critical, `program "nope.sh" not found`, nil},
		{"not executable", Spec{Path: tools, Cmd: "notexec.sh"}, status.Critical, "not found", nil},
		{"relative path refused", Spec{Cmd: "../x.sh"}, status.Critical, "plain name or an absolute path", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := rn.Run(context.Background(), tc.spec, env, 5*time.Second)
			if r.Level != tc.level || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got %v %q, want %v containing %q", r.Level, r.Reason, tc.level, tc.reason)
			}
			for k, v := range tc.vars {
				if r.Vars[k] != v {
					t.Fatalf("var %s = %q, want %q (all %v)", k, r.Vars[k], v, r.Vars)
				}
			}
			if tc.name == "timeout" && time.Since(start) > 5*time.Second {
				t.Fatal("the hung program's children kept Run waiting")
			}
		})
	}
}

func TestWriteTools(t *testing.T) {
	tools := t.TempDir()
	dir := filepath.Join(tools, "com.example.t")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "stale.py"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".keep"), []byte("x"), 0o644)
	if err := WriteTools(tools, "com.example.t", map[string]string{"check.py": "print(1)\n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.py")); !os.IsNotExist(err) {
		t.Fatal("stale tool kept")
	}
	if _, err := os.Stat(filepath.Join(dir, ".keep")); err != nil {
		t.Fatal("hidden file removed")
	}
	if st, err := os.Stat(filepath.Join(dir, "check.py")); err != nil || st.Mode()&0o111 == 0 {
		t.Fatal("tool not written executable")
	}
	for _, bad := range []string{"../x", "a/b", ".hidden"} {
		if err := WriteTools(tools, "com.example.t", map[string]string{bad: ""}); err == nil {
			t.Errorf("tool name %q accepted", bad)
		}
	}
	if err := WriteTools(tools, "../escape", nil); err == nil {
		t.Error("probe id with a path accepted")
	}
}

func FuzzParseOutput(f *testing.F) {
	f.Add(`\{ $rtt := 5, $hop := 'a,b' } text`)
	f.Add("OK|a=1;2;3;4;5 'b c'=2%")
	f.Fuzz(func(t *testing.T, s string) {
		ParseOutput(s)
		ParseNagios(s)
		split(s)
	})
}
