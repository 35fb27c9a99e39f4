// Debian packages: python3 (TestHTTPRealServer: python3 -m http.server) and
// openssl (TestHTTPSRealServer: openssl s_server); each test is skipped
// when its binary is absent.

package probe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

const testPage = "<!DOCTYPE html><html><body>Welcome to the test server</body></html>"

// site is a test web server that counts hits per path.
type site struct {
	port int
	mu   sync.Mutex
	hits map[string]int
	sni  string
}

func (s *site) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	switch p := r.URL.Path; {
	case p == "/":
		io.WriteString(w, testPage)
	case p == "/ok":
		io.WriteString(w, "ok")
	case p == "/error":
		http.Error(w, "boom", http.StatusInternalServerError)
	case p == "/teapot":
		w.WriteHeader(http.StatusTeapot)
	case strings.HasPrefix(p, "/r/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(p, "/r/"))
		next := "/ok"
		if n > 1 {
			next = fmt.Sprintf("/r/%d", n-1)
		}
		http.Redirect(w, r, next, http.StatusFound)
	case p == "/loop":
		http.Redirect(w, r, "/loop", http.StatusFound)
	case p == "/away":
		http.Redirect(w, r, "http://other.example.invalid/", http.StatusMovedPermanently)
	case p == "/vhost-redirect":
		http.Redirect(w, r, fmt.Sprintf("%s://www.example.test:%d/host", scheme, s.port), http.StatusFound)
	case p == "/host":
		user, _, _ := r.BasicAuth()
		fmt.Fprintf(w, "Host: %s\nUA: %s\nUser: %s\n", r.Host, r.UserAgent(), user)
	case p == "/auth":
		if u, pw, ok := r.BasicAuth(); !ok || u != "alice" || pw != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "hello alice")
	case p == "/big":
		chunk := strings.Repeat("x", 64<<10)
		for range 48 { // 3 MiB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	case p == "/slow":
		time.Sleep(40 * time.Millisecond)
		io.WriteString(w, "slow")
	case p == "/stall":
		<-r.Context().Done()
	default:
		http.NotFound(w, r)
	}
}

// startSite serves a site on host; with cert it serves HTTPS.
func startSite(t *testing.T, host string, cert *tls.Certificate) *site {
	t.Helper()
	s := &site{hits: map[string]int{}}
	srv := httptest.NewUnstartedServer(s)
	srv.Listener.Close()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	srv.Listener = l
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of some tests
	s.port = l.Addr().(*net.TCPAddr).Port
	if cert != nil {
		srv.TLS = &tls.Config{
			Certificates: []tls.Certificate{*cert},
			GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
				s.mu.Lock()
				s.sni = h.ServerName
				s.mu.Unlock()
				return nil, nil
			},
		}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return s
}

