package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// TestBrowserUI runs tests/ui/ui.test.mjs: playwright-core driving Debian's
// chromium against this binary. It builds a map through the UI, stops an
// SMTP-like service when the page asks (the page writes
// $SCREENSHOT_DIR/stop-smtp) and checks the device turns down live. A real
// snmpd on loopback (snmptest.StartSnmpd) is the agent of the SNMP steps:
// an SNMP Traffic device added through the form, its interface table and a
// link drawn on its interface "lo". The screenshots of every step stay in
// $SCREENSHOT_DIR, by default $TMPDIR/vantage-ui-screenshots.
//
// It needs chromium (apt-get install chromium), node and the npm packages
// (cd tests/ui && npm ci); without them it skips, unless $CI is set.
// Without snmpd (apt-get install snmpd) only the SNMP steps are skipped.
func TestBrowserUI(t *testing.T) {
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

	shots := os.Getenv("SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "vantage-ui-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cleanShots(t, shots)
	t.Logf("screenshots: %s", shots)

	smtp := newStoppableBanner(t)
	go smtp.stopOnSignal(filepath.Join(shots, "stop-smtp"), filepath.Join(shots, "smtp-stopped"))

	var snmpEnv []string
	if fileExists(snmptest.SnmpdPath) || os.Getenv("CI") != "" {
		addr, port := snmptest.StartSnmpd(t, "")
		snmpEnv = []string{"SNMP_ADDRESS=" + addr, "SNMP_PORT=" + fmt.Sprint(port), "SNMP_COMMUNITY=" + snmptest.Community}
	} else {
		t.Logf("no %s (apt-get install snmpd): the SNMP steps are skipped", snmptest.SnmpdPath)
	}

	bin := buildBinary(t)
	// No starter map: it would ping the real gateway and DNS servers, and
	// this test talks to loopback only.
	in := start(t, bin, t.TempDir(), "--starter-map=false")
	resp, err := http.Get(in.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / answers %d %s, not the web UI: internal/server must pass ui.Files() as web.Deps.UI", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", filepath.Join("tests", "ui", "ui.test.mjs"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"VANTAGE_URL="+in.url,
		"VANTAGE_PASSWORD="+adminPassword,
		"SMTP_PORT="+fmt.Sprint(smtp.port),
		"SCREENSHOT_DIR="+shots,
		"CHROMIUM="+chromium,
	)
	cmd.Env = append(cmd.Env, snmpEnv...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	// Stream the runner's report as it comes.
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		t.Log(sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("browser test failed: %v (screenshots in %s; server log below)\n%s", err, shots, in.out)
	}
	t.Logf("screenshots: %s", shots)
}

// need skips the test when a prerequisite is missing, or fails it under CI,
// where every test must run.
func need(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (required because CI is set)", args...)
	}
	t.Skipf(format, args...)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// cleanShots removes what an earlier run left: screenshots and the stop
// signal files, nothing else.
func cleanShots(t *testing.T, dir string) {
	t.Helper()
	old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, f := range append(old, filepath.Join(dir, "stop-smtp"), filepath.Join(dir, "smtp-stopped")) {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// stoppableBanner greets like an SMTP server on loopback until stopped;
// then connections are refused, as when a mail server dies.
type stoppableBanner struct {
	ln   net.Listener
	port int
	mu   sync.Mutex
	conn map[net.Conn]struct{}
	once sync.Once
	done chan struct{}
}

func newStoppableBanner(t *testing.T) *stoppableBanner {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &stoppableBanner{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, conn: map[net.Conn]struct{}{}, done: make(chan struct{})}
	t.Cleanup(b.stop)
	go b.serve()
	return b
}

func (b *stoppableBanner) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conn[c] = struct{}{}
		b.mu.Unlock()
		go func() {
			defer func() {
				b.mu.Lock()
				delete(b.conn, c)
				b.mu.Unlock()
				c.Close()
			}()
			fmt.Fprintf(c, "220 mail.example.test ESMTP ready\r\n")
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if strings.HasPrefix(strings.ToUpper(line), "QUIT") {
					fmt.Fprintf(c, "221 bye\r\n")
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func (b *stoppableBanner) stop() {
	b.once.Do(func() {
		close(b.done)
		b.ln.Close()
		b.mu.Lock()
		for c := range b.conn {
			c.Close()
		}
		b.mu.Unlock()
	})
}

// stopOnSignal stops the service when the browser test writes stopFile and
// answers by writing ackFile.
func (b *stoppableBanner) stopOnSignal(stopFile, ackFile string) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-tick.C:
			if fileExists(stopFile) {
				b.stop()
				os.WriteFile(ackFile, []byte("stopped\n"), 0o644)
				return
			}
		}
	}
}
