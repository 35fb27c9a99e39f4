// Package tlsconf gives the web/API and remote listeners their
// certificate: the user's DIR/tls/cert.pem and key.pem when present,
// otherwise a self-signed one made on first start and kept there, so a
// client that pinned its fingerprint keeps trusting it across restarts.
package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names inside DIR/tls.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
)

// Info describes the certificate in use, for the log and GET /api/v1/server.
type Info struct {
	// Fingerprint is the SHA-256 of the leaf certificate, "SHA256:AB:CD:…"
	// (what `openssl x509 -fingerprint -sha256` prints, and what clients
	// pin).
	Fingerprint string    `json:"fingerprint"`
	Subject     string    `json:"subject"`
	NotAfter    time.Time `json:"not_after"`
	SelfSigned  bool      `json:"self_signed"`
	// Created is true when the certificate was made by this start.
	Created bool   `json:"created"`
	Dir     string `json:"dir"`
}

// Options say what a generated certificate names.
type Options struct {
	// Hosts are extra DNS names and addresses for a generated
	// certificate, besides the host name, localhost and loopback.
	Hosts []string
	// Now is the clock (tests).
	Now func() time.Time
}

// Load returns a TLS configuration for dir (DIR/tls), making and saving a
// self-signed certificate when dir holds none. A certificate without its
// key, or a key file readable by others, is an error: the user meant to
// provide one and must fix it.
func Load(dir string, o Options) (*tls.Config, Info, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	info := Info{Dir: dir}
	switch {
	case errors.Is(certErr, os.ErrNotExist) && errors.Is(keyErr, os.ErrNotExist):
		if err := generate(dir, o); err != nil {
			return nil, Info{}, err
		}
		info.Created = true
	case certErr != nil:
		return nil, Info{}, fmt.Errorf("TLS certificate %s: %w", certPath, certErr)
	case keyErr != nil:
		return nil, Info{}, fmt.Errorf("TLS key %s (the certificate is there): %w", keyPath, keyErr)
	}
	if st, err := os.Stat(keyPath); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, Info{}, fmt.Errorf("TLS key %s is readable by others (mode %04o): chmod 600 it", keyPath, st.Mode().Perm())
	}
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, Info{}, fmt.Errorf("TLS certificate %s and key %s: %w", certPath, keyPath, err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, Info{}, fmt.Errorf("TLS certificate %s: %w", certPath, err)
	}
	cert.Leaf = leaf
	info.Fingerprint = Fingerprint(leaf.Raw)
	info.Subject = leaf.Subject.String()
	info.NotAfter = leaf.NotAfter
	info.SelfSigned = leaf.Subject.String() == leaf.Issuer.String() && leaf.CheckSignatureFrom(leaf) == nil
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, info, nil
}

// Fingerprint formats a certificate's SHA-256 as "SHA256:AB:CD:…".
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return "SHA256:" + strings.Join(parts, ":")
}

// generate makes a self-signed ECDSA P-256 certificate valid for ten
// years, naming this host, localhost, loopback and the machine's
// addresses, and writes it with its key (mode 0600) into dir.
func generate(dir string, o Options) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("TLS folder: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return fmt.Errorf("TLS serial: %w", err)
	}
	host, _ := os.Hostname()
	dns, ips := names(host, o.Hosts)
	now := o.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Vantage " + host, Organization: []string{"Vantage (self-signed)"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		DNSNames: dns, IPAddresses: ips,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// Self-signed: it is its own authority, so clients can trust it
		// by adding it as a CA (curl --cacert DIR/tls/cert.pem).
		IsCA: true, BasicConstraintsValid: true,
	}
	tmpl.KeyUsage |= x509.KeyUsageCertSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("TLS key: %w", err)
	}
	// The key is written first and the certificate last, so a crash in
	// between leaves a key alone, which Load reports rather than reusing.
	if err := writeFile(filepath.Join(dir, KeyFile), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, CertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// names are the certificate's subject alternative names.
func names(host string, extra []string) ([]string, []net.IP) {
	dns := []string{"localhost"}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	add := func(h string) {
		if h == "" {
			return
		}
		if ip := net.ParseIP(h); ip != nil {
			for _, have := range ips {
				if have.Equal(ip) {
					return
				}
			}
			ips = append(ips, ip)
			return
		}
		for _, have := range dns {
			if strings.EqualFold(have, h) {
				return
			}
		}
		dns = append(dns, h)
	}
	add(host)
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
				add(n.IP.String())
			}
		}
	}
	for _, h := range extra {
		add(h)
	}
	return dns, ips
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
