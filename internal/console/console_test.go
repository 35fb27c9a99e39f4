package console

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/ctl"
)

const testPassword = "admin-password"

func checkAdmin(_ context.Context, user, pw string) (bool, error) {
	return user == "admin" && pw == testPassword, nil
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Login.Delay = 0
	return cfg
}

func newServer(t *testing.T, cfg Config, mod func(*Deps)) *Server {
	t.Helper()
	deps := Deps{Backend: ctl.NewFake(), CheckAdmin: checkAdmin, Version: "test"}
	if mod != nil {
		mod(&deps)
	}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

type addrConn struct {
	net.Conn
	addr net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.addr }

// dial runs a session over net.Pipe; from, when set, is the address the
// server sees.
func dial(t *testing.T, s *Server, from string) *client {
	t.Helper()
	a, b := net.Pipe()
	var conn net.Conn = b
	if from != "" {
		addr, err := net.ResolveTCPAddr("tcp", from)
		if err != nil {
			t.Fatal(err)
		}
		conn = addrConn{b, addr}
	}
	done := make(chan struct{})
	go func() { s.ServeConn(t.Context(), conn); close(done) }()
	t.Cleanup(func() { a.Close(); <-done })
	return &client{t: t, c: a, r: bufio.NewReader(a)}
}

// until reads up to and including marker.
func (c *client) until(marker string) string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	for !strings.HasSuffix(b.String(), marker) {
		ch, err := c.r.ReadByte()
		if err != nil {
			c.t.Fatalf("waiting for %q: %v; got %q", marker, err, b.String())
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func (c *client) send(s string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write([]byte(s)); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

func (c *client) login() {
	c.t.Helper()
	c.until("User: ")
	c.send("admin\r\n")
	c.until("Password: ")
	c.send(testPassword + "\r\n")
	c.until("> ")
}

func (c *client) closed() bool {
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := c.r.ReadByte()
	return err != nil
}

func TestCommands(t *testing.T) {
	s := newServer(t, testConfig(), nil)
	c := dial(t, s, "")
	c.login()
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"help", []string{"help", "maps", "devices [MAP]", "status DEVICE", "flows", "ext", "poll DEVICE", "quit"}},
		{"maps", []string{"MAP", "Branch", "Lab", "down"}},
		{"devices", []string{"Branch~gw", "Lab~gw", "Lab~web"}},
		{"devices Lab", []string{"Lab~gw", "Lab~web"}},
		{"STATUS web", []string{"device:", "Lab~web", "status:", "down"}},
		{"status gw", []string{"error: \"gw\" is on several maps; say which: Branch~gw, Lab~gw"}},
		{"status", []string{"error: usage: status DEVICE"}},
		{"flows", []string{"flow collector not running"}},
		{"ext", []string{"no external links configured"}},
		{"poll Lab~gw", []string{"polled Lab~gw: ok"}},
		{"reboot", []string{"error: unknown command \"reboot\"; 'help' lists the commands"}},
		{"", nil},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			c.send(tc.cmd + "\r\n")
			out := c.until("> ")
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Fatalf("%q: output lacks %q:\n%s", tc.cmd, w, out)
				}
			}
			if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
				t.Fatalf("bare LF in output %q", out)
			}
		})
	}
	c.send("quit\n")
	if out := c.until("Bye.\r\n"); out != "Bye.\r\n" {
		t.Fatalf("quit: %q", out)
	}
	if !c.closed() {
		t.Fatal("still open after quit")
	}
}

func TestLoginRefused(t *testing.T) {
	cfg := testConfig()
	cfg.Attempts = 2
	s := newServer(t, cfg, nil)
	c := dial(t, s, "")
	c.until("User: ")
	c.send("admin\n")
	c.until("Password: ")
	c.send("wrong\n")
	c.until("Login incorrect.\r\nUser: ")
	c.send("viewer\n")
	c.until("Password: ")
	c.send(testPassword + "\n")
	c.until("Login incorrect.\r\nToo many attempts; goodbye.\r\n")
	if !c.closed() {
		t.Fatal("still open")
	}
}

func TestLockout(t *testing.T) {
	cfg := testConfig()
	cfg.Login.Failures = 2
	cfg.Attempts = 5
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newServer(t, cfg, func(d *Deps) { d.Now = func() time.Time { return now } })
	c := dial(t, s, "127.0.0.1:5000")
	for range 2 {
		c.until("User: ")
		c.send("admin\nbad\n")
	}
	c.until("locked out.\r\n")
	next := dial(t, s, "127.0.0.1:5001")
	next.until("try again after 2026-01-01T00:05:00Z.\r\n")
	now = now.Add(5 * time.Minute)
	dial(t, s, "127.0.0.1:5002").login()
}

func TestLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		name, from string
		allow      func(a netip.Addr) bool
		ok         bool
	}{
		{"IPv4 loopback", "127.0.0.1:4000", nil, true},
		{"IPv6 loopback", "[::1]:4000", nil, true},
		{"elsewhere", "192.0.2.5:4000", nil, false},
		{"elsewhere allowed", "192.0.2.5:4000", func(netip.Addr) bool { return true }, true},
		{"loopback denied by the hook", "127.0.0.1:4000", func(netip.Addr) bool { return false }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, testConfig(), func(d *Deps) { d.Allow = tc.allow })
			c := dial(t, s, tc.from)
			if tc.ok {
				c.login()
				return
			}
			c.until("Access denied: the console accepts local connections only.\r\n")
			if !c.closed() {
				t.Fatal("still open")
			}
		})
	}
}

func TestTelnetNegotiation(t *testing.T) {
	s := newServer(t, testConfig(), nil)
	c := dial(t, s, "")
	c.until("User: ")
	// A telnet client offering terminal type and asking us to suppress
	// go-ahead: both refused.
	c.send("\xff\xfb\x18\xff\xfd\x03")
	c.until("\xff\xfe\x18")
	c.until("\xff\xfc\x03")
	c.send("admin\r\x00")
	// Having seen telnet, the console offers to echo so the client hides
	// the password.
	c.until("\xff\xfb\x01Password: ")
	c.send("\xff\xfd\x01" + testPassword + "\r\n")
	c.until("\xff\xfc\x01\r\nWelcome, admin.")
}

func TestLongLineAndIdle(t *testing.T) {
	cfg := testConfig()
	cfg.MaxLine = 64
	cfg.IdleTimeout = time.Second
	s := newServer(t, cfg, nil)
	c := dial(t, s, "")
	c.login()
	c.send(strings.Repeat("x", 200) + "\n")
	c.until("error: line too long (at most 64 bytes)\r\n> ")
	c.until("Idle for too long; goodbye.\r\n")
}

func TestListenAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{":2323", "127.0.0.1:2323"},
		{"2323", "127.0.0.1:2323"},
		{"127.0.0.1:0", "127.0.0.1:0"},
		{"[::1]:2323", "[::1]:2323"},
		{"0.0.0.0:2323", "0.0.0.0:2323"},
		{"nonsense", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ListenAddr(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ListenAddr(%q) = %q, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ListenAddr(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

func TestCRLF(t *testing.T) {
	var b bytes.Buffer
	crlf{&b}.Write([]byte("a\nb\n"))
	if b.String() != "a\r\nb\r\n" {
		t.Fatalf("%q", b.String())
	}
}
