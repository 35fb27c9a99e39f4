// Package poller schedules probes: each job polls on its own interval, first
// polls are spread at random over the interval, concurrency is bounded, and
// a slow poll never delays the others.
package poller

import (
	"fmt"
	"time"
)

// Config sets the poller's limits.
type Config struct {
	// Concurrency bounds polls in flight. A ping costs a goroutine and a
	// waiter, so the default is generous.
	Concurrency int `yaml:"concurrency"`
	// Grace is added to a probe's own timeout before the poller gives up
	// on it, as a backstop for a probe that ignores its deadline.
	Grace time.Duration `yaml:"grace"`
}

// DefaultConfig allows 1000 polls in flight.
func DefaultConfig() Config { return Config{Concurrency: 1000, Grace: 5 * time.Second} }

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	if c.Concurrency < 1 {
		return fmt.Errorf("poller.concurrency: must be at least 1, got %d", c.Concurrency)
	}
	if c.Grace < 0 {
		return fmt.Errorf("poller.grace: must not be negative, got %s", c.Grace)
	}
	return nil
}
