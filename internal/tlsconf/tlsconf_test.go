package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSelfSignedMadeOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	cfg, info, err := Load(dir, Options{Hosts: []string{"vantage.example.net", "192.0.2.5"}})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Created || !info.SelfSigned || !strings.HasPrefix(info.Fingerprint, "SHA256:") || len(info.Fingerprint) != 7+32*3-1 {
		t.Fatalf("info %+v", info)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, %v", st.Mode(), err)
	}
	leaf := cfg.Certificates[0].Leaf
	for _, name := range []string{"localhost", "vantage.example.net"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, ip := range []string{"127.0.0.1", "::1", "192.0.2.5"} {
		if err := leaf.VerifyHostname(ip); err != nil {
			t.Errorf("%s: %v", ip, err)
		}
	}
	_, again, err := Load(dir, Options{})
	if err != nil || again.Created || again.Fingerprint != info.Fingerprint {
		t.Fatalf("second start: %+v %v", again, err)
	}

	// A client trusting cert.pem connects to a server using the config.
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(filepath.Join(dir, CertFile))
	pool.AppendCertsFromPEM(pem)
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("verified handshake: %v", err)
	}
	c.Close()
}

func TestUserCertificateProblems(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Load(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, KeyFile)
	os.Chmod(key, 0o644)
	if _, _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key: %v", err)
	}
	os.Remove(key)
	if _, _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), "key") {
		t.Fatalf("missing key: %v", err)
	}
	os.WriteFile(key, []byte("not a key"), 0o600)
	if _, _, err := Load(dir, Options{}); err == nil {
		t.Fatal("garbage key accepted")
	}
}
