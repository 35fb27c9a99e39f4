// Package snmptest starts SNMP agents for tests: Debian's real net-snmp
// snmpd and snmpsim on loopback ports, and FakeAgent, a small scripted
// agent that misbehaves on purpose. It also parses snmpsim recordings.
//
// The real agents are skipped when not installed, unless the environment
// variable CI is set: then their absence fails the test.
package snmptest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// SnmpdPath is where Debian's snmpd package installs the agent.
const SnmpdPath = "/usr/sbin/snmpd"

// Credentials of the agents StartSnmpd runs.
const (
	// Community is the read-only v1/v2c community.
	Community = "public"
	// AuthUser is an authNoPriv user: SHA with AuthKey.
	AuthUser = "vantageAuth"
	// PrivUser is an authPriv user: SHA with AuthKey, AES with PrivKey.
	PrivUser = "vantagePriv"
	// NoAuthUser is a noAuthNoPriv user.
	NoAuthUser = "vantageNoAuth"
	// AuthKey is every user's authentication pass phrase.
	AuthKey = "vantage-auth-key"
	// PrivKey is every user's privacy pass phrase.
	PrivKey = "vantage-priv-key"
)

// V3User is an SNMPv3 user of the StartSnmpd agents; keys are AuthKey and
// PrivKey. Protocol names are net-snmp's, which snmp.Credentials accepts.
type V3User struct {
	Name, Auth, Priv string
}

// V3Users returns the authPriv users, one per protocol pair, besides
// AuthUser, PrivUser and NoAuthUser.
func V3Users() []V3User {
	return []V3User{
		{"vantageMD5DES", "MD5", "DES"},
		{"vantageSHA224", "SHA-224", "AES"},
		{"vantageSHA256", "SHA-256", "AES-192"},
		{"vantageSHA384", "SHA-384", "AES-256"},
		{"vantageSHA512", "SHA-512", "AES-256"},
	}
}

// need skips the test when a tool is missing, or fails it under CI.
func need(t testing.TB, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	msg := fmt.Sprintf("%s not found: install Debian package %s (apt-get install -y %s)", path, pkg, pkg)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// StartSnmpd runs net-snmp's snmpd on 127.0.0.1 at a free UDP port until
// the test ends, and returns the address (without port) and the port. It
// serves the host's MIB-II (system, interfaces, ip …) to community
// "public" from 127.0.0.1 and to the v3 users above. extraConf is appended
// to its snmpd.conf. Everything it writes stays in a temporary directory:
// it reads no /etc/snmp file and writes nothing to /var/lib/snmp.
func StartSnmpd(t testing.TB, extraConf string) (addr string, port int) {
	t.Helper()
	need(t, SnmpdPath, "snmpd")
	dir := t.TempDir()
	conf := filepath.Join(dir, "snmpd.conf")
	var b strings.Builder
	fmt.Fprintf(&b, "dontLogTCPWrappersConnects yes\nrocommunity %s 127.0.0.1\n", Community)
	fmt.Fprintf(&b, "createUser %s SHA %q\nrouser %s auth\n", AuthUser, AuthKey, AuthUser)
	fmt.Fprintf(&b, "createUser %s SHA %q AES %q\nrouser %s priv\n", PrivUser, AuthKey, PrivKey, PrivUser)
	fmt.Fprintf(&b, "createUser %s\nrouser %s noauth\n", NoAuthUser, NoAuthUser)
	for _, u := range V3Users() {
		fmt.Fprintf(&b, "createUser %s %s %q %s %q\nrouser %s priv\n", u.Name, u.Auth, AuthKey, u.Priv, PrivKey, u.Name)
	}
	b.WriteString(extraConf)
	b.WriteString("\n")
	if err := os.WriteFile(conf, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port = freeUDPPort(t)
		persist := filepath.Join(dir, fmt.Sprintf("persist%d", attempt))
		logFile := filepath.Join(dir, fmt.Sprintf("snmpd%d.log", attempt))
		cmd := exec.Command(SnmpdPath, "-f", "-Lf", logFile, "-C", "-c", conf, "-M", filepath.Join(dir, "no-mibs"), "-m", "",
			fmt.Sprintf("udp:127.0.0.1:%d", port))
		cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+persist, "SNMPCONFPATH="+dir, "MIBS=", "HOME="+dir)
		if lastErr = startAndWait(t, cmd, port, Community, 10*time.Second); lastErr == nil {
			return "127.0.0.1", port
		}
		log, _ := os.ReadFile(logFile)
		lastErr = fmt.Errorf("%w; snmpd log:\n%s", lastErr, tail(log))
	}
	t.Fatalf("snmpd did not start: %v", lastErr)
	return "", 0
}

