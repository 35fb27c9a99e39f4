// Package remotes is how one Vantage server talks to another: the list of
// other servers in config.yaml (servers:), an HTTP client that can pin a
// self-signed certificate by its SHA-256 fingerprint, and the map summary
// both sides agree on (GET /api/v1/maps/{map}/summary). The Map Status
// probe, the remote map list and `vantage sync` all use it, so they trust
// certificates the same way.
package remotes

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Server is another Vantage server whose maps this one lists, like the
// server list of InterMapper RemoteAccess.
type Server struct {
	// Name labels the server in the map list ("Site B").
	Name string `yaml:"name" json:"name"`
	// URL is the server's web address, https://host:8080.
	URL string `yaml:"url" json:"url"`
	// Token is an API token of a user with read access on that server.
	Token string `yaml:"token" json:"-"`
	// Fingerprint pins the server's certificate ("SHA256:AB:CD…" or plain
	// hex), for self-signed certificates; empty verifies it normally.
	Fingerprint string `yaml:"fingerprint,omitempty" json:"fingerprint,omitempty"`
	// Insecure skips certificate checks altogether; prefer Fingerprint.
	Insecure bool `yaml:"insecure,omitempty" json:"insecure,omitempty"`
}

// Validate checks one entry; errors name it.
func (s Server) Validate() error {
	var errs []error
	if strings.TrimSpace(s.Name) == "" {
		errs = append(errs, errors.New("name is required"))
	}
	if _, err := ParseURL(s.URL); err != nil {
		errs = append(errs, fmt.Errorf("url: %w", err))
	}
	if s.Token == "" {
		errs = append(errs, errors.New("token is required (create one on that server: POST /api/v1/tokens)"))
	}
	if s.Fingerprint != "" {
		if _, err := ParseFingerprint(s.Fingerprint); err != nil {
			errs = append(errs, fmt.Errorf("fingerprint: %w", err))
		}
		if s.Insecure {
			errs = append(errs, errors.New("fingerprint and insecure: choose one"))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("servers: %q: %w", s.Name, err)
	}
	return nil
}

// ValidateAll checks the servers: list; names must be unique.
func ValidateAll(list []Server) error {
	var errs []error
	seen := map[string]bool{}
	for _, s := range list {
		if err := s.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("servers: %q appears twice", s.Name))
		}
		seen[s.Name] = true
	}
	return errors.Join(errs...)
}

// ParseURL accepts an http or https base address without query or
// fragment, and returns it without a trailing slash.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not an http:// or https:// address", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q: give the server's base address only (no user, query or fragment)", raw)
	}
	return u, nil
}
