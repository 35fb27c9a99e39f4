package flowstore

import (
	"errors"
	"fmt"
	"time"
)

// BuilderConfig tunes session building.
type BuilderConfig struct {
	// Inactive closes a session that has had no record for this long (on
	// the collector's clock), and bounds how far apart two records may
	// start and end to join one session (on the exporters' clocks). It must
	// exceed the exporters' active timeout (60 s on most routers), or a
	// long flow's updates would each open a new session.
	Inactive time.Duration
	// Active is the longest piece of a session kept open: longer sessions
	// are stored piecewise so the time chart shows them while they last.
	Active time.Duration
	// MaxOpen caps the sessions held open; past it the one idle longest is
	// stored early (counted as evicted), bounding memory.
	MaxOpen int
	// MaxPending caps finished sessions waiting for the store; past it they
	// are dropped and counted.
	MaxPending int
	// FlushInterval is how often Run expires sessions and writes them.
	FlushInterval time.Duration
	// Ports lists the server ports of the client/server rule.
	Ports Ports
}

// DefaultBuilderConfig returns the defaults: 90 s inactive, 2 min pieces,
// 500,000 open sessions, the built-in server ports.
func DefaultBuilderConfig() BuilderConfig {
	return BuilderConfig{
		Inactive:      90 * time.Second,
		Active:        2 * time.Minute,
		MaxOpen:       500_000,
		MaxPending:    1 << 20,
		FlushInterval: time.Second,
		Ports:         DefaultPorts(),
	}
}

// Validate reports every setting out of range, naming its key.
func (c BuilderConfig) Validate() error {
	var errs []error
	if c.Inactive < time.Second {
		errs = append(errs, fmt.Errorf("flows.sessions.inactive: %v is below 1s", c.Inactive))
	}
	if c.Active < time.Second {
		errs = append(errs, fmt.Errorf("flows.sessions.active: %v is below 1s", c.Active))
	}
	if c.MaxOpen < 1 {
		errs = append(errs, fmt.Errorf("flows.sessions.max_open: %d must be at least 1", c.MaxOpen))
	}
	if c.MaxPending < 1 {
		errs = append(errs, fmt.Errorf("flows.sessions.max_pending: %d must be at least 1", c.MaxPending))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("flows.sessions.flush_interval: %v must be positive", c.FlushInterval))
	}
	return errors.Join(errs...)
}