func TestHTTP(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   want
		hits   map[string]int
	}{
		{"ok", nil, want{level: status.OK, values: map[string]any{"http_status": 200, "bytes": len(testPage)}}, nil},
		{"expect found ignoring case", map[string]string{"expect": "WELCOME"}, want{level: status.OK}, nil},
		{"expect missing", map[string]string{"expect": "Goodbye"}, want{level: status.Alarm, reason: `"Goodbye" not found in response`}, nil},
		{"InterMapper names", map[string]string{"URL Path": "/", "String to verify": "Welcome"}, want{level: status.OK}, nil},
		{"server error", map[string]string{"path": "/error"},
			want{level: status.Alarm, reason: `HTTP 500 Internal Server Error \(expected 200-399\)`, values: map[string]any{"http_status": 500}}, nil},
		{"status not accepted", map[string]string{"path": "/teapot"}, want{level: status.Alarm, reason: `HTTP 418 I'm a teapot \(expected 200-399\)`}, nil},
		{"status accepted", map[string]string{"path": "/teapot", "status": "200, 418"}, want{level: status.OK}, nil},
		{"path without slash", map[string]string{"path": "ok", "expect": "ok"}, want{level: status.OK}, nil},
		{"same-host redirects followed", map[string]string{"path": "/r/3", "expect": "ok"},
			want{level: status.OK, values: map[string]any{"http_status": 200}}, map[string]int{"/ok": 1}},
		{"redirect loop stops after 5", map[string]string{"path": "/loop"},
			want{level: status.OK, values: map[string]any{"http_status": 302}}, map[string]int{"/loop": 6}},
		{"redirect loop judged by status", map[string]string{"path": "/loop", "status": "200"},
			want{level: status.Alarm, reason: `HTTP 302 Found \(expected 200\)`}, nil},
		{"redirect to another host not followed", map[string]string{"path": "/away"},
			want{level: status.OK, values: map[string]any{"http_status": 301}}, nil},
		{"virtual host redirect followed", map[string]string{"path": "/vhost-redirect", "host": "www.example.test", "user": "alice", "expect": "User: alice"},
			want{level: status.OK}, map[string]int{"/host": 1}},
		{"host header", map[string]string{"path": "/host", "Host Name": "www.example.test", "expect": "Host: www.example.test\nUA: Vantage-Monitor"},
			want{level: status.OK}, nil},
		{"basic auth", map[string]string{"path": "/auth", "user": "alice", "Password*": "s3cret", "expect": "hello alice"}, want{level: status.OK}, nil},
		{"basic auth refused", map[string]string{"path": "/auth", "User ID": "alice", "password": "guess"},
			want{level: status.Alarm, reason: `HTTP 401 Unauthorized \(expected 200-399\)`}, nil},
		{"body capped at 1 MiB", map[string]string{"path": "/big"}, want{level: status.OK, values: map[string]any{"bytes": 1 << 20}}, nil},
		{"stalled response", map[string]string{"path": "/stall", "timeout": "300ms"},
			want{level: status.Down, noResponse: true, reason: `no answer on port \d+ within 300ms \(connected, no HTTP response\)`}, nil},
		{"rtt warning", map[string]string{"path": "/slow", "rtt_warning": "10"}, want{level: status.Warning, reason: `RTT [\d.]+ ms > 10 ms warning threshold`}, nil},
		{"bad path", map[string]string{"path": "/%zz"}, want{level: status.Unknown, reason: `invalid probe parameters: parameter path: .*`}, nil},
		{"bad status", map[string]string{"status": "ok"}, want{level: status.Unknown, reason: `invalid probe parameters: parameter status: "ok" is not an HTTP status code \(100 to 599\)`}, nil},
		{"host given as URL", map[string]string{"host": "http://www.example.test/"}, want{level: status.Unknown, reason: `invalid probe parameters: parameter host: .*not a host name.*`}, nil},
	}
	for _, host := range loopbacks(t) {
		for _, tc := range tests {
			t.Run(host+"/"+tc.name, func(t *testing.T) {
				s := startSite(t, host, nil)
				params := map[string]string{"port": strconv.Itoa(s.port)}
				for k, v := range tc.params {
					params[k] = v
				}
				checkResult(t, poll(t, httpProbe{}, host, params), tc.want)
				for path, n := range tc.hits {
					if got := s.hit(path); got != n {
						t.Errorf("%s was requested %d times, want %d", path, got, n)
					}
				}
			})
		}
	}
}

