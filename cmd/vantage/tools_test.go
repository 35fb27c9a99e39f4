package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

func TestPingCommand(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("vantage ping needs raw sockets or ping sockets; run the tests as root")
	}
	bin := buildBinary(t)
	tests := []struct {
		name     string
		args     []string
		exit     int
		stdout   string // regexp
		stderr   string // regexp
		needsNet bool
	}{
		{"alive", []string{"ping", "127.0.0.1", "::1"}, 0, `(?m)^127\.0\.0\.1 is alive$`, ``, false},
		{"count", []string{"ping", "-c", "3", "-p", "50ms", "127.0.0.2"},
			0, `(?m)^127\.0\.0\.2 : \[2\], 64 bytes, \d+\.\d+ ms \(\d+\.\d+ avg, 0% loss\)$`,
			`(?m)^127\.0\.0\.2 : xmt/rcv/%loss = 3/3/0%, min/avg/max = [\d.]+/[\d.]+/[\d.]+$`, false},
		{"unresolvable", []string{"ping", "no-such-host.invalid"}, 2, ``, `no-such-host\.invalid: address not found`, false},
		{"bad size", []string{"ping", "-s", "4", "127.0.0.1"}, 1, ``, `-s: 4 is outside`, false},
		{"unreachable", nil, 1, `is unreachable`, ``, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.needsNet {
				ns := netnstest.New(t, "pingcmd")
				ns.LinkDown()
				args = []string{"ping", "-t", "300ms", ns.Addr().String()}
			}
			var out, errb bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.exit, out.String(), errb.String())
			}
			if tc.stdout != "" && !regexp.MustCompile(tc.stdout).MatchString(out.String()) {
				t.Fatalf("stdout %q does not match %q", out.String(), tc.stdout)
			}
			if tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(errb.String()) {
				t.Fatalf("stderr %q does not match %q", errb.String(), tc.stderr)
			}
		})
	}
}

func TestMapExportImport(t *testing.T) {
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "campus.yaml")
	os.WriteFile(file, []byte("name: Campus\ndevices:\n  - name: gw\n    address: 192.0.2.1\n    x: 10\n    y: 20\nnetworks:\n  - name: lan\n    cidrs: [192.0.2.0/24]\nlinks:\n  - [gw, lan]\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"map", "import", "--data", data, file}, &out, &errb); code != 0 {
		t.Fatalf("import: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `added map "Campus" (1 devices, 1 networks, 1 links)`) {
		t.Fatalf("import said %q", out.String())
	}
	out.Reset()
	if code := run([]string{"map", "export", "--data", data, "Campus"}, &out, &errb); code != 0 {
		t.Fatalf("export: %d %s", code, errb.String())
	}
	for _, want := range []string{"name: Campus", "address: 192.0.2.1", "cidrs: [192.0.2.0/24]", "- [gw, lan]"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("export lacks %q:\n%s", want, out.String())
		}
	}
	// Re-import of the export replaces the map.
	again := filepath.Join(t.TempDir(), "x.yaml")
	os.WriteFile(again, out.Bytes(), 0o644)
	out.Reset()
	if code := run([]string{"map", "import", "--data", data, again}, &out, &errb); code != 0 || !strings.Contains(out.String(), "replaced map") {
		t.Fatalf("re-import: %d %q %s", code, out.String(), errb.String())
	}
	// Broken files and unknown maps are errors that say why.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: Bad\ndevices:\n  - name: a\n    address: 300.1.1.1\n"), 0o644)
	errb.Reset()
	if code := run([]string{"map", "import", "--data", data, bad}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "bad.yaml:4") {
		t.Fatalf("bad import: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"map", "export", "--data", data, "Nope"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), `no map named "Nope"`) {
		t.Fatalf("export unknown: %d %q", code, errb.String())
	}
}
