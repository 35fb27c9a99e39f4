// Debian packages: openssh-server and dropbear-bin (TestBannerRealSSH: one
// real SSH server each; each is skipped when absent).

package probe

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vantage-monitor/vantage/internal/status"
)

// bannerProbeFor returns the registered banner probe with this identifier.
func bannerProbeFor(t *testing.T, id string) bannerProbe {
	t.Helper()
	for _, s := range bannerSpecs() {
		if s.id == id {
			return bannerProbe{spec: s}
		}
	}
	t.Fatalf("no banner probe %s", id)
	return bannerProbe{}
}

// greet sends text, answers the client's first line (its quit command) as
// a server would, and records what the client said.
func greet(text string) func(net.Conn, *peer) {
	return func(c net.Conn, p *peer) {
		if _, err := c.Write([]byte(text)); err != nil {
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		if line != "" {
			_, _ = c.Write([]byte("221 bye\r\n"))
		}
		p.mu.Lock()
		p.got = append(p.got, line)
		p.mu.Unlock()
	}
}

func TestBannerProbes(t *testing.T) {
	good := map[string]string{
		"com.dartware.tcp.smtp":  "220 mail.example.test ESMTP Postfix\r\n",
		"com.dartware.tcp.pop3":  "+OK Dovecot ready.\r\n",
		"com.dartware.tcp.imap4": "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n",
		"com.dartware.tcp.ftp":   "220 (vsFTPd 3.0.3)\r\n",
		"com.dartware.tcp.ssh":   "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
	}
	quits := map[string]string{
		"com.dartware.tcp.smtp": "QUIT\r\n", "com.dartware.tcp.pop3": "QUIT\r\n",
		"com.dartware.tcp.imap4": "A1 LOGOUT\r\n", "com.dartware.tcp.ftp": "QUIT\r\n", "com.dartware.tcp.ssh": "",
	}
	for _, host := range loopbacks(t) {
		for id, banner := range good {
			t.Run(host+"/"+id, func(t *testing.T) {
				p := servePeer(t, host, greet(banner))
				r := poll(t, bannerProbeFor(t, id), host, map[string]string{"port": strconv.Itoa(p.port)})
				checkResult(t, r, want{level: status.OK, values: map[string]any{"banner": strings.TrimSpace(banner)}})
				if _, ok := r.Values["rtt_ms"].(float64); !ok {
					t.Errorf("rtt_ms missing: %v", r.Values)
				}
				// The peer records after the probe hangs up; wait for it.
				deadline := time.Now().Add(3 * time.Second)
				for len(p.received()) == 0 && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if got := p.received(); len(got) != 1 || got[0] != quits[id] {
					t.Errorf("server received %q, want %q", got, quits[id])
				}
			})
		}
	}
}

func TestBannerFailures(t *testing.T) {
	smtp := bannerProbeFor(t, "com.dartware.tcp.smtp")
	ssh := bannerProbeFor(t, "com.dartware.tcp.ssh")
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name   string
		probe  bannerProbe
		server func(net.Conn, *peer)
		params map[string]string
		want   want
	}{
		{"wrong banner", smtp, greet("500 go away\r\n"), nil,
			want{level: status.Alarm, reason: `unexpected banner "500 go away" \(expected 220\)`, values: map[string]any{"banner": "500 go away"}}},
		{"code in the middle is not enough", smtp, greet("554 no 220 for you\r\n"), nil,
			want{level: status.Alarm, reason: `unexpected banner "554 no 220 for you" \(expected 220\)`}},
		{"multi-line greeting", smtp, greet("220-mail.example.test\r\n220 ESMTP\r\n"), nil,
			want{level: status.OK, values: map[string]any{"banner": "220-mail.example.test"}}},
		{"closed without banner", smtp, func(net.Conn, *peer) {}, nil,
			want{level: status.Alarm, reason: `connection closed on port \d+ without a banner`}},
		{"silent", smtp, stall, map[string]string{"timeout": "0.3"},
			want{level: status.Down, noResponse: true, reason: `no answer on port \d+ within 300ms \(connected, no banner\)`}},
		{"banner then close without newline", smtp, func(c net.Conn, _ *peer) { c.Write([]byte("220 bye")) }, nil,
			want{level: status.OK, values: map[string]any{"banner": "220 bye"}}},
		{"endless line is cut", smtp, greet("220 " + long), nil,
			want{level: status.OK, values: map[string]any{"banner": "220 " + long[:196]}}},
		{"control characters and bad UTF-8", smtp, greet("220 \x1b[31mred\xff\tok\r\n"), nil,
			want{level: status.OK, values: map[string]any{"banner": "220 [31mred\uFFFD ok"}}},
		{"expect parameter", smtp, greet("220 mail ESMTP\r\n"), map[string]string{"expect": "220 mail"},
			want{level: status.OK}},
		{"ssh preamble", ssh, greet("Welcome\r\nauthorised use only\r\nSSH-2.0-dropbear\r\n"), nil,
			want{level: status.OK, values: map[string]any{"banner": "SSH-2.0-dropbear"}}},
		{"ssh answered by another service", ssh, greet("220 ftp ready\r\n"), nil,
			want{level: status.Alarm, reason: `unexpected banner "220 ftp ready" \(expected SSH-\)`}},
		{"ssh answered by another service that closes", ssh, func(c net.Conn, _ *peer) { c.Write([]byte("220 ftp ready\r\n")) }, nil,
			want{level: status.Alarm, reason: `unexpected banner "220 ftp ready" \(expected SSH-\)`}},
		{"rtt alarm", smtp, func(c net.Conn, p *peer) { time.Sleep(40 * time.Millisecond); greet("220 slow\r\n")(c, p) },
			map[string]string{"rtt_alarm": "20"}, want{level: status.Alarm, reason: `RTT [\d.]+ ms > 20 ms alarm threshold`}},
		{"bad port", smtp, stall, map[string]string{"port": "99999"},
			want{level: status.Unknown, reason: `invalid probe parameters: parameter port: 99999 is out of range \(want 1 to 65535\)`}},
	}
	for _, host := range loopbacks(t) {
		for _, tc := range tests {
			t.Run(host+"/"+tc.name, func(t *testing.T) {
				p := servePeer(t, host, tc.server)
				params := map[string]string{"port": strconv.Itoa(p.port)}
				for k, v := range tc.params {
					params[k] = v
				}
				checkResult(t, poll(t, tc.probe, host, params), tc.want)
			})
		}
		t.Run(host+"/refused", func(t *testing.T) {
			port := closedPort(t, host)
			r := poll(t, smtp, host, map[string]string{"port": strconv.Itoa(port)})
			checkResult(t, r, want{level: status.Down, noResponse: true, reason: fmt.Sprintf("connection refused on port %d", port)})
		})
	}
}

