package dnsmon

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireTool finds a Debian server binary; without it the test skips,
// or fails when CI=true (CI installs `make test-deps`).
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	for _, dir := range []string{"", "/usr/sbin/", "/sbin/"} {
		if p, err := exec.LookPath(dir + name); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found; install it with apt-get install -y %s", name, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// freeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// TestDnsmasqChange runs Debian's dnsmasq on 127.0.0.1 with 2-second TTLs
// from a hosts file, changes the file (SIGHUP makes dnsmasq re-read it),
// and checks that the watch reports the change by TTL + poll interval on
// the watch's clock.
func TestDnsmasqChange(t *testing.T) {
	bin := requireTool(t, "dnsmasq", "dnsmasq-base")
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts")
	write := func(addr string) {
		if err := os.WriteFile(hosts, []byte(addr+" web.vantage.test\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("192.0.2.10")
	port := freeUDPPort(t)
	cmd := exec.Command(bin, "--keep-in-foreground", "--conf-file=/dev/null", "--user=root", "--pid-file=",
		fmt.Sprintf("--port=%d", port), "--listen-address=127.0.0.1", "--bind-interfaces",
		"--no-resolv", "--no-hosts", "--addn-hosts="+hosts, "--local=/vantage.test/", "--local-ttl=2", "--log-facility=-")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dnsmasq: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	r := testResolver(fmt.Sprintf("127.0.0.1:%d", port))
	ctx := context.Background()
	// Wait (bounded) for dnsmasq to answer.
	var err error
	for range 50 {
		if _, err = r.LookupHost(ctx, "web.vantage.test"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("dnsmasq never answered: %v\n%s", err, out.String())
	}

	const every = 5 * time.Second
	clk := &clock{t: time.Unix(1_000_000, 0)}
	w := NewWatch(r, "web.vantage.test", 0, clk.now)
	first := w.Check(ctx)
	if first.Err != nil || first.Answer.TTL != 2*time.Second || !slices.Equal(first.Answer.Addrs, addrs("192.0.2.10")) {
		t.Fatalf("first check: %+v", first)
	}
	write("192.0.2.11")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// dnsmasq re-reads the file asynchronously after SIGHUP: wait until it
	// serves the new address (bounded) before starting the clock.
	for range 50 {
		if a, err := r.LookupHost(ctx, "web.vantage.test"); err == nil && slices.Equal(a.Addrs, addrs("192.0.2.11")) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	changedAt := clk.t
	var got *Check
	for range 10 {
		clk.t = clk.t.Add(every)
		if c := w.Check(ctx); c.Changed {
			got = &c
			break
		}
	}
	if got == nil || clk.t.Sub(changedAt) > 2*time.Second+every {
		t.Fatalf("change not seen within TTL + interval (got %+v at +%s)\n%s", got, clk.t.Sub(changedAt), out.String())
	}
	if !slices.Equal(got.Previous, addrs("192.0.2.10")) || !slices.Equal(got.Answer.Addrs, addrs("192.0.2.11")) {
		t.Fatalf("change %v -> %v", got.Previous, got.Answer.Addrs)
	}
}
