package main

import (
	"bytes"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// trapOutput is a bytes.Buffer safe for a writer and a reader goroutine.
type trapOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *trapOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *trapOutput) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTrapListen runs `vantage trap listen` and sends it a v2c trap, a
// relayed v1 trap and a v3 authPriv inform with net-snmp's tools.
func TestTrapListen(t *testing.T) {
	var stdout, stderr trapOutput
	done := make(chan error, 1)
	go func() {
		done <- trapCmd([]string{"listen", "--listen", "127.0.0.1:0", "--count", "3", "-m",
			"-u", "ops", "-l", "authPriv", "-a", "SHA", "-A", "ops-auth-key", "-x", "AES", "-X", "ops-priv-key"}, &stdout, &stderr)
	}()
	addrRE := regexp.MustCompile(`listening for traps on (127\.0\.0\.1:\d+)`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("not listening: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	netsnmp(t, "snmptrap", "-v", "2c", "-c", "public", addr, "100", "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.3", "i", "3")
	netsnmp(t, "snmptrap", "-v", "1", "-c", "public", addr, "1.3.6.1.4.1.6306", "192.0.2.7", "6", "333", "5",
		"1.3.6.1.4.1.6306.1", "s", "321")
	netsnmp(t, "snmpinform", "-t", "2", "-r", "1", "-v", "3", "-u", "ops", "-l", "authPriv", "-a", "SHA", "-A", "ops-auth-key",
		"-x", "AES", "-X", "ops-priv-key", addr, "200", "1.3.6.1.4.1.8072.2.3.0.1", "1.3.6.1.4.1.8072.2.3.2.1", "i", "42")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("did not exit after 3 traps: %s", stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} v2c 127\.0\.0\.1:\d+: linkDown, ifIndex = 3$`),
		regexp.MustCompile(`^\S+ \S+ v1 127\.0\.0\.1:\d+ agent 192\.0\.2\.7: 1\.3\.6\.1\.4\.1\.6306 \(333\) \{ "321" \} \(via 127\.0\.0\.1\)$`),
		regexp.MustCompile(`^\S+ \S+ v3 inform user=ops 127\.0\.0\.1:\d+: 1\.3\.6\.1\.4\.1\.8072\.2\.3\.0\.1 \{ "42" \}$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("printed:\n%s", stdout.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d: %q does not match %s", i+1, lines[i], re)
		}
	}
	if s := stderr.String(); !strings.Contains(s, "3 traps, 1 informs acknowledged") || strings.Contains(s, "public") {
		t.Errorf("stderr: %s", s)
	}
}

func TestTrapListenUsage(t *testing.T) {
	busy, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var stdout, stderr bytes.Buffer
	if err := trapCmd([]string{"listen", "--listen", busy.LocalAddr().String()}, &stdout, &stderr); err == nil ||
		!strings.Contains(err.Error(), "the port is in use") {
		t.Errorf("busy port: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage: vantage trap listen"},
		{[]string{"listen", "--listen", "nonsense"}, "--listen[0]"},
		{[]string{"listen", "-u", "ops", "-l", "authPriv", "-A", "short", "-X", "short"}, "auth_key: at least 8"},
		{[]string{"listen", "-u", "ops", "-l", "bogus"}, `-l: "bogus"`},
		{[]string{"listen", "extra"}, `unexpected argument "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		err := trapCmd(c.args, &stdout, &stderr)
		if code, ok := err.(exitCode); !ok || code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: err %v, stderr %q, want %q", c.args, err, stderr.String(), c.want)
		}
	}
}
