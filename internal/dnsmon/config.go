// Package dnsmon watches DNS names with Vantage's own resolver: it sends
// queries to the servers set in config.yaml (not the system's resolver, so
// that what is monitored is what those servers say), treats every name as
// fully qualified, reports the TTLs it gets back, and re-resolves a watched
// name when its answer's TTL runs out.
package dnsmon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is config.yaml's `dns:` section.
type Config struct {
	// Servers are the DNS servers asked, in order: "192.0.2.53" or
	// "192.0.2.53:53" or "[2001:db8::53]:53". Empty means the nameservers
	// of /etc/resolv.conf.
	Servers []string `yaml:"servers"`
	// Timeout bounds one query to one server.
	Timeout time.Duration `yaml:"timeout"`
	// MinTTL is the least time between two resolutions of a watched name,
	// whatever TTL the records carry (InterMapper's "minimum interval
	// between DNS checks").
	MinTTL time.Duration `yaml:"min_ttl"`
	// Attempts is how many times each server is asked before the next one.
	Attempts int `yaml:"attempts"`
}

// DefaultConfig asks the system's nameservers, twice each, 2 s apiece, and
// re-resolves a name at most once a minute.
func DefaultConfig() Config {
	return Config{Timeout: 2 * time.Second, MinTTL: time.Minute, Attempts: 2}
}

// Validate reports every setting that cannot work, each naming its key.
func (c Config) Validate() error {
	var errs []error
	for i, s := range c.Servers {
		if _, err := serverAddr(s); err != nil {
			errs = append(errs, fmt.Errorf("dns.servers[%d]: %w", i, err))
		}
	}
	if c.Timeout <= 0 || c.Timeout > time.Minute {
		errs = append(errs, fmt.Errorf("dns.timeout: %s is out of range (want more than 0 and at most 1m)", c.Timeout))
	}
	if c.MinTTL < 0 || c.MinTTL > 24*time.Hour {
		errs = append(errs, fmt.Errorf("dns.min_ttl: %s is out of range (want 0 to 24h)", c.MinTTL))
	}
	if c.Attempts < 1 || c.Attempts > 10 {
		errs = append(errs, fmt.Errorf("dns.attempts: %d is out of range (want 1 to 10)", c.Attempts))
	}
	return errors.Join(errs...)
}

// serverAddr turns a configured server into host:port, port 53 by default.
// Only IP addresses are accepted: resolving the resolver's own address
// would need a resolver.
func serverAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty server address")
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", fmt.Errorf("%q: port 0", s)
		}
		return ap.String(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return "", fmt.Errorf("%q is not an IP address or IP:port", s)
	}
	return netip.AddrPortFrom(a, 53).String(), nil
}

// ResolvConf reads the nameserver lines of a resolv.conf file.
func ResolvConf(r io.Reader) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		// A scoped IPv6 address (fe80::1%eth0) is kept whole.
		host := f[1]
		if a, err := netip.ParseAddr(host); err == nil {
			out = append(out, net.JoinHostPort(a.String(), strconv.Itoa(53)))
		}
	}
	return out
}

// systemServers reads /etc/resolv.conf.
func systemServers(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("no dns.servers in config.yaml and cannot read %s: %w", path, err)
	}
	defer f.Close()
	s := ResolvConf(f)
	if len(s) == 0 {
		return nil, fmt.Errorf("no dns.servers in config.yaml and no nameserver in %s", path)
	}
	return s, nil
}
