package flowstore

import (
	"fmt"
	"time"
)

// checkLimits validates limits the way Options.Validate does.
func checkLimits(maxBytes int64, maxAge time.Duration) error {
	return Options{MaxBytes: maxBytes, MaxAge: maxAge}.Validate()
}

// SetLimits changes the size cap and the age limit; Maintain applies them.
func (d *Duck) SetLimits(maxBytes int64, maxAge time.Duration) error {
	if err := checkLimits(maxBytes, maxAge); err != nil {
		return fmt.Errorf("flow store: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opts.MaxBytes, d.opts.MaxAge = maxBytes, maxAge
	return nil
}

// SetLimits changes the size cap and the age limit; Maintain applies them.
func (c *ClickHouse) SetLimits(maxBytes int64, maxAge time.Duration) error {
	if err := checkLimits(maxBytes, maxAge); err != nil {
		return fmt.Errorf("flow store ClickHouse: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opts.MaxBytes, c.opts.MaxAge = maxBytes, maxAge
	return nil
}
