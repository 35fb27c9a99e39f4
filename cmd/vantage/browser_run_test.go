package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// browserRun is what a browser test needs: the repository root, Debian's
// chromium, node with playwright-core, and a screenshot folder of its own
// (so the tests' screenshots do not overwrite each other).
type browserRun struct {
	root, chromium, node, shots string
}

// needBrowser checks for the browser, node and the npm packages (skipping
// without them unless $CI is set) and prepares the screenshots folder:
// $SCREENSHOT_DIR/NAME, by default $TMPDIR/vantage-NAME-screenshots.
func needBrowser(t *testing.T, name string) browserRun {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b := browserRun{root: root, chromium: os.Getenv("CHROMIUM")}
	if b.chromium == "" {
		b.chromium = "/usr/bin/chromium"
	}
	need(t, fileExists(b.chromium), "no browser at %s: apt-get install chromium", b.chromium)
	b.node, err = exec.LookPath("node")
	need(t, err == nil, "node is not installed (Debian: apt-get install nodejs)")
	need(t, fileExists(filepath.Join(root, "tests", "ui", "node_modules", "playwright-core", "package.json")),
		"tests/ui/node_modules is missing: cd tests/ui && npm ci")
	b.shots = filepath.Join(os.TempDir(), "vantage-"+name+"-screenshots")
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		b.shots = filepath.Join(dir, name)
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cleanShots(t, b.shots)
	t.Logf("screenshots: %s", b.shots)
	return b
}

// run runs tests/ui/SCRIPT with node against the server in, passing its URL,
// the admin password, the screenshot folder and env; the script's output
// goes to the test log, and a failure shows the server's log.
func (b browserRun) run(t *testing.T, in *instance, script string, timeout time.Duration, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, "--test", filepath.Join("tests", "ui", script))
	cmd.Dir = b.root
	cmd.Env = append(append(os.Environ(),
		"VANTAGE_URL="+in.url,
		"VANTAGE_PASSWORD="+adminPassword,
		"SCREENSHOT_DIR="+b.shots,
		"CHROMIUM="+b.chromium,
	), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		t.Log(sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("browser test failed: %v (screenshots in %s; server log below)\n%s", err, b.shots, in.out)
	}
}
