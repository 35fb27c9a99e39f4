package console

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/vantage-monitor/vantage/internal/loginlimit"
)

// Config is the console's section of config.yaml (console:).
type Config struct {
	// IdleTimeout closes a session with no input for this long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxLine bounds one input line in bytes.
	MaxLine int `yaml:"max_line"`
	// Attempts is how many logins one connection may try.
	Attempts int `yaml:"attempts"`
	// MaxConnections bounds simultaneous sessions.
	MaxConnections int `yaml:"max_connections"`
	// Login limits failed logins per client address.
	Login loginlimit.Config `yaml:"login"`
}

// DefaultConfig: 15 minutes idle, 1 KiB lines, 3 tries per connection,
// 2 seconds after each failure.
func DefaultConfig() Config {
	lc := loginlimit.DefaultConfig()
	lc.Delay = 2 * time.Second
	return Config{IdleTimeout: 15 * time.Minute, MaxLine: 1024, Attempts: 3, MaxConnections: 16, Login: lc}
}

// Validate reports every bad setting, naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.IdleTimeout < time.Second {
		errs = append(errs, fmt.Errorf("console.idle_timeout: %s is below 1s", c.IdleTimeout))
	}
	if c.MaxLine < 64 || c.MaxLine > 1<<20 {
		errs = append(errs, fmt.Errorf("console.max_line: %d is outside 64..1048576", c.MaxLine))
	}
	if c.Attempts < 1 {
		errs = append(errs, fmt.Errorf("console.attempts: %d is below 1", c.Attempts))
	}
	if c.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("console.max_connections: %d is below 1", c.MaxConnections))
	}
	if err := c.Login.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("console.login.%w", err))
	}
	return errors.Join(errs...)
}

// ListenAddr turns the --console value into the address to bind: a bare
// port (":2323" or "2323") means loopback only, because the console gives
// administrator powers; a host must be named to listen anywhere else.
func ListenAddr(flag string) (string, error) {
	if _, err := strconv.ParseUint(flag, 10, 16); err == nil {
		return net.JoinHostPort("127.0.0.1", flag), nil
	}
	host, port, err := net.SplitHostPort(flag)
	if err != nil {
		return "", fmt.Errorf("--console %q: want [HOST]:PORT or off: %w", flag, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}
