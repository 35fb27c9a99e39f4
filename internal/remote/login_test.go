package remote

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// remoteAddrConn pretends a pipe comes from another machine.
type remoteAddrConn struct {
	net.Conn
	addr net.Addr
}

func (c remoteAddrConn) RemoteAddr() net.Addr { return c.addr }

func pipeFrom(t *testing.T, s *Server, secure bool, from string) *client {
	t.Helper()
	addr, err := net.ResolveTCPAddr("tcp", from)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	done := make(chan struct{})
	go func() { s.ServeConn(t.Context(), remoteAddrConn{b, addr}, secure); close(done) }()
	t.Cleanup(func() { a.Close(); <-done })
	return &client{t: t, c: a, r: bufio.NewReader(a)}
}

func TestLoginLockout(t *testing.T) {
	cfg := testConfig()
	cfg.Login.Failures = 3
	cfg.MaxErrors = 100
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _ := newTestServer(t, cfg, func(d *Deps) { d.Now = func() time.Time { return now } })
	c := pipeFrom(t, s, true, "192.0.2.5:4000")
	c.ask(`<KC_login id="1" user="admin" password="wrong"/>`, `<KR id='1' response='400'>invalid user name or password</KR>`)
	c.ask(`<KC_login id="2" user="admin" password="wrong"/>`, `<KR id='2' response='400'>invalid user name or password</KR>`)
	c.ask(`<KC_login id="3" user="admin" password="wrong"/>`, `<KR id='3' response='429'>too many failed logins from this address; locked out</KR>`)
	// Even the right password is refused while locked out, from any
	// connection of that address.
	other := pipeFrom(t, s, true, "192.0.2.5:4001")
	other.ask(`<KC_login id="4" user="admin" password="`+testPassword+`"/>`, `<KR id='4' response='429'>too many failed logins from this address; try again after 2026-01-01T00:05:00Z</KR>`)
	// Another address is not affected.
	third := pipeFrom(t, s, true, "198.51.100.9:4000")
	third.ask(`<KC_login id="5" user="admin" password="`+testPassword+`"/>`, `<KR id='5' response='200'>admin</KR>`)
	now = now.Add(5 * time.Minute)
	other.ask(`<KC_login id="6" user="admin" password="`+testPassword+`"/>`, `<KR id='6' response='200'>admin</KR>`)
}

func TestPlainLoginRefusedFromAfar(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secure bool
		from   string
		allow  bool
		want   string
	}{
		{"plain from afar", false, "192.0.2.5:4000", false, `<KR id='1' response='403'>log in over TLS: this connection is not encrypted</KR>`},
		{"plain from afar allowed", false, "192.0.2.5:4000", true, `<KR id='1' response='200'>admin</KR>`},
		{"TLS from afar", true, "192.0.2.5:4000", false, `<KR id='1' response='200'>admin</KR>`},
		{"plain from loopback", false, "127.0.0.1:4000", false, `<KR id='1' response='200'>admin</KR>`},
		{"plain from IPv6 loopback", false, "[::1]:4000", false, `<KR id='1' response='200'>admin</KR>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.AllowPlainLogin = tc.allow
			s, _ := newTestServer(t, cfg, nil)
			c := pipeFrom(t, s, tc.secure, tc.from)
			c.ask(`<KC_login id="1" user="admin" password="`+testPassword+`"/>`, tc.want)
		})
	}
}
