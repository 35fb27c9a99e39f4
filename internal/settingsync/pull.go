package settingsync

import (
	"context"
	"fmt"
	"time"

	"github.com/vantage-monitor/vantage/internal/remotes"
)

// ExportPath is the primary's export endpoint.
const ExportPath = "/api/v1/export"

// Pull fetches the primary's export with c and imports it into root.
func Pull(ctx context.Context, c *remotes.Client, root string, o ImportOptions) (Report, error) {
	resp, err := c.Open(ctx, ExportPath)
	if err != nil {
		return Report{}, fmt.Errorf("fetch export: %w", err)
	}
	defer resp.Body.Close()
	return Import(ctx, root, resp.Body, o)
}

// Loop runs pull now and then every interval until ctx ends, handing each
// outcome to done. A failed pull is reported and retried at the next
// interval: a primary that is down is the case redundancy is for, and must
// not stop the secondary's syncing for good.
func Loop(ctx context.Context, every time.Duration, pull func(context.Context) (Report, error), done func(Report, error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rep, err := pull(ctx)
		if ctx.Err() != nil {
			return
		}
		done(rep, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
