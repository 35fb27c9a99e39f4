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

// TestBrowserCharts runs tests/ui/charts.test.mjs: playwright-core driving
// Debian's chromium against this binary, through strip charts (a map of
// two TCP services on loopback polled every second, whose status window
// lists the "rtt" dataset with a sparkline; the chart page with a second
// device's dataset added from the picker, a drag across the plot zooming
// in with a new query, Back, the CSV link) and the retention settings (a
// refused value showing the server's reason, a good one kept over a
// reload). The page's steps start the TCP services themselves.
//
// The screenshots of every step stay in $SCREENSHOT_DIR/charts, by default
// $TMPDIR/vantage-charts-screenshots; with $CHARTS_DOC_SHOT set (an
// absolute path, e.g. $PWD/docs/charts.png) the zoomed chart page is also
// saved there.
//
// It needs chromium, node and the npm packages (cd tests/ui && npm ci);
// without them it skips, unless $CI is set.
func TestBrowserCharts(t *testing.T) {
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

	// A folder of its own, so the other browser tests' screenshots stay.
	shots := filepath.Join(os.TempDir(), "vantage-charts-screenshots")
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		shots = filepath.Join(dir, "charts")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cleanShots(t, shots)
	t.Logf("screenshots: %s", shots)

	bin := buildBinary(t)
	// No starter map: it would ping the real gateway and DNS servers, and
	// this test talks to loopback only.
	in := start(t, bin, t.TempDir(), "--starter-map=false")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", filepath.Join("tests", "ui", "charts.test.mjs"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"VANTAGE_URL="+in.url,
		"VANTAGE_PASSWORD="+adminPassword,
		"SCREENSHOT_DIR="+shots,
		"CHROMIUM="+chromium,
	)
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