func TestHTTPBrokenPeers(t *testing.T) {
	for _, host := range loopbacks(t) {
		tests := []struct {
			name   string
			server func(net.Conn, *peer)
			want   want
		}{
			{"not HTTP", func(c net.Conn, p *peer) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")); stall(c, p) },
				want{level: status.Alarm, reason: `bad HTTP response on port \d+: malformed HTTP response "SSH-2.0-OpenSSH_9.2"`}},
			{"closes at once", func(c net.Conn, _ *peer) { bufioDiscardLine(c) },
				want{level: status.Alarm, reason: `connection closed on port \d+ before an HTTP response`}},
			{"silent", stall, want{level: status.Down, noResponse: true, reason: `no answer on port \d+ within 300ms \(connected, no HTTP response\)`}},
		}
		for _, tc := range tests {
			t.Run(host+"/"+tc.name, func(t *testing.T) {
				p := servePeer(t, host, tc.server)
				r := poll(t, httpProbe{}, host, map[string]string{"port": strconv.Itoa(p.port), "timeout": "300ms"})
				checkResult(t, r, tc.want)
			})
		}
		t.Run(host+"/no address", func(t *testing.T) {
			checkResult(t, poll(t, httpProbe{secure: true}, "", nil), want{level: status.Unknown, reason: "device has no address"})
		})
		t.Run(host+"/refused", func(t *testing.T) {
			port := closedPort(t, host)
			r := poll(t, httpProbe{}, host, map[string]string{"port": strconv.Itoa(port)})
			checkResult(t, r, want{level: status.Down, noResponse: true, reason: fmt.Sprintf("connection refused on port %d", port)})
		})
	}
}

// bufioDiscardLine reads the request's first line and hangs up.
func bufioDiscardLine(c net.Conn) {
	buf := make([]byte, 1)
	for {
		if _, err := c.Read(buf); err != nil || buf[0] == '\n' {
			return
		}
	}
}

// testCA issues certificates for the HTTPS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Vantage Test CA"},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue makes a server certificate for names (DNS names or IP literals),
// valid until notAfter.
func (ca *testCA) issue(t *testing.T, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0], Organization: []string{"Vantage Tests"}},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestHTTPS(t *testing.T) {
	ca := newTestCA(t)
	day := 24 * time.Hour
	in := func(d time.Duration) time.Time { return time.Now().Add(d + time.Hour) }
	tests := []struct {
		name     string
		notAfter time.Time
		names    []string // certificate names; empty means the loopback address
		roots    *x509.CertPool
		params   map[string]string
		want     want
		reached  bool // whether the request may reach the server
	}{
		{"valid", in(100 * day), nil, ca.pool, nil,
			want{level: status.OK, values: map[string]any{"cert_days": 100, "http_status": 200, "cert_issuer": "CN=Vantage Test CA"}}, true},
		{"expires soon", in(9 * day), nil, ca.pool, nil,
			want{level: status.Warning, reason: `certificate expires in 9 days \(warning at 14\)`, values: map[string]any{"cert_days": 9}}, true},
		{"expires very soon", in(2 * day), nil, ca.pool, nil,
			want{level: status.Alarm, reason: `certificate expires in 2 days \(alarm at 3\)`}, true},
		{"own thresholds", in(20 * day), nil, ca.pool, map[string]string{"cert_warning_days": "30", "cert_alarm_days": "0"},
			want{level: status.Warning, reason: `certificate expires in 20 days \(warning at 30\)`}, true},
		{"expired", in(-3 * day), nil, ca.pool, nil,
			want{level: status.Critical, reason: `certificate expired 2 days ago`, values: map[string]any{"cert_days": -3}}, false},
		{"expired but insecure", in(-3 * day), nil, ca.pool, map[string]string{"insecure": "yes"},
			want{level: status.Critical, reason: `certificate expired 2 days ago`, values: map[string]any{"http_status": 200}}, true},
		{"unknown authority", in(100 * day), nil, x509.NewCertPool(), nil,
			want{level: status.Alarm, reason: `certificate verification failed: x509: certificate signed by unknown authority.*`, values: map[string]any{"cert_days": 100}}, false},
		{"unknown authority but insecure", in(100 * day), nil, x509.NewCertPool(), map[string]string{"insecure": "true"},
			want{level: status.OK}, true},
		{"wrong name", in(100 * day), []string{"www.example.test"}, ca.pool, nil,
			want{level: status.Alarm, reason: `certificate verification failed: x509: (certificate is valid for www.example.test, not|cannot validate certificate for) .*`}, false},
		{"virtual host", in(100 * day), []string{"www.example.test"}, ca.pool, map[string]string{"host": "www.example.test", "path": "/host", "expect": "Host: www.example.test"},
			want{level: status.OK, values: map[string]any{"cert_subject": "CN=www.example.test,O=Vantage Tests"}}, true},
		{"expiry and bad status together", in(9 * day), nil, ca.pool, map[string]string{"path": "/error"},
			want{level: status.Alarm, reason: `HTTP 500 Internal Server Error \(expected 200-399\); certificate expires in 9 days \(warning at 14\)`}, true},
	}
	for _, host := range loopbacks(t) {
		for _, tc := range tests {
			t.Run(host+"/"+tc.name, func(t *testing.T) {
				names := tc.names
				if len(names) == 0 {
					names = []string{host}
				}
				cert := ca.issue(t, tc.notAfter, names...)
				s := startSite(t, host, &cert)
				params := map[string]string{"port": strconv.Itoa(s.port)}
				for k, v := range tc.params {
					params[k] = v
				}
				checkResult(t, poll(t, httpProbe{secure: true, roots: tc.roots}, host, params), tc.want)
				path := tc.params["path"]
				if path == "" {
					path = "/"
				}
				if got := s.hit(path) > 0; got != tc.reached {
					t.Errorf("request reached the server: %v, want %v", got, tc.reached)
				}
				if host := tc.params["host"]; host != "" && s.sni != host {
					t.Errorf("server name sent %q, want %q", s.sni, host)
				}
			})
		}
	}
	t.Run("plain HTTP server", func(t *testing.T) {
		s := startSite(t, "127.0.0.1", nil)
		r := poll(t, httpProbe{secure: true}, "127.0.0.1", map[string]string{"port": strconv.Itoa(s.port)})
		checkResult(t, r, want{level: status.Alarm, reason: `TLS handshake failed on port \d+: .*`})
	})
}

