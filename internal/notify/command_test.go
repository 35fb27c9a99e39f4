package notify

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// script writes an executable shell script in a temp directory.
func script(t *testing.T, body string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func TestCommandArgsAndStdin(t *testing.T) {
	path, dir := script(t, `out="$(dirname "$0")/out"
printf '%s\n' "$#" > "$out"
for a in "$@"; do printf '[%s]\n' "$a" >> "$out"; done
cat > "$(dirname "$0")/stdin"
`)
	c := DefaultConfig()
	c.Name, c.Type, c.Path = "cmd", TypeCommand, path
	c.Args = []string{"{{.Device}}", "{{.Reason}}", "a; rm -rf / #", "$(echo no)"}
	c.Template = "{{.Kind}} {{.Device}}\nsecond line"
	n, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	m.Device = "router 1; echo pwned"
	if err := n.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "out"))
	want := "4\n[router 1; echo pwned]\n[no reply to ping]\n[a; rm -rf / #]\n[$(echo no)]\n"
	if string(out) != want {
		t.Errorf("args:\n%s\nwant:\n%s", out, want)
	}
	in, _ := os.ReadFile(filepath.Join(dir, "stdin"))
	if string(in) != "DOWN router 1; echo pwned\nsecond line" {
		t.Errorf("stdin = %q", in)
	}
}

func TestCommandFailure(t *testing.T) {
	path, _ := script(t, "echo 'mailbox full' >&2\nexit 3\n")
	c := DefaultConfig()
	c.Name, c.Type, c.Path = "cmd", TypeCommand, path
	n, _ := New(c)
	err := n.Send(t.Context(), testMessage())
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "mailbox full") {
		t.Fatalf("err = %v", err)
	}
}

func TestCommandTimeoutKillsGroup(t *testing.T) {
	path, dir := script(t, `sleep 30 &
echo $! > "$(dirname "$0")/child"
wait
`)
	c := DefaultConfig()
	c.Name, c.Type, c.Path, c.Timeout = "cmd", TypeCommand, path, 300*time.Millisecond
	n, _ := New(c)
	start := time.Now()
	err := n.Send(t.Context(), testMessage())
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	b, err := os.ReadFile(filepath.Join(dir, "child"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("child %d still alive", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
