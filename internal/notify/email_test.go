package notify

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a minimal SMTP server on loopback that records what it is
// told.
type smtpServer struct {
	t        *testing.T
	ln       net.Listener
	tls      *tls.Config // nil: STARTTLS not offered
	mu       sync.Mutex
	commands []string // each prefixed "tls " once TLS is up
	auth     string   // decoded AUTH PLAIN response
	from     string
	rcpt     []string
	data     string
}

// testCert makes a self-signed certificate for 127.0.0.1 and writes its
// PEM to a file, returned for Config.CAFile.
func testCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemFile
}

func startSMTP(t *testing.T, cert *tls.Certificate) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{t: t, ln: ln}
	if cert != nil {
		s.tls = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(c) })
		}
	})
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	w := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	inTLS := false
	w("220 127.0.0.1 ESMTP test")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		s.mu.Lock()
		if inTLS {
			s.commands = append(s.commands, "tls "+line)
		} else {
			s.commands = append(s.commands, line)
		}
		s.mu.Unlock()
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			w("250-127.0.0.1")
			if s.tls != nil && !inTLS {
				w("250-STARTTLS")
			}
			w("250-AUTH PLAIN")
			w("250 8BITMIME")
		case "STARTTLS":
			w("220 go ahead")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, r, inTLS = tc, bufio.NewReader(tc), true
		case "AUTH":
			f := strings.Fields(line)
			resp := ""
			if len(f) >= 3 {
				resp = f[2]
			} else {
				w("334 ")
				l, _ := r.ReadString('\n')
				resp = strings.TrimSpace(l)
			}
			b, _ := base64.StdEncoding.DecodeString(resp)
			s.mu.Lock()
			s.auth = string(b)
			s.mu.Unlock()
			w("235 2.7.0 ok")
		case "MAIL":
			s.mu.Lock()
			s.from = line
			s.mu.Unlock()
			w("250 ok")
		case "RCPT":
			if strings.Contains(line, "reject") {
				w("550 no such user")
				continue
			}
			s.mu.Lock()
			s.rcpt = append(s.rcpt, line)
			s.mu.Unlock()
			w("250 ok")
		case "DATA":
			w("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = b.String()
			s.mu.Unlock()
			w("250 queued")
		case "QUIT":
			w("221 bye")
			return
		default:
			w("250 ok")
		}
	}
}

func testMessage() Message {
	return Message{
		Time: time.Date(2026, 3, 4, 5, 6, 7, 890123000, time.UTC), Kind: "DOWN",
		Map: "Core", Device: "router-1", Address: "192.0.2.1", Status: "down",
		Reason: "no reply to ping", URL: "http://vantage.example/devices/7",
	}
}

func emailConfig(port int, caFile string) Config {
	c := DefaultConfig()
	c.Name, c.Type = "ops-mail", TypeEmail
	c.SMTPHost, c.SMTPPort, c.CAFile = "127.0.0.1", port, caFile
	c.Username, c.Password = "vantage", "s3cret"
	c.From = "Vantage <vantage@example.org>"
	c.To = []string{"ops@example.org", "Night Shift <night@example.org>"}
	c.Template = "{{.Kind}} {{.Device}}\n.leading dot\n{{.Reason}}"
	return c
}

