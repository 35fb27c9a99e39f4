package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/probefile/cmdline"
	"github.com/vantage-monitor/vantage/internal/status"
)

// writeScript writes an executable shell script.
func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestExampleNagios(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	tools := t.TempDir()
	// check_ping exits with the code in its -c argument's first field
	// divided by 1000, and reports the address it was given.
	writeScript(t, filepath.Join(tools, "check_ping"), `
case "$6" in
  1000,90%) code=0 ;;
  1,1%) code=2 ;;
  *) code=3 ;;
esac
echo "PING $code - Packet loss = 0%, RTA = 0.05 ms for $2|rta=0.051ms;100.0;1000.0;0 pl=0%;10;90;0;100"
echo "second line|extra=5"
exit $code
`)
	f := example(t, "com.dartware.nagios.template")
	p := newProbe(t, f, Deps{Runner: cmdline.Runner{ToolsDir: tools}})

	r := poll(p, nil)
	if r.Level != status.OK || r.Reason != "PING 0 - Packet loss = 0%, RTA = 0.05 ms for 192.0.2.1" {
		t.Errorf("ok: %v %q", r.Level, r.Reason)
	}
	want := "NAGIOS Probe Performance Data: check_ping -H ${ADDRESS} -w 100,10% -c 1000,90%\n" +
		"PING 0 - Packet loss = 0%, RTA = 0.05 ms for 192.0.2.1\n" +
		"  Label  Value    Warn   Crit    Min  Max\n" +
		"  rta    0.051ms  100.0  1000.0  0\n" +
		"  pl     0%       10     90      0    100\n" +
		"  extra  5"
	if got := text(r); got != want {
		t.Errorf("display\n got %q\nwant %q", got, want)
	}
	if v := varsOf(r); v["rta"] != "0.051" || v["pl"] != "0" {
		t.Errorf("vars %v", v)
	}
	if r.Values["exit_code"] != 0 {
		t.Errorf("exit code %v", r.Values["exit_code"])
	}

	for plugin, want := range map[string]status.Level{
		"check_ping -H ${ADDRESS} -w 1,1% -c 1,1%": status.Critical,
		"check_ping -H ${ADDRESS} -w 1,1% -c 9,9%": status.Down,
	} {
		r := poll(p, map[string]string{"Plugin": plugin})
		if r.Level != want || r.NoResponse {
			t.Errorf("%s: %v %q", plugin, r.Level, r.Reason)
		}
	}
	// A parameter cannot smuggle in a shell command.
	r = poll(p, map[string]string{"Plugin": "check_ping -H x;touch${IFS}/tmp/pwned -w 1 -c 1000,90%"})
	if r.Level != status.OK || !strings.Contains(r.Reason, "for x;touch${IFS}/tmp/pwned") {
		t.Errorf("injection: %v %q", r.Level, r.Reason)
	}
}

func TestCmdLineTools(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	f := parse(t, `<header>
	type = "cmd-line"
	package = "com.example"
	probe_name = "cmd.counter"
	human_name = "Counter"
	version = "1.0"
</header>
<parameters>
	"Step" = "2"
</parameters>
<command-line>
	path = ""
	cmd = "counter.sh $count ${Step}"
</command-line>
<command-exit>
	okay: ${EXIT_CODE} = 0
	warning: ${EXIT_CODE} = 1
	alarm: ${EXIT_CODE} > 5
</command-exit>
<command-display>
\B5\Counter\P0\ at $count (step ${Step}, exit ${exit_code})
${^stdout}
</command-display>
<tool:counter.sh>
#!/bin/sh
if [ "$1" = '$count' ]; then n=0; else n=$1; fi
n=$((n + $2))
printf '\\{ $count := %d, reason := "count is %d" } ignored reason\n\\B\\Count:\\P\\ $count\n' $n $n
if [ $n -gt 10 ]; then exit 7; fi
if [ $n -gt 3 ]; then exit 1; fi
exit 0
</tool:counter.sh>
`)
	tools := t.TempDir()
	p := newProbe(t, f, Deps{Runner: cmdline.Runner{ToolsDir: tools}})
	if _, err := os.Stat(filepath.Join(tools, "com.example.cmd.counter", "counter.sh")); err != nil {
		t.Fatalf("tool not written: %v", err)
	}
	for i, want := range []struct {
		level  status.Level
		reason string
		text   string
	}{
		{status.OK, "count is 2", "Counter at 2 (step 2, exit 0)\nignored reason\nCount: 2"},
		{status.Warning, "count is 4", "Counter at 4 (step 2, exit 1)\nignored reason\nCount: 4"},
	} {
		r := poll(p, nil)
		if r.Level != want.level || r.Reason != want.reason || text(r) != want.text {
			t.Errorf("run %d: %v %q %q", i+1, r.Level, r.Reason, text(r))
		}
	}
	r := poll(p, map[string]string{"Step": "10"})
	if r.Level != status.Alarm || r.Reason != "count is 14" {
		t.Errorf("expression exit rule: %v %q", r.Level, r.Reason)
	}
}
