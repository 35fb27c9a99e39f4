package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Schedule is one scheduled report, from the reports: list of
// config.yaml:
//
//	reports:
//	  - name: campus-weekly
//	    map: Campus
//	    period: week          # day, week or month: the previous full one
//	    at: "07:00"           # when it is sent, on the period's first day
//	    location: Europe/Paris
//	    notifiers: [ops-mail]
//	    format: html          # html or csv
type Schedule struct {
	Name string `yaml:"name" json:"name"`
	Map  string `yaml:"map" json:"map"`
	// Device limits the report to one device of Map.
	Device string `yaml:"device,omitempty" json:"device,omitempty"`
	// Period is day, week (Monday to Monday) or month; the report covers
	// the previous full one.
	Period string `yaml:"period" json:"period"`
	// At is the local time of day the report is sent ("07:00"); empty is
	// midnight.
	At string `yaml:"at,omitempty" json:"at,omitempty"`
	// Location is the IANA time zone of At and of the period's bounds;
	// empty is UTC.
	Location  string   `yaml:"location,omitempty" json:"location,omitempty"`
	Notifiers []string `yaml:"notifiers" json:"notifiers"`
	// Format is html (the default) or csv.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
}

// Validate reports the first setting that cannot work, naming it.
func (s Schedule) Validate() error {
	key := func(k string) string { return fmt.Sprintf("reports[%s].%s", s.Name, k) }
	switch {
	case s.Name == "":
		return errors.New("reports: every report needs a name")
	case s.Map == "":
		return fmt.Errorf("%s: required", key("map"))
	case len(s.Notifiers) == 0:
		return fmt.Errorf("%s: name at least one notifier to send the report with", key("notifiers"))
	}
	switch s.Period {
	case "day", "week", "month":
	default:
		return fmt.Errorf("%s: %q is not day, week or month", key("period"), s.Period)
	}
	switch s.Format {
	case "", "html", "csv":
	default:
		return fmt.Errorf("%s: %q is not html or csv", key("format"), s.Format)
	}
	if _, err := s.clock(); err != nil {
		return fmt.Errorf("%s: %w", key("at"), err)
	}
	if _, err := s.location(); err != nil {
		return fmt.Errorf("%s: %w", key("location"), err)
	}
	for i, n := range s.Notifiers {
		if n == "" {
			return fmt.Errorf("%s: empty name", key(fmt.Sprintf("notifiers[%d]", i)))
		}
	}
	return nil
}

// clock is At as an offset into the day.
func (s Schedule) clock() (time.Duration, error) {
	if s.At == "" {
		return 0, nil
	}
	t, err := time.Parse("15:04", s.At)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 07:00", s.At)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func (s Schedule) location() (*time.Location, error) {
	if s.Location == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(s.Location)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IANA time zone: %w", s.Location, err)
	}
	return loc, nil
}

// periodStart is the start of the period holding t (midnight, Monday, or
// the 1st), in loc.
func (s Schedule) periodStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	switch s.Period {
	case "week":
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case "month":
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func (s Schedule) nextPeriod(start time.Time) time.Time {
	switch s.Period {
	case "week":
		return start.AddDate(0, 0, 7)
	case "month":
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// sendTime is At on the first day of the period starting at start.
func sendTime(start time.Time, at time.Duration, loc *time.Location) time.Time {
	y, m, d := start.Date()
	return time.Date(y, m, d, int(at/time.Hour), int(at%time.Hour/time.Minute), 0, 0, loc)
}

// Next is the first time after after at which the report is due: At on
// the first day of a period (every day, every Monday, every 1st). It is
// the zero time for a schedule that does not validate.
func (s Schedule) Next(after time.Time) time.Time {
	at, err1 := s.clock()
	loc, err2 := s.location()
	if err1 != nil || err2 != nil {
		return time.Time{}
	}
	start := s.periodStart(after, loc)
	for range 3 {
		if t := sendTime(start, at, loc); t.After(after) {
			return t
		}
		start = s.nextPeriod(start)
	}
	return time.Time{}
}

// Range is the period a report sent at due covers: the previous full day,
// week or month.
func (s Schedule) Range(due time.Time) (from, to time.Time) {
	loc, err := s.location()
	if err != nil {
		loc = time.UTC
	}
	to = s.periodStart(due, loc)
	switch s.Period {
	case "week":
		from = to.AddDate(0, 0, -7)
	case "month":
		from = to.AddDate(0, -1, 0)
	default:
		from = to.AddDate(0, 0, -1)
	}
	return from, to
}

// Clock is the scheduler's time source, a fake one in tests.
type Clock interface {
	Now() time.Time
	// After sends once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Source builds reports; *Builder is one.
type Source interface {
	Report(ctx context.Context, mapName, device string, from, to time.Time) (Report, error)
}

// Scheduler builds each scheduled report when it is due and hands it to
// Send, which the server wires to the notifiers.
type Scheduler struct {
	// Schedules returns the current list, so edits to config.yaml apply
	// at the next due time.
	Schedules func() []Schedule
	Reports   Source
	// Send delivers one report.
	Send func(ctx context.Context, s Schedule, r Report) error
	// Clock is nil for the real one.
	Clock  Clock
	Logger *slog.Logger
}

// maxWait bounds one sleep, so a changed schedule list or a clock jump is
// noticed within the hour.
const maxWait = time.Hour

// Run sends reports until ctx ends. A report whose due time passed while
// the server was not running is not sent late; after a long sleep (a
// suspended machine) only the latest due report of each schedule is sent.
func (sc *Scheduler) Run(ctx context.Context) error {
	clock := sc.Clock
	if clock == nil {
		clock = realClock{}
	}
	log := sc.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	last := clock.Now()
	for {
		next := time.Time{}
		for _, s := range sc.Schedules() {
			if n := s.Next(last); !n.IsZero() && (next.IsZero() || n.Before(next)) {
				next = n
			}
		}
		wait := maxWait
		if !next.IsZero() {
			wait = min(max(next.Sub(clock.Now()), 0), maxWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(wait):
		}
		now := clock.Now()
		for _, s := range sc.Schedules() {
			due := s.Next(last)
			if due.IsZero() || due.After(now) {
				continue
			}
			for n := s.Next(due); !n.IsZero() && !n.After(now); n = s.Next(n) {
				due = n
			}
			if err := sc.RunOnce(ctx, s, due); err != nil {
				log.Error("scheduled report failed", "report", s.Name, "due", due, "err", err)
			} else {
				log.Info("scheduled report sent", "report", s.Name, "due", due)
			}
		}
		last = now
	}
}

// RunOnce builds the report s sends at due and sends it.
func (sc *Scheduler) RunOnce(ctx context.Context, s Schedule, due time.Time) error {
	from, to := s.Range(due)
	r, err := sc.Reports.Report(ctx, s.Map, s.Device, from, to)
	if err != nil {
		return fmt.Errorf("report %s: %w", s.Name, err)
	}
	if err := sc.Send(ctx, s, r); err != nil {
		return fmt.Errorf("report %s: send: %w", s.Name, err)
	}
	return nil
}
