package snmp

import (
	"fmt"
	"time"
)

// Config tunes a Client. Start from DefaultConfig; IdleTimeout and MaxWalk
// take their defaults when zero, other zero fields are errors.
type Config struct {
	// Timeout is the wait for one answer; a request is sent 1+Retries times.
	Timeout time.Duration `yaml:"timeout"`
	// Retries is how many times a request is sent again after a timeout.
	Retries int `yaml:"retries"`
	// MaxRepetitions is the GetBulk max-repetitions of a one-OID walk;
	// a Table asks for about four times that many values per request.
	MaxRepetitions int `yaml:"max_repetitions"`
	// MaxOIDs is the number of OIDs in one Get or GetNext request (and of
	// columns in one GetBulk); longer lists are split.
	MaxOIDs int `yaml:"max_oids"`
	// MaxSessions bounds the sockets: one per request in flight, idle ones
	// included. Callers beyond it wait.
	MaxSessions int `yaml:"max_sessions"`
	// IdleTimeout closes a session nobody used for that long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxWalk is the most values a Walk or Table returns before it gives up
	// on an endless agent.
	MaxWalk int `yaml:"max_walk"`
}

// DefaultConfig returns the defaults: 2 s timeout, 1 retry, 25
// repetitions, 16 OIDs per request, 256 sessions idle for at most 2
// minutes, walks of at most 1,000,000 values.
func DefaultConfig() Config {
	return Config{
		Timeout:        2 * time.Second,
		Retries:        1,
		MaxRepetitions: 25,
		MaxOIDs:        16,
		MaxSessions:    256,
		IdleTimeout:    2 * time.Minute,
		MaxWalk:        1_000_000,
	}
}

// Validate reports impossible settings, naming the key.
func (c Config) Validate() error {
	switch {
	case c.Timeout <= 0:
		return fmt.Errorf("snmp timeout %v: must be positive", c.Timeout)
	case c.Retries < 0 || c.Retries > 10:
		return fmt.Errorf("snmp retries %d: must be 0 to 10", c.Retries)
	case c.MaxRepetitions < 1 || c.MaxRepetitions > 1000:
		return fmt.Errorf("snmp max_repetitions %d: must be 1 to 1000", c.MaxRepetitions)
	case c.MaxOIDs < 1 || c.MaxOIDs > 128:
		return fmt.Errorf("snmp max_oids %d: must be 1 to 128", c.MaxOIDs)
	case c.MaxSessions < 1:
		return fmt.Errorf("snmp max_sessions %d: must be at least 1", c.MaxSessions)
	case c.IdleTimeout < 0:
		return fmt.Errorf("snmp idle_timeout %v: must not be negative", c.IdleTimeout)
	case c.MaxWalk < 0:
		return fmt.Errorf("snmp max_walk %d: must not be negative", c.MaxWalk)
	}
	return nil
}

// withDefaults fills the optional fields.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.IdleTimeout == 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.MaxWalk == 0 {
		c.MaxWalk = d.MaxWalk
	}
	return c
}