// TestBannerRealSSH polls real SSH servers, OpenSSH's sshd and dropbear,
// each on a high loopback port with a throw-away host key.
func TestBannerRealSSH(t *testing.T) {
	servers := []struct {
		name, pkg, bin, keygen string
		keyArgs                func(key string) []string
		args                   func(key, dir string, port int) []string
		banner                 string
	}{
		{"sshd", "openssh-server", "/usr/sbin/sshd", "ssh-keygen",
			func(key string) []string { return []string{"-q", "-t", "ed25519", "-N", "", "-f", key} },
			func(key, dir string, port int) []string {
				return []string{"-D", "-e", "-f", "/dev/null", "-h", key, "-p", strconv.Itoa(port),
					"-o", "ListenAddress=127.0.0.1", "-o", "PidFile=none", "-o", "UsePAM=no"}
			}, "SSH-2.0-OpenSSH"},
		{"dropbear", "dropbear-bin", "/usr/sbin/dropbear", "dropbearkey",
			func(key string) []string { return []string{"-t", "ed25519", "-f", key} },
			func(key, dir string, port int) []string {
				return []string{"-F", "-E", "-s", "-r", key, "-P", filepath.Join(dir, "pid"),
					"-p", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
			}, "SSH-2.0-dropbear"},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			keygen, err := exec.LookPath(srv.keygen)
			if _, err2 := os.Stat(srv.bin); err2 != nil || err != nil {
				t.Skipf("%s or %s not installed (Debian package %s); skipping this real SSH server", srv.bin, srv.keygen, srv.pkg)
			}
			if srv.name == "sshd" {
				// sshd insists on its privilege-separation directory, which
				// the service (not the package) creates at boot.
				if _, err := os.Stat("/run/sshd"); err != nil && os.MkdirAll("/run/sshd", 0o755) != nil {
					t.Skip("/run/sshd is missing and cannot be created (not root?); skipping sshd")
				}
			}
			dir := t.TempDir()
			key := filepath.Join(dir, "host_key")
			if out, err := exec.Command(keygen, srv.keyArgs(key)...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", srv.keygen, err, out)
			}
			port := closedPort(t, "127.0.0.1")
			startCommand(t, srv.bin, srv.args(key, dir, port)...)
			waitListening(t, "127.0.0.1", port)

			r := poll(t, bannerProbeFor(t, "com.dartware.tcp.ssh"), "127.0.0.1", map[string]string{"port": strconv.Itoa(port)})
			checkResult(t, r, want{level: status.OK})
			if b, _ := r.Values["banner"].(string); !strings.HasPrefix(b, srv.banner) {
				t.Errorf("banner %q, want %s...", b, srv.banner)
			}
		})
	}
}

func FuzzBannerCheck(f *testing.F) {
	f.Add([]byte("220 mail.example.test ESMTP\r\n"), "220")
	f.Add([]byte("500 go away\r\n"), "220")
	f.Add([]byte("SSH-2.0-OpenSSH_9.2\r\n"), "SSH-")
	f.Add([]byte("* OK ready\r\nmore"), "* OK")
	f.Add([]byte("\xff\xfb\x01\xff\xfd\x18login:"), "+OK")
	f.Add([]byte(strings.Repeat("\u00e9", 300)), "")
	f.Fuzz(func(t *testing.T, raw []byte, expect string) {
		b := cleanBanner(raw)
		if !utf8.ValidString(b) || utf8.RuneCountInString(b) > maxBannerChars || b != strings.TrimSpace(b) {
			t.Fatalf("cleanBanner(%q) = %q: invalid, too long or untrimmed", raw, b)
		}
		if strings.ContainsFunc(b, unicode.IsControl) {
			t.Fatalf("cleanBanner(%q) = %q keeps control characters", raw, b)
		}
		l, why := checkBanner(b, expect)
		if ok := strings.HasPrefix(b, expect); ok != (l == status.OK) || ok != (why == "") {
			t.Fatalf("checkBanner(%q, %q) = %v %q", b, expect, l, why)
		}
		if l != status.OK && l != status.Alarm {
			t.Fatalf("checkBanner gave level %v", l)
		}
		// The reading side must cope with the same bytes.
		line, _ := readLine(bufio.NewReaderSize(strings.NewReader(string(raw)), maxBannerLine))
		if len(line) > maxBannerLine {
			t.Fatalf("readLine returned %d bytes", len(line))
		}
	})
}
