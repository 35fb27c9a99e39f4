package remote

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/ctl"
)

// fakeSource is ctl.Fake plus a change feed the test drives.
type fakeSource struct {
	*ctl.Fake
	mu   sync.Mutex
	subs map[int]func(Change)
	next int
}

func newFakeSource() *fakeSource {
	return &fakeSource{Fake: ctl.NewFake(), subs: map[int]func(Change){}}
}

func (f *fakeSource) Subscribe(fn func(Change)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.mu.Unlock()
	}
}

func (f *fakeSource) emit(c Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fn := range f.subs {
		fn(c)
	}
}

func (f *fakeSource) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

const testPassword = "right-password"

func checkPassword(_ context.Context, user, pw string) (bool, error) {
	return (user == "admin" || user == "viewer") && pw == testPassword, nil
}

func newTestServer(t *testing.T, cfg Config, mod func(*Deps)) (*Server, *fakeSource) {
	t.Helper()
	src := newFakeSource()
	deps := Deps{Source: src, CheckPassword: checkPassword}
	if mod != nil {
		mod(&deps)
	}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return s, src
}

// testConfig has no failed-login delay, so tests do not wait.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Login.Delay = 0
	return cfg
}

// client is the test's end of a connection.
type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

// pipe runs a session over net.Pipe.
func pipe(t *testing.T, s *Server, secure bool) *client {
	t.Helper()
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.ServeConn(ctx, b, secure); close(done) }()
	t.Cleanup(func() {
		cancel()
		a.Close()
		<-done
	})
	return &client{t: t, c: a, r: bufio.NewReader(a)}
}

func (c *client) send(s string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write([]byte(s)); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// line reads one line of the answer, without its newline.
func (c *client) line() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(l, "\n")
}

// block reads a multi-line <KR>…</KR> answer.
func (c *client) block() []string {
	c.t.Helper()
	first := c.line()
	out := []string{first}
	if strings.HasSuffix(first, "</KR>") {
		return out
	}
	for {
		l := c.line()
		out = append(out, l)
		if l == "</KR>" {
			return out
		}
	}
}

func (c *client) ask(req, want string) {
	c.t.Helper()
	c.send(req)
	if got := c.line(); got != want {
		c.t.Fatalf("%s\n got %s\nwant %s", req, got, want)
	}
}

func (c *client) login() {
	c.t.Helper()
	c.ask(`<KC_login id="1" user="admin" password="`+testPassword+`"/>`, `<KR id='1' response='200'>admin</KR>`)
}

// selfSigned makes a certificate for 127.0.0.1, as the server's TLS setup
// will on first start.
func selfSigned(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vantage test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

// deadline bounds a read so a broken server fails the test instead of
// hanging it; it is not a timing assertion.
func deadline() time.Time { return time.Now().Add(10 * time.Second) }