// freeUDPPort returns a UDP port free on 127.0.0.1 a moment ago.
func freeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startAndWait starts cmd, stops it when the test ends, and waits until
// it answers a v2c Get with community.
func startAndWait(t testing.TB, cmd *exec.Cmd, port int, community string, patience time.Duration) error {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("%s exited at start: %s", filepath.Base(cmd.Path), tail(out.Bytes()))
		default:
		}
		if answers("127.0.0.1", port, community) {
			t.Cleanup(stop)
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return fmt.Errorf("%s did not answer on 127.0.0.1:%d within %v: %s", filepath.Base(cmd.Path), port, patience, tail(out.Bytes()))
}

// answers reports whether a v2c agent answers a Get of sysDescr.0.
func answers(addr string, port int, community string) bool {
	g := &gosnmp.GoSNMP{Target: addr, Port: uint16(port), Community: community, Version: gosnmp.Version2c,
		Timeout: 300 * time.Millisecond, Retries: 0}
	if err := g.Connect(); err != nil {
		return false
	}
	defer g.Conn.Close()
	pkt, err := g.Get([]string{".1.3.6.1.2.1.1.1.0"})
	return err == nil && pkt != nil && len(pkt.Variables) == 1
}

func tail(b []byte) string {
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// SnmpsimPath returns the installed snmpsim command responder, or "".
func SnmpsimPath() string {
	for _, name := range []string{"snmpsim-command-responder", "snmpsimd", "snmpsimd.py"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// StartSnmpsim serves snmpsim recordings (.snmprec files, read in place
// through symlinks) on 127.0.0.1 at a free UDP port until the test ends.
// The community selecting a recording is its file name without
// ".snmprec". snmpsim refuses to run as root, so as root it runs as
// nobody:nogroup. Indexing takes a few seconds per megabyte at start.
func StartSnmpsim(t testing.TB, recordings ...string) (addr string, port int) {
	t.Helper()
	bin := SnmpsimPath()
	if bin == "" {
		bin = "/usr/bin/snmpsimd"
	}
	need(t, bin, "snmpsim")
	if len(recordings) == 0 {
		t.Fatal("StartSnmpsim: no recordings")
	}
	// t.TempDir's parent is private to root; snmpsim's user must read it.
	dir, err := os.MkdirTemp("", "vantage-snmpsim-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	data, cache := filepath.Join(dir, "data"), filepath.Join(dir, "cache")
	for _, d := range []string{dir, data, cache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range recordings {
		abs, err := filepath.Abs(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(data, filepath.Base(abs))); err != nil {
			t.Fatal(err)
		}
	}
	community := strings.TrimSuffix(filepath.Base(recordings[0]), ".snmprec")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port = freeUDPPort(t)
		args := []string{"--data-dir=" + data, "--cache-dir=" + cache,
			fmt.Sprintf("--agent-udpv4-endpoint=127.0.0.1:%d", port), "--logging-method=null"}
		if os.Geteuid() == 0 {
			if err := chownNobody(cache); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--process-user=nobody", "--process-group=nogroup")
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if lastErr = startAndWait(t, cmd, port, community, 90*time.Second); lastErr == nil {
			return "127.0.0.1", port
		}
	}
	t.Fatalf("snmpsim did not start: %v", lastErr)
	return "", 0
}