// TestHTTPRealServer polls Python's http.server.
func TestHTTPRealServer(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed (Debian package python3); skipping the real HTTP server test")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(testPage), 0o644); err != nil {
		t.Fatal(err)
	}
	port := closedPort(t, "127.0.0.1")
	startCommand(t, py, "-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1", "--directory", dir)
	waitListening(t, "127.0.0.1", port)
	p := map[string]string{"port": strconv.Itoa(port)}
	checkResult(t, poll(t, httpProbe{}, "127.0.0.1", withParams(p, "expect", "Welcome")),
		want{level: status.OK, values: map[string]any{"http_status": 200, "bytes": len(testPage)}})
	checkResult(t, poll(t, httpProbe{}, "127.0.0.1", withParams(p, "path", "/missing")),
		want{level: status.Alarm, reason: `HTTP 404 Not Found \(expected 200-399\)`})
}

// TestHTTPSRealServer polls OpenSSL's test server with a certificate that
// expires in nine days.
func TestHTTPSRealServer(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (Debian package openssl); skipping the real HTTPS server test")
	}
	ca := newTestCA(t)
	cert := ca.issue(t, time.Now().Add(9*24*time.Hour+time.Hour), "127.0.0.1")
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	port := closedPort(t, "127.0.0.1")
	startCommand(t, bin, "s_server", "-quiet", "-www", "-accept", "127.0.0.1:"+strconv.Itoa(port), "-cert", certFile, "-key", keyFile)
	waitListening(t, "127.0.0.1", port)
	r := poll(t, httpProbe{secure: true, roots: ca.pool}, "127.0.0.1", map[string]string{"port": strconv.Itoa(port)})
	checkResult(t, r, want{level: status.Warning, reason: `certificate expires in 9 days \(warning at 14\)`,
		values: map[string]any{"http_status": 200, "cert_days": 9, "cert_subject": "CN=127.0.0.1,O=Vantage Tests"}})
}
