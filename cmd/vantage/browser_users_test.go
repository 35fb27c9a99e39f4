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

// TestBrowserUsers runs tests/ui/users.test.mjs: an administrator makes a
// reader in the Users & access page and grants them one map; the reader,
// in a second browser context, sees that map without editing controls, not
// the other, and a write from their session is refused. Screenshots stay
// in $SCREENSHOT_DIR/users (default $TMPDIR/vantage-users-screenshots).
// It needs chromium, node and the npm packages; without them it skips,
// unless $CI is set.
func TestBrowserUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	need(t, fileExists(chromium), "no browser at %s: apt-get install chromium", chromium)
	node, err := exec.LookPath("node")
	need(t, err == nil, "node is not installed (Debian: apt-get install nodejs)")
	need(t, fileExists(filepath.Join(root, "tests", "ui", "node_modules", "playwright-core", "package.json")),
		"tests/ui/node_modules is missing: cd tests/ui && npm ci")
	shots := filepath.Join(os.TempDir(), "vantage-users-screenshots")
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		shots = filepath.Join(dir, "users")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cleanShots(t, shots)

	in := start(t, buildBinary(t), t.TempDir(), "--starter-map=false")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", filepath.Join("tests", "ui", "users.test.mjs"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "VANTAGE_URL="+in.url, "VANTAGE_PASSWORD="+adminPassword, "SCREENSHOT_DIR="+shots, "CHROMIUM="+chromium)
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
		t.Errorf("browser test failed: %v (screenshots in %s; server log below)\n%s", err, shots, in.out)
	}
}
