// Package pgtest runs a real, throw-away PostgreSQL server for tests:
// Debian's postgresql binaries, a fresh cluster in a temporary folder,
// listening only on 127.0.0.1 (and a unix socket inside that folder), with
// trust authentication. Tests can stop it and start it again on the same
// port to play an outage of the central database.
//
// When the binaries are missing the test is skipped, unless $CI is set: on
// CI a missing PostgreSQL must fail loudly, not skip quietly.
package pgtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options configure a cluster.
type Options struct {
	// CertPEM and KeyPEM, when set, turn TLS on (ssl=on) with this
	// certificate and key.
	CertPEM, KeyPEM []byte
}

// Cluster is one running test PostgreSQL server.
type Cluster struct {
	t    testing.TB
	bin  string
	dir  string // the temporary folder, owned by the server's user
	data string
	port int
	cred *syscall.Credential // nil when not running as root

	mu      sync.Mutex
	running bool
}

// Start starts a cluster without TLS and returns its URL
// (postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable) and a stop
// function; the cluster is also stopped and removed when the test ends.
func Start(t testing.TB) (url string, stop func()) {
	c := New(t, Options{})
	return c.URL(), c.Stop
}

// StartTLS starts a cluster with ssl=on using the given certificate and key
// (see SelfSignedCert).
func StartTLS(t testing.TB, certPEM, keyPEM []byte) *Cluster {
	return New(t, Options{CertPEM: certPEM, KeyPEM: keyPEM})
}

// Binaries returns the folder with initdb, pg_ctl and postgres (the newest
// of /usr/lib/postgresql/*/bin), or "" when PostgreSQL is not installed.
func Binaries() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		ok := true
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(d, b)); err != nil {
				ok = false
			}
		}
		if ok {
			return d
		}
	}
	return ""
}

// New creates and starts a cluster. It is stopped (pg_ctl stop -m
// immediate) and its folder removed when the test ends.
func New(t testing.TB, opts Options) *Cluster {
	t.Helper()
	bin := Binaries()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin and CI is set: install Debian's postgresql package (make test-deps)")
		}
		t.Skip("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin: install Debian's postgresql package to run this test")
	}
	dir, err := os.MkdirTemp("", "vantage-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	t.Cleanup(func() {
		c.Stop()
		os.RemoveAll(dir)
	})
	// initdb and postgres refuse to run as root: run them as the postgres
	// user, who must own the folder.
	var uid, gid int
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user to run the server: %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	sock := filepath.Join(dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		t.Fatal(err)
	}
	if c.cred != nil {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(sock, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
		"--no-sync", "--no-instructions", "--locale=C"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		fmt.Sprintf("unix_socket_directories = '%s'", sock),
		"fsync = off", // a test cluster: speed over durability
		"full_page_writes = off",
		"shared_buffers = 16MB",
		"max_connections = 40",
		"log_min_messages = warning",
	}
	if len(opts.CertPEM) > 0 {
		cert, key := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
		for _, f := range []struct {
			path string
			b    []byte
		}{{cert, opts.CertPEM}, {key, opts.KeyPEM}} {
			if err := os.WriteFile(f.path, f.b, 0o600); err != nil {
				t.Fatal(err)
			}
			if c.cred != nil {
				if err := os.Chown(f.path, uid, gid); err != nil {
					t.Fatal(err)
				}
			}
		}
		conf = append(conf, "ssl = on", fmt.Sprintf("ssl_cert_file = '%s'", cert), fmt.Sprintf("ssl_key_file = '%s'", key))
	}
	// A free port can be taken by someone else between our probe and the
	// server's bind: try a few.
	var lastErr error
	for range 5 {
		c.port = freePort(t)
		pc := append(slices.Clone(conf), fmt.Sprintf("port = %d", c.port))
		if err := c.writeConf(pc); err != nil {
			t.Fatal(err)
		}
		if lastErr = c.start(); lastErr == nil {
			return c
		}
	}
	t.Fatalf("start PostgreSQL: %v", lastErr)
	return nil
}

// writeConf writes the test settings into postgresql.auto.conf, which
// PostgreSQL reads after postgresql.conf.
func (c *Cluster) writeConf(lines []string) error {
	path := filepath.Join(c.data, "postgresql.auto.conf")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	if c.cred != nil {
		return os.Chown(path, int(c.cred.Uid), int(c.cred.Gid))
	}
	return nil
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run runs one of the PostgreSQL programs as the server's user.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, prog), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "HOME="+c.dir)
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func (c *Cluster) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	logFile := filepath.Join(c.dir, "postgres.log")
	if out, err := c.run("pg_ctl", "-D", c.data, "-l", logFile, "-w", "-t", "120", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, lastLines(log, 20))
	}
	c.running = true
	return nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// URL is the connection URL, without TLS (sslmode=disable).
func (c *Cluster) URL() string { return c.URLMode("disable") }

// URLMode is the connection URL with the given sslmode.
func (c *Cluster) URLMode(sslmode string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=%s&connect_timeout=10", c.port, sslmode)
}

// Port is the TCP port the server listens on (127.0.0.1 only).
func (c *Cluster) Port() int { return c.port }

// Dir is the cluster's temporary folder, for writing files next to it.
func (c *Cluster) Dir() string { return c.dir }

// Kill stops the server at once (pg_ctl stop -m immediate: no checkpoint,
// clients cut off), like a crash or a pulled cable.
func (c *Cluster) Kill() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return
	}
	if out, err := c.run("pg_ctl", "-D", c.data, "-w", "-t", "60", "-m", "immediate", "stop"); err != nil {
		c.t.Errorf("pg_ctl stop: %v\n%s", err, out)
		return
	}
	c.running = false
}

// Restart starts a killed server again on the same port.
func (c *Cluster) Restart() {
	c.t.Helper()
	if err := c.start(); err != nil {
		c.t.Fatalf("restart PostgreSQL: %v", err)
	}
}

// Stop stops the server; safe to call more than once.
func (c *Cluster) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return
	}
	if out, err := c.run("pg_ctl", "-D", c.data, "-w", "-t", "60", "-m", "immediate", "stop"); err != nil {
		c.t.Logf("pg_ctl stop: %v\n%s", err, out)
		return
	}
	c.running = false
}

// SelfSignedCert makes a certificate and key (PEM) for 127.0.0.1 and
// localhost, valid for a day: enough for sslmode=require and, with the
// certificate as sslrootcert, verify-full.
func SelfSignedCert(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
