package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/console"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/remote"
)

// accessListeners are the remote-protocol and console sockets and their
// servers, bound and built at start-up (so a bad flag or certificate
// stops it) and served once the server runs.
type accessListeners struct {
	remote, console net.Listener
	remoteSrv       *remote.Server
	consoleSrv      *console.Server
}

// close releases listeners that were bound but never served.
func (a accessListeners) close() {
	for _, ln := range []net.Listener{a.remote, a.console} {
		if ln != nil {
			ln.Close()
		}
	}
}

// bindAccess binds --remote and --console, builds their servers and
// reports them in GET /api/v1/server. A listener the user asked for that
// cannot be bound is an error; a default one is reported and skipped.
func (s *Server) bindAccess() (accessListeners, error) {
	var a accessListeners
	l := s.cfg.Listeners
	consoleAddr := l.Console
	if consoleAddr != "off" {
		addr, err := console.ListenAddr(consoleAddr)
		if err != nil {
			return a, err
		}
		consoleAddr = addr
	}
	for _, o := range []struct {
		name, addr string
		ln         *net.Listener
	}{{"remote", l.Remote, &a.remote}, {"console", consoleAddr, &a.console}} {
		if o.addr == "off" {
			s.listeners = append(s.listeners, Listener{Name: o.name, Flag: "--" + o.name, Address: "off", State: "off"})
			continue
		}
		ln, err := listenTCP(o.name, o.addr)
		switch {
		case err != nil && s.opts.Listeners[o.name] != "":
			a.close()
			return accessListeners{}, err
		case err != nil:
			s.logger.Error("default listener not bound", "err", err)
			s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: err.Error()})
			s.listeners = append(s.listeners, Listener{Name: o.name, Flag: "--" + o.name, Address: o.addr, State: "failed", Error: err.Error()})
		default:
			*o.ln = ln
			s.listeners = append(s.listeners, Listener{Name: o.name, Flag: "--" + o.name, Address: ln.Addr().String(), State: "listening"})
		}
	}
	var err error
	if a.remote != nil {
		if a.remoteSrv, err = s.newRemote(); err != nil {
			a.close()
			return accessListeners{}, fmt.Errorf("--remote: %w", err)
		}
	}
	if a.console != nil {
		if a.consoleSrv, err = s.newConsole(); err != nil {
			a.close()
			return accessListeners{}, fmt.Errorf("--console: %w", err)
		}
	}
	return a, nil
}

// serveAccess serves the bound listeners on wg until ctx ends.
func (s *Server) serveAccess(ctx context.Context, a accessListeners, wg *sync.WaitGroup) {
	if a.remote != nil {
		wg.Go(func() {
			if err := a.remoteSrv.Serve(ctx, a.remote); err != nil {
				s.logger.Error("remote listener stopped", "err", err)
			}
		})
		fmt.Fprintf(s.opts.Out, "Vantage %s: remote access on %s (TLS or plain text)\n", s.opts.Version, a.remote.Addr())
	}
	if a.console != nil {
		wg.Go(func() {
			if err := a.consoleSrv.Serve(ctx, a.console); err != nil {
				s.logger.Error("console listener stopped", "err", err)
			}
		})
		fmt.Fprintf(s.opts.Out, "Vantage %s: admin console on %s\n", s.opts.Version, a.console.Addr())
	}
}

// newRemote builds the remote-access server with its certificate.
func (s *Server) newRemote() (*remote.Server, error) {
	cfg := remote.DefaultConfig()
	log := s.logger.With("component", "remote")
	var tlsCfg *tls.Config
	if cfg.TLS != "off" {
		var err error
		if tlsCfg, err = s.remoteTLS(log.Info); err != nil {
			return nil, fmt.Errorf("TLS: %w", err)
		}
	}
	return remote.New(cfg, remote.Deps{Source: remoteSource{ctlBackend{s}}, CheckPassword: s.checkPassword, TLS: tlsCfg, Logger: log})
}

// remoteTLS loads DIR/tls/cert.pem and key.pem, or makes a self-signed
// certificate in memory when there are none, so TLS always works.
func (s *Server) remoteTLS(info func(string, ...any)) (*tls.Config, error) {
	dir := filepath.Join(s.opts.DataDir, "tls")
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if _, err := os.Stat(certFile); err == nil {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", certFile, err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	cert, err := selfSignedCert()
	if err != nil {
		return nil, err
	}
	info("no certificate in " + dir + ": remote TLS uses a self-signed one made at start-up")
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// selfSignedCert makes a one-year ECDSA certificate for this host.
func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "Vantage " + host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		DNSNames: []string{"localhost", host}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
