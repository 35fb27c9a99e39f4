package auth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is config.yaml's auth section: external directories and the
// login throttle. Local users need no configuration.
type Config struct {
	LDAP   LDAPConfig   `yaml:"ldap"`
	RADIUS RADIUSConfig `yaml:"radius"`
	// Lockout slows and then refuses repeated failed logins.
	Lockout LockoutConfig `yaml:"lockout"`
}

// LDAPConfig is an LDAP or Active Directory server. Users log in by
// binding as themselves; their groups are searched with the service
// account and mapped to Vantage groups.
type LDAPConfig struct {
	// URL is ldap://host:389 or ldaps://host:636; empty turns LDAP off.
	URL      string `yaml:"url"`
	StartTLS bool   `yaml:"start_tls"`
	// InsecureSkipVerify accepts any server certificate (tests, labs).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// BindDN and BindPassword are the service account that finds users
	// and their groups; empty binds anonymously.
	BindDN       string `yaml:"bind_dn"`
	BindPassword string `yaml:"bind_password"`
	UserBase     string `yaml:"user_base"`
	// UserFilter finds the user; %s is the escaped login name.
	UserFilter string `yaml:"user_filter"`
	GroupBase  string `yaml:"group_base"`
	// GroupFilter finds the user's groups; %s is the user's escaped DN.
	GroupFilter string `yaml:"group_filter"`
	// GroupMap maps a directory group's DN to a Vantage group. Users in
	// no mapped group may log in but see nothing until granted access.
	GroupMap map[string]string `yaml:"group_map"`
	Timeout  time.Duration     `yaml:"timeout"`
}

// RADIUSConfig is a RADIUS server asked with PAP Access-Requests.
type RADIUSConfig struct {
	// Address is host:port (port 1812 when omitted); empty turns RADIUS off.
	Address string        `yaml:"address"`
	Secret  string        `yaml:"secret"`
	Timeout time.Duration `yaml:"timeout"`
	// Groups are the Vantage groups of every RADIUS user, added to those
	// named by Filter-Id attributes of the Access-Accept.
	Groups []string `yaml:"groups"`
	// NASIdentifier names this server to the RADIUS server.
	NASIdentifier string `yaml:"nas_identifier"`
}

// LockoutConfig tunes the login throttle. After each failure a user name
// and a source address must wait Delay, doubled with every further
// failure up to MaxDelay; after Attempts failures in a row they are
// locked out for Duration.
type LockoutConfig struct {
	Attempts int           `yaml:"attempts"`
	Duration time.Duration `yaml:"duration"`
	Delay    time.Duration `yaml:"delay"`
	MaxDelay time.Duration `yaml:"max_delay"`
}

// DefaultConfig has no directories and a throttle of 1 s doubling to
// 30 s, with a 15-minute lockout after 10 failures.
func DefaultConfig() Config {
	return Config{
		LDAP:    LDAPConfig{UserFilter: "(uid=%s)", GroupFilter: "(member=%s)", Timeout: 5 * time.Second},
		RADIUS:  RADIUSConfig{Timeout: 3 * time.Second, NASIdentifier: "vantage"},
		Lockout: LockoutConfig{Attempts: 10, Duration: 15 * time.Minute, Delay: time.Second, MaxDelay: 30 * time.Second},
	}
}

// Validate reports every problem with its key under auth.
func (c Config) Validate() error {
	var errs []error
	if l := c.LDAP; l.URL != "" {
		u, err := url.Parse(l.URL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("auth.ldap.url: %w", err))
		case u.Scheme != "ldap" && u.Scheme != "ldaps":
			errs = append(errs, fmt.Errorf("auth.ldap.url: %q must start with ldap:// or ldaps://", l.URL))
		case u.Scheme == "ldaps" && l.StartTLS:
			errs = append(errs, errors.New("auth.ldap.start_tls: ldaps:// is already TLS"))
		}
		if l.UserBase == "" {
			errs = append(errs, errors.New("auth.ldap.user_base: required with auth.ldap.url"))
		}
		if strings.Count(l.UserFilter, "%s") != 1 {
			errs = append(errs, fmt.Errorf("auth.ldap.user_filter: %q must hold %%s once (the login name)", l.UserFilter))
		}
		if l.GroupBase != "" && strings.Count(l.GroupFilter, "%s") != 1 {
			errs = append(errs, fmt.Errorf("auth.ldap.group_filter: %q must hold %%s once (the user's DN)", l.GroupFilter))
		}
		if l.Timeout <= 0 {
			errs = append(errs, errors.New("auth.ldap.timeout: must be positive"))
		}
		for dn, g := range l.GroupMap {
			if err := checkName("group", g); err != nil {
				errs = append(errs, fmt.Errorf("auth.ldap.group_map[%q]: %w", dn, err))
			}
		}
	}
	if r := c.RADIUS; r.Address != "" {
		if r.Secret == "" {
			errs = append(errs, errors.New("auth.radius.secret: required with auth.radius.address"))
		}
		if r.Timeout <= 0 {
			errs = append(errs, errors.New("auth.radius.timeout: must be positive"))
		}
		for _, g := range r.Groups {
			if err := checkName("group", g); err != nil {
				errs = append(errs, fmt.Errorf("auth.radius.groups: %w", err))
			}
		}
	}
	if l := c.Lockout; l.Attempts < 1 || l.Duration <= 0 || l.Delay < 0 || l.MaxDelay < l.Delay {
		errs = append(errs, fmt.Errorf("auth.lockout: attempts (%d) must be at least 1, duration (%s) positive and max_delay (%s) at least delay (%s)",
			l.Attempts, l.Duration, l.MaxDelay, l.Delay))
	}
	return errors.Join(errs...)
}

// checkName accepts user and group names: non-empty, at most 64
// characters, without separators the storage or HTTP Basic use.
func checkName(kind, name string) error {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, ":,\r\n\t/") || strings.TrimSpace(name) != name {
		return fmt.Errorf("%s name %q: 1 to 64 characters without ':', ',', '/', tabs, newlines or surrounding spaces", kind, name)
	}
	return nil
}
