package remote

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/netip"
	"testing"
	"time"
)

// serve runs Serve on a loopback port and returns its address.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ctx := t.Context()
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

func dialPlain(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c, r: bufio.NewReader(c)}
}

func dialTLS(t *testing.T, addr string) (*client, error) {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c, r: bufio.NewReader(c)}, nil
}

func TestListenerPlainAndTLSOnOnePort(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), func(d *Deps) { d.TLS = selfSigned(t) })
	addr := serve(t, s)

	plain := dialPlain(t, addr)
	plain.ask(`<KC_version id="0">0.9</KC_version>`+"\n", `<KR id='0' response='200'>0.9</KR>`)

	secure, err := dialTLS(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	secure.ask(`<KC_version id="0">0.9</KC_version>`+"\n", `<KR id='0' response='200'>0.9</KR>`)
	secure.login()
}

func TestListenerTLSOnly(t *testing.T) {
	cfg := testConfig()
	cfg.TLS = "on"
	s, _ := newTestServer(t, cfg, func(d *Deps) { d.TLS = selfSigned(t) })
	addr := serve(t, s)
	secure, err := dialTLS(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	secure.ask(`<KC_version id="0">0.9</KC_version>`, `<KR id='0' response='200'>0.9</KR>`)

	plain := dialPlain(t, addr)
	plain.send(`<KC_version id="0">0.9</KC_version>` + "\n")
	plain.c.SetReadDeadline(deadline())
	if l, err := plain.r.ReadString('\n'); err == nil && l == "<KR id='0' response='200'>0.9</KR>\n" {
		t.Fatal("plain text answered on a TLS-only listener")
	}
}

func TestListenerPlainOnly(t *testing.T) {
	cfg := testConfig()
	cfg.TLS = "off"
	s, _ := newTestServer(t, cfg, func(d *Deps) { d.TLS = selfSigned(t) })
	addr := serve(t, s)
	if _, err := dialTLS(t, addr); err == nil {
		t.Fatal("TLS handshake worked on a plain-only listener")
	}
	dialPlain(t, addr).ask(`<KC_ping id="1"/>`, `<KR id='1' response='200'>pong</KR>`)
}

func TestListenerAllowHookAndLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 1
	s, _ := newTestServer(t, cfg, nil)
	addr := serve(t, s)
	first := dialPlain(t, addr)
	first.ask(`<KC_ping id="1"/>`, `<KR id='1' response='200'>pong</KR>`)
	second := dialPlain(t, addr)
	if got := second.line(); got != "<KR id='' response='503'>too many connections</KR>" {
		t.Fatalf("second connection: %q", got)
	}

	denied, _ := newTestServer(t, testConfig(), func(d *Deps) { d.Allow = func(netip.Addr) bool { return false } })
	c := dialPlain(t, serve(t, denied))
	c.c.SetReadDeadline(deadline())
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("a refused address got an answer")
	}
}

func TestNewRefusesTLSOnWithoutCertificate(t *testing.T) {
	cfg := testConfig()
	cfg.TLS = "on"
	if _, err := New(cfg, Deps{Source: newFakeSource(), CheckPassword: checkPassword}); err == nil {
		t.Fatal("tls: on without a certificate was accepted")
	}
	cfg.TLS = "maybe"
	if _, err := New(cfg, Deps{Source: newFakeSource(), CheckPassword: checkPassword}); err == nil {
		t.Fatal("tls: maybe was accepted")
	}
}

func TestIdleTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.IdleTimeout = 1 * time.Second
	s, _ := newTestServer(t, cfg, nil)
	c := dialPlain(t, serve(t, s))
	c.send("<KC_ver")
	if got := c.line(); got != "<KR id='' response='408'>idle timeout; closing</KR>" {
		t.Fatalf("got %q", got)
	}
}
