package main

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

// TestFirefoxUI runs tests/firefox/firefox.test.mjs: puppeteer-core driving
// Debian's firefox-esr over WebDriver BiDi against this binary (issue 3: the
// web UI must work in Firefox as well as Chromium, which TestBrowserUI
// covers).
//
// Firefox contacts Mozilla's services when it starts, so it runs only inside
// a network namespace (netnstest) whose one link leads to the host side of a
// veth pair, with no default route: the server listens on that host-side
// address and is all Firefox can reach. The server itself runs outside and
// pings 127.0.0.1 for the test's device. The screenshots of every step stay
// in $SCREENSHOT_DIR, by default $TMPDIR/vantage-firefox-screenshots.
//
// It needs root (for the namespace), firefox-esr (apt-get install
// firefox-esr), node and the npm packages (cd tests/firefox && npm ci);
// without them it skips, unless $CI is set.
func TestFirefoxUI(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	need(t, os.Geteuid() == 0, "the Firefox test runs Firefox in a network namespace, which needs root")
	firefox := os.Getenv("FIREFOX")
	if firefox == "" {
		firefox = "/usr/bin/firefox-esr"
	}
	need(t, fileExists(firefox), "no browser at %s: apt-get install firefox-esr", firefox)
	node, err := exec.LookPath("node")
	need(t, err == nil, "node is not installed (Debian: apt-get install nodejs)")
	need(t, fileExists(filepath.Join(root, "tests", "firefox", "node_modules", "puppeteer-core", "package.json")),
		"tests/firefox/node_modules is missing: cd tests/firefox && npm ci")
	_, err = exec.LookPath("ip")
	need(t, err == nil, "the ip command is missing: apt-get install iproute2")

	shots := os.Getenv("SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "vantage-firefox-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cleanShots(t, shots)
	t.Logf("screenshots: %s", shots)

	ns := netnstest.New(t, "firefox")
	// The namespace must have no way out but the veth to the host, and that
	// link no default route: Firefox can then reach only the server.
	if out, err := ns.Exec("ip", "-4", "route", "show"); err != nil || strings.Contains(out, "default") {
		t.Fatalf("namespace %s routes: %v\n%s", ns.Name(), err, out)
	}
	if out, err := ns.Exec("ip", "-6", "route", "show"); err != nil || strings.Contains(out, "default") {
		t.Fatalf("namespace %s IPv6 routes: %v\n%s", ns.Name(), err, out)
	}

	bin := buildBinary(t)
	// No starter map: it would ping the real gateway and DNS servers. The
	// server listens on the host side of the veth only.
	in := start(t, bin, t.TempDir(), "--starter-map=false", "--http", ns.HostAddr().String()+":0")
	if !strings.Contains(in.url, ns.HostAddr().String()) {
		t.Fatalf("server URL %s is not on the namespace's host address %s", in.url, ns.HostAddr())
	}
	resp, err := http.Get(in.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / answers %d %s, not the web UI", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns.Name(),
		node, "--test", filepath.Join("tests", "firefox", "firefox.test.mjs"))
	cmd.Dir = root
	// Firefox gets its own HOME and temp folder: nothing of a real user's.
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"VANTAGE_URL="+in.url,
		"VANTAGE_PASSWORD="+adminPassword,
		"SCREENSHOT_DIR="+shots,
		"FIREFOX="+firefox,
		"VANTAGE_NETNS="+ns.Name(),
		"HOME="+home,
		"TMPDIR="+home,
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
	)
	// Closing the pipe on timeout must not leave Wait hanging on Firefox.
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node in namespace %s: %v", ns.Name(), err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		t.Log(sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("Firefox test failed: %v (screenshots in %s; server log below)\n%s", err, shots, in.out)
	}
	t.Logf("screenshots: %s", shots)
}
