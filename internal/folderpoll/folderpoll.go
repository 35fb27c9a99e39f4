// Package folderpoll runs the polling loop of folders that administrators
// edit by hand (maps/, probes/): scan every interval, report what changed.
// Polling rather than inotify works on every filesystem, network mounts
// included, and costs a stat per file.
package folderpoll

import (
	"context"
	"time"
)

// DefaultEvery is the interval when none is given.
const DefaultEvery = 2 * time.Second

// Run calls scan every interval until ctx is done, and onChange whenever
// scan found changes or problems. It blocks.
func Run(ctx context.Context, every time.Duration, scan func() (changed []string, errs []error), onChange func(changed []string, errs []error)) {
	if every <= 0 {
		every = DefaultEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, errs := scan()
		if (len(changed) > 0 || len(errs) > 0) && onChange != nil {
			onChange(changed, errs)
		}
	}
}
