// Package report builds availability and performance reports for a map or
// one device over a period: how much of the time each device was up (from
// the event log's state changes), its outages, its response time and its
// interfaces' traffic and utilisation with 95th percentiles (from the chart
// store). Reports are written as HTML (for e-mail and browsers), CSV (for
// spreadsheets) or JSON, and can be built on a schedule and sent through
// the notifiers.
package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/eventlog"
)

// Events reads the event log for a report.
type Events interface {
	// Events returns, oldest first, the events of mapName (of device alone
	// when device is not empty) at or after since (zero: the oldest kept)
	// and before until, together with the server's own START and STOP
	// events, which have no map.
	Events(ctx context.Context, mapName, device string, since, until time.Time) ([]eventlog.Event, error)
}

// Charts reads recorded datasets; the web API's chart source fits.
type Charts interface {
	Datasets(ctx context.Context, mapName, device string) ([]chart.Meta, error)
	Query(ctx context.Context, s chart.Series, from, to time.Time, points int) (chart.Chart, error)
}

// Seconds is a duration that appears in JSON as a number of seconds.
type Seconds time.Duration

// MarshalJSON writes whole or fractional seconds.
func (s Seconds) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(s).Seconds()) }

// UnmarshalJSON reads seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*s = Seconds(f * float64(time.Second))
	return nil
}

// D is the duration.
func (s Seconds) D() time.Duration { return time.Duration(s) }

// Report is one report over [From, To).
type Report struct {
	Map string `json:"map"`
	// Device is set for a one-device report.
	Device    string         `json:"device,omitempty"`
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Generated time.Time      `json:"generated"`
	Summary   Summary        `json:"summary"`
	Devices   []DeviceReport `json:"devices"`
}

// Summary is the report in one line.
type Summary struct {
	Devices int `json:"devices"`
	// Availability is the up time of all devices over their known time,
	// in percent; nil when no device's state was known at all.
	Availability *float64 `json:"availability_pct"`
	Outages      int      `json:"outages"`
	// Downtime is the devices' down and unreachable time inside the
	// period, added up.
	Downtime Seconds `json:"downtime_s"`
}

// DeviceReport is one device's part.
type DeviceReport struct {
	Map          string       `json:"map"`
	Device       string       `json:"device"`
	Availability Availability `json:"availability"`
	Outages      []Outage     `json:"outages"`
	// ResponseTime is from the "rtt" dataset, in milliseconds.
	ResponseTime *Stats `json:"response_time_ms,omitempty"`
	// Loss is from the "loss" dataset, in percent.
	Loss       *Stats      `json:"loss_pct,omitempty"`
	Interfaces []Interface `json:"interfaces,omitempty"`
}

// Availability splits the period by what was known of the device. A
// device counts as up in any state in which it answered (ok, warning,
// alarm, critical): those are about its values, not its reachability.
// Unreachable (behind a device that is down) is kept apart from down so the
// reader sees the cause was upstream; unknown time (the server was not
// running, or the device was not yet polled) is neither up nor down.
type Availability struct {
	// Percent is Up over the known time (Up+Down+Unreachable); nil when
	// nothing was known in the period.
	Percent     *float64 `json:"pct"`
	Up          Seconds  `json:"up_s"`
	Down        Seconds  `json:"down_s"`
	Unreachable Seconds  `json:"unreachable_s"`
	Unknown     Seconds  `json:"unknown_s"`
}

// Outage is one time a device was down or unreachable, overlapping the
// period.
type Outage struct {
	// Kind is DOWN or UNREACHABLE.
	Kind  string    `json:"kind"`
	Start time.Time `json:"start"`
	// End is nil when the device was still out at the end of the period.
	End *time.Time `json:"end,omitempty"`
	// Duration runs from Start to End, or to the period's end; it may
	// begin before the period.
	Duration Seconds `json:"duration_s"`
	// InPeriod is the part of Duration inside the period.
	InPeriod Seconds `json:"in_period_s"`
	// Reason is the event log's message for the change.
	Reason string `json:"reason"`
	// Cut is set when the outage ended because the server stopped: how
	// long it really lasted is unknown.
	Cut bool `json:"cut,omitempty"`
}

// Interface is one interface's traffic (bit/s) and utilisation (%).
type Interface struct {
	Index   string `json:"index"`
	Name    string `json:"name"`
	InBps   *Stats `json:"in_bps,omitempty"`
	OutBps  *Stats `json:"out_bps,omitempty"`
	InUtil  *Stats `json:"in_util_pct,omitempty"`
	OutUtil *Stats `json:"out_util_pct,omitempty"`
}

