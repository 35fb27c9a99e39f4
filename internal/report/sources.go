package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// LogEvents reads a report's events from the event log file and its
// rotated predecessors.
type LogEvents struct{ Log *eventlog.Log }

// pageSize is the most events eventlog.Log.Read returns at once.
const pageSize = 10000

// Events implements Events by paging forward through the log: once for
// the map's (or device's) events, once each for START and STOP.
func (l LogEvents) Events(ctx context.Context, mapName, device string, since, until time.Time) ([]eventlog.Event, error) {
	if since.IsZero() {
		since = time.Unix(0, 0) // with Since set, Read pages forward from the oldest
	}
	var out []eventlog.Event
	for _, q := range []eventlog.Query{{Map: mapName, Device: device}, {Kind: eventlog.KindStart}, {Kind: eventlog.KindStop}} {
		q.Since, q.Until = since, until
		evs, err := readAll(ctx, l.Log, q)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if q.Kind == "" || e.Map == "" && e.Device == "" {
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b eventlog.Event) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// readAll pages through every event matching q. A page starts at the last
// time of the one before, so the events at that time already taken are
// skipped.
func readAll(ctx context.Context, log *eventlog.Log, q eventlog.Query) ([]eventlog.Event, error) {
	q.Limit = pageSize
	var out []eventlog.Event
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := log.Read(q)
		if err != nil {
			return nil, fmt.Errorf("event log: %w", err)
		}
		skip := 0
		if n := len(out); n > 0 {
			last := out[n-1].Time
			for i := n - 1; i >= 0 && out[i].Time.Equal(last); i-- {
				skip++
			}
		}
		full := len(page) == pageSize
		for _, e := range page {
			if skip > 0 && e.Time.Equal(q.Since) {
				skip--
				continue
			}
			out = append(out, e)
		}
		if !full {
			return out, nil
		}
		next := page[len(page)-1].Time
		if !next.After(q.Since) {
			// A whole page at one instant: step past it rather than loop.
			next = q.Since.Add(time.Nanosecond)
		}
		q.Since = next
	}
}

// MapDevices lists a map's devices from the map store, for Builder.Devices.
func MapDevices(maps *netmap.Store) func(mapName string) ([]string, error) {
	return func(mapName string) ([]string, error) {
		m, ok := maps.Get(mapName)
		if !ok {
			return nil, fmt.Errorf("no map %q: %w", mapName, ErrNotFound)
		}
		out := make([]string, 0, len(m.Devices))
		for _, d := range m.Devices {
			out = append(out, d.Name)
		}
		return out, nil
	}
}
