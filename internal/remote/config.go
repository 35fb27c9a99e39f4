package remote

import (
	"errors"
	"fmt"
	"time"

	"github.com/vantage-monitor/vantage/internal/loginlimit"
)

// Config is the remote listener's section of config.yaml (remote:).
type Config struct {
	// TLS is "auto" (default: TLS and plain text on the same port, told
	// apart by the first byte a client sends), "on" (TLS only) or "off"
	// (plain text only).
	TLS string `yaml:"tls"`
	// AllowPlainLogin lets a client log in over plain text from an
	// address other than loopback. Off by default: passwords would cross
	// the network in the clear.
	AllowPlainLogin bool `yaml:"allow_plain_login"`
	// IdleTimeout closes a connection that sends no complete request for
	// this long; subscribers send <KC_ping/> to stay connected.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxElement bounds one request element in bytes.
	MaxElement int `yaml:"max_element"`
	// MaxErrors closes a connection after this many malformed requests.
	MaxErrors int `yaml:"max_errors"`
	// MaxConnections bounds simultaneous connections.
	MaxConnections int `yaml:"max_connections"`
	// Login limits failed logins per client address.
	Login loginlimit.Config `yaml:"login"`
}

// DefaultConfig is what the server runs with when config.yaml says nothing.
func DefaultConfig() Config {
	return Config{
		TLS:            "auto",
		IdleTimeout:    10 * time.Minute,
		MaxElement:     64 << 10,
		MaxErrors:      5,
		MaxConnections: 256,
		Login:          loginlimit.DefaultConfig(),
	}
}

// Validate reports every bad setting, naming its key.
func (c Config) Validate() error {
	var errs []error
	switch c.TLS {
	case "auto", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("remote.tls: %q is not auto, on or off", c.TLS))
	}
	if c.IdleTimeout < time.Second {
		errs = append(errs, fmt.Errorf("remote.idle_timeout: %s is below 1s", c.IdleTimeout))
	}
	if c.MaxElement < 1024 || c.MaxElement > 16<<20 {
		errs = append(errs, fmt.Errorf("remote.max_element: %d is outside 1024..16777216", c.MaxElement))
	}
	if c.MaxErrors < 1 {
		errs = append(errs, fmt.Errorf("remote.max_errors: %d is below 1", c.MaxErrors))
	}
	if c.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("remote.max_connections: %d is below 1", c.MaxConnections))
	}
	if err := c.Login.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("remote.login.%w", err))
	}
	return errors.Join(errs...)
}