// Builder builds reports from the event log and the chart store.
type Builder struct {
	Events Events
	// Charts may be nil: reports then hold availability alone.
	Charts Charts
	// Devices lists a map's devices in display order; an error for a map
	// that does not exist.
	Devices func(mapName string) ([]string, error)
	// Now is the clock for Generated; nil is time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// ErrNotFound is returned for a map or device that does not exist.
var ErrNotFound = errors.New("not found")

// Report builds the report of mapName (of device alone when not empty)
// over [from, to).
func (b *Builder) Report(ctx context.Context, mapName, device string, from, to time.Time) (Report, error) {
	if mapName == "" {
		return Report{}, errors.New("report: a map is required")
	}
	if !from.Before(to) {
		return Report{}, fmt.Errorf("report: from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if b.Events == nil || b.Devices == nil {
		return Report{}, errors.New("report: no event log or map source")
	}
	devices, err := b.Devices(mapName)
	if err != nil {
		return Report{}, fmt.Errorf("report on map %q: %w", mapName, err)
	}
	if device != "" {
		if !slices.Contains(devices, device) {
			return Report{}, fmt.Errorf("report: no device %q on map %q: %w", device, mapName, ErrNotFound)
		}
		devices = []string{device}
	}
	evs, err := b.Events.Events(ctx, mapName, device, time.Time{}, to)
	if err != nil {
		return Report{}, fmt.Errorf("report on map %q: events: %w", mapName, err)
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	r := Report{Map: mapName, Device: device, From: from, To: to, Generated: now(), Devices: make([]DeviceReport, 0, len(devices))}
	for _, d := range devices {
		if err := ctx.Err(); err != nil {
			return Report{}, fmt.Errorf("report on map %q: %w", mapName, err)
		}
		dr := DeviceReport{Map: mapName, Device: d}
		dr.Availability, dr.Outages = availability(deviceEvents(evs, mapName, d), from, to)
		if b.Charts != nil {
			if err := b.performance(ctx, &dr, from, to); err != nil {
				return Report{}, err
			}
		}
		r.Devices = append(r.Devices, dr)
	}
	r.Summary = summarize(r.Devices)
	return r, nil
}

// deviceEvents keeps one device's events and the server's START and STOP.
func deviceEvents(evs []eventlog.Event, mapName, device string) []eventlog.Event {
	var out []eventlog.Event
	for _, e := range evs {
		if e.Map == mapName && e.Device == device || e.Map == "" && e.Device == "" && (e.Kind == eventlog.KindStart || e.Kind == eventlog.KindStop) {
			out = append(out, e)
		}
	}
	return out
}

// state is what the event log says of a device at a time.
type state int

const (
	unknown state = iota
	up
	down
	unreachable
)

// kind is the event kind that starts an outage in s.
func (s state) kind() string {
	if s == unreachable {
		return "UNREACHABLE"
	}
	return "DOWN"
}

// stateOf maps an event kind to the state it starts; ok is false for kinds
// that say nothing about reachability (TRAP, NOTIFY, REBOOT …).
func stateOf(kind string) (s state, ok bool) {
	switch kind {
	case "UP", "OK", "WARNING", "ALARM", "CRITICAL":
		return up, true
	case "DOWN":
		return down, true
	case "UNREACHABLE":
		return unreachable, true
	case "UNKNOWN", eventlog.KindStart, eventlog.KindStop:
		// After START a device is unknown until its first poll logs it.
		return unknown, true
	}
	return unknown, false
}

// availability walks one device's events (oldest first) through [from,
// to): the state at from is the one the last event before it set.
func availability(evs []eventlog.Event, from, to time.Time) (Availability, []Outage) {
	var a Availability
	var outages []Outage
	cur, since, reason := unknown, time.Time{}, ""
	account := func(s state, start, end time.Time) {
		start = later(start, from)
		end = earlier(end, to)
		if !end.After(start) {
			return
		}
		d := Seconds(end.Sub(start))
		switch s {
		case up:
			a.Up += d
		case down:
			a.Down += d
		case unreachable:
			a.Unreachable += d
		default:
			a.Unknown += d
		}
	}
	outage := func(end time.Time, open, cut bool) {
		if cur != down && cur != unreachable || !end.After(from) {
			return
		}
		o := Outage{Kind: cur.kind(), Start: since,
			Duration: Seconds(end.Sub(since)), InPeriod: Seconds(earlier(end, to).Sub(later(since, from))), Reason: reason, Cut: cut}
		if !open {
			e := end
			o.End = &e
		}
		outages = append(outages, o)
	}
	for _, e := range evs {
		if !e.Time.Before(to) {
			break
		}
		next, ok := stateOf(e.Kind)
		if !ok || next == cur && next != unknown {
			continue // WARNING after UP: still up, the outage clock is unchanged
		}
		account(cur, since, e.Time)
		outage(e.Time, false, e.Kind == eventlog.KindStop || e.Kind == eventlog.KindStart)
		cur, since, reason = next, e.Time, e.Message
	}
	account(cur, since, to)
	outage(to, true, false)
	if known := a.Up + a.Down + a.Unreachable; known > 0 {
		p := 100 * float64(a.Up) / float64(known)
		a.Percent = &p
	}
	return a, outages
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func summarize(devs []DeviceReport) Summary {
	s := Summary{Devices: len(devs)}
	var upT, known Seconds
	for _, d := range devs {
		upT += d.Availability.Up
		known += d.Availability.Up + d.Availability.Down + d.Availability.Unreachable
		s.Outages += len(d.Outages)
		s.Downtime += d.Availability.Down + d.Availability.Unreachable
	}
	if known > 0 {
		p := 100 * float64(upT) / float64(known)
		s.Availability = &p
	}
	return s
}

// performance adds response time, loss and interfaces from the charts.
func (b *Builder) performance(ctx context.Context, dr *DeviceReport, from, to time.Time) error {
	metas, err := b.Charts.Datasets(ctx, dr.Map, dr.Device)
	if err != nil {
		return fmt.Errorf("report: datasets of %s/%s: %w", dr.Map, dr.Device, err)
	}
	stats := func(dataset string) (*Stats, error) {
		c, err := b.Charts.Query(ctx, chart.Series{Map: dr.Map, Device: dr.Device, Dataset: dataset}, from, to, PointsFor(from, to))
		if err != nil {
			return nil, fmt.Errorf("report: %s/%s %s: %w", dr.Map, dr.Device, dataset, err)
		}
		st, ok := Summarize(c)
		if !ok {
			return nil, nil
		}
		return &st, nil
	}
	ifaces := map[string]*Interface{}
	var order []string
	for _, m := range metas {
		var dst **Stats
		switch {
		case m.Dataset == "rtt":
			dst = &dr.ResponseTime
		case m.Dataset == "loss":
			dst = &dr.Loss
		case strings.HasPrefix(m.Dataset, "if."):
			idx, field, ok := strings.Cut(strings.TrimPrefix(m.Dataset, "if."), ".")
			if !ok {
				continue
			}
			it := ifaces[idx]
			if it == nil {
				it = &Interface{Index: idx, Name: m.Interface}
				ifaces[idx] = it
				order = append(order, idx)
			}
			if it.Name == "" {
				it.Name = m.Interface
			}
			switch field {
			case "in_bps":
				dst = &it.InBps
			case "out_bps":
				dst = &it.OutBps
			case "in_util":
				dst = &it.InUtil
			case "out_util":
				dst = &it.OutUtil
			default:
				continue
			}
		default:
			continue
		}
		if *dst, err = stats(m.Dataset); err != nil {
			return err
		}
	}
	slices.SortFunc(order, compareIndex)
	for _, idx := range order {
		if it := ifaces[idx]; it.InBps != nil || it.OutBps != nil || it.InUtil != nil || it.OutUtil != nil {
			if it.Name == "" {
				it.Name = "if" + idx
			}
			dr.Interfaces = append(dr.Interfaces, *it)
		}
	}
	return nil
}

// compareIndex orders interface indexes numerically when they are numbers.
func compareIndex(a, b string) int {
	var x, y int
	_, ea := fmt.Sscan(a, &x)
	_, eb := fmt.Sscan(b, &y)
	if ea == nil && eb == nil && x != y {
		return x - y
	}
	return strings.Compare(a, b)
}

// PointsFor is the point budget that asks the chart store for 5-minute
// points over [from, to] — one per bucket — up to chart.MaxPoints (about
// 69 days); longer periods get the coarser roll-ups the store picks.
func PointsFor(from, to time.Time) int {
	n := int(math.Ceil(to.Sub(from).Minutes()/5)) + 1
	return min(max(n, 1), chart.MaxPoints)
}
