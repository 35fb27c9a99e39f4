package remotes

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ParseFingerprint reads a SHA-256 certificate fingerprint as openssl
// prints it ("SHA256 Fingerprint=AB:CD:…"), as "SHA256:ab:cd…", or as
// plain hex.
func ParseFingerprint(s string) ([]byte, error) {
	v := strings.TrimSpace(s)
	if i := strings.LastIndex(v, "="); i >= 0 {
		v = v[i+1:]
	}
	for _, p := range []string{"SHA256:", "sha256:", "SHA-256:", "sha-256:"} {
		v = strings.TrimPrefix(v, p)
	}
	v = strings.NewReplacer(":", "", " ", "").Replace(v)
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("%q is not a SHA-256 fingerprint (64 hex digits, colons allowed)", s)
	}
	return b, nil
}

// Fingerprint formats a certificate's SHA-256 as "SHA256:AB:CD:…".
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	b.WriteString("SHA256:")
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// errPin is returned when the server's certificate is not the pinned one.
var errPin = errors.New("certificate fingerprint does not match the pinned one")

// TLSConfig returns the client TLS settings: with a fingerprint the
// server's leaf certificate must have exactly that SHA-256 (the chain and
// name are not checked, which is what a self-signed certificate needs);
// insecure skips all checks; otherwise the system roots verify it.
func TLSConfig(fingerprint string, insecure bool) (*tls.Config, error) {
	switch {
	case fingerprint != "" && insecure:
		return nil, errors.New("fingerprint and insecure: choose one")
	case insecure:
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, nil
	case fingerprint != "":
		want, err := ParseFingerprint(fingerprint)
		if err != nil {
			return nil, err
		}
		return &tls.Config{
			MinVersion: tls.VersionTLS12,
			// Verification is replaced, not skipped: VerifyConnection runs
			// on every handshake, resumed ones included.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errPin
				}
				sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
				if !bytes.Equal(sum[:], want) {
					return fmt.Errorf("%w: the server presented %s", errPin, Fingerprint(cs.PeerCertificates[0].Raw))
				}
				return nil
			},
		}, nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}, nil
}

// HTTPClient returns a client with TLSConfig's trust rules and an overall
// timeout per request (0: none; callers then bound requests with ctx).
func HTTPClient(fingerprint string, insecure bool, timeout time.Duration) (*http.Client, error) {
	tc, err := TLSConfig(fingerprint, insecure)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}