func TestEmailSTARTTLSAndAuth(t *testing.T) {
	cert, caFile := testCert(t)
	srv := startSMTP(t, &cert)
	n, err := New(emailConfig(srv.port(), caFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(t.Context(), testMessage()); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	// AUTH only after STARTTLS, and over TLS.
	sawTLS := false
	for _, c := range srv.commands {
		if c == "STARTTLS" {
			sawTLS = true
		}
		if strings.Contains(strings.ToUpper(c), "AUTH") && (!sawTLS || !strings.HasPrefix(c, "tls ")) {
			t.Errorf("AUTH before TLS: %q in %q", c, srv.commands)
		}
	}
	if !sawTLS {
		t.Errorf("no STARTTLS: %q", srv.commands)
	}
	if srv.auth != "\x00vantage\x00s3cret" {
		t.Errorf("auth = %q", srv.auth)
	}
	if srv.from != "MAIL FROM:<vantage@example.org> BODY=8BITMIME" && srv.from != "MAIL FROM:<vantage@example.org>" {
		t.Errorf("from = %q", srv.from)
	}
	if len(srv.rcpt) != 2 || !strings.Contains(srv.rcpt[1], "<night@example.org>") {
		t.Errorf("rcpt = %q", srv.rcpt)
	}
	msg, err := mail.ReadMessage(strings.NewReader(srv.data))
	if err != nil {
		t.Fatalf("parse %q: %v", srv.data, err)
	}
	for k, want := range map[string]string{
		"From":         `"Vantage" <vantage@example.org>`,
		"To":           `<ops@example.org>, "Night Shift" <night@example.org>`,
		"Subject":      "DOWN: router-1",
		"Content-Type": "text/plain; charset=utf-8",
		"MIME-Version": "1.0",
	} {
		if got := msg.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if d, err := msg.Header.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date = %q (%v)", msg.Header.Get("Date"), err)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.Contains(id, "@") {
		t.Errorf("Message-ID = %q", id)
	}
	// The server sees the dot stuffed; un-stuffing gives the body back.
	if !strings.Contains(srv.data, "\r\n..leading dot\r\n") {
		t.Errorf("no dot-stuffing in %q", srv.data)
	}
	body := strings.SplitN(srv.data, "\r\n\r\n", 2)[1]
	if want := "DOWN router-1\r\n..leading dot\r\nno reply to ping\r\n"; body != want {
		t.Errorf("body = %q, want %q", body, want)
	}
}

func TestEmailTLSRequired(t *testing.T) {
	srv := startSMTP(t, nil) // no STARTTLS offered
	c := emailConfig(srv.port(), "")
	n, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(t.Context(), testMessage())
	if err == nil || !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v", err)
	}
	// starttls: false still never sends the password in clear.
	off := false
	c.StartTLS = &off
	n, _ = New(c)
	if err := n.Send(t.Context(), testMessage()); err == nil || !strings.Contains(err.Error(), "without TLS") {
		t.Fatalf("err = %v", err)
	}
	srv.mu.Lock()
	for _, cmd := range srv.commands {
		if strings.HasPrefix(strings.ToUpper(cmd), "AUTH") {
			t.Errorf("AUTH sent without TLS: %q", cmd)
		}
	}
	srv.mu.Unlock()
	// Without credentials, plain SMTP is allowed when starttls is false.
	c.Username, c.Password = "", ""
	n, _ = New(c)
	if err := n.Send(t.Context(), testMessage()); err != nil {
		t.Fatal(err)
	}
}

func TestEmailRejectedRecipientIsPermanent(t *testing.T) {
	cert, caFile := testCert(t)
	srv := startSMTP(t, &cert)
	c := emailConfig(srv.port(), caFile)
	c.To = []string{"reject@example.org"}
	n, _ := New(c)
	err := n.Send(t.Context(), testMessage())
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "550") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmailUntrustedCertificate(t *testing.T) {
	cert, _ := testCert(t)
	_, otherCA := testCert(t)
	srv := startSMTP(t, &cert)
	n, _ := New(emailConfig(srv.port(), otherCA))
	if err := n.Send(t.Context(), testMessage()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmailTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and says nothing
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(3 * time.Second)
		}
	}()
	c := emailConfig(ln.Addr().(*net.TCPAddr).Port, "")
	c.Timeout = 200 * time.Millisecond
	n, _ := New(c)
	start := time.Now()
	err = n.Send(context.Background(), testMessage())
	if err == nil || errors.Is(err, ErrPermanent) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
}
