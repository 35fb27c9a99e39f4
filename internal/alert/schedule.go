package alert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is the weekly hours when a rule may send. The zero Schedule
// means always.
//
// Days is a list of day names or ranges ("mon-fri", "sat,sun", "fri-mon");
// empty means every day. Hours is a list of HH:MM-HH:MM ranges, start
// included and end excluded ("08:00-18:00", "00:00-24:00"); empty means the
// whole day. A range whose end is before its start runs overnight
// ("22:00-06:00"): its part after midnight belongs to the day it started,
// so "days: fri, hours: 22:00-06:00" covers Friday 22:00 to Saturday 06:00.
// Location is an IANA zone name ("Europe/Paris"); empty means the server's
// local time.
type Schedule struct {
	Days     string `yaml:"days,omitempty" json:"days,omitempty"`
	Hours    string `yaml:"hours,omitempty" json:"hours,omitempty"`
	Location string `yaml:"location,omitempty" json:"location,omitempty"`
}

// IsZero reports whether the schedule is "always".
func (s Schedule) IsZero() bool { return s.Days == "" && s.Hours == "" && s.Location == "" }

// span is a range of minutes of the day; end <= start runs overnight.
type span struct{ start, end int }

// schedule is a parsed Schedule.
type schedule struct {
	always bool
	days   [7]bool // indexed by time.Weekday
	spans  []span
	loc    *time.Location
}

// fields splits a list on commas and blanks.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
}

func parseDay(s string) (time.Weekday, error) {
	switch strings.ToLower(s) {
	case "sun", "sunday":
		return time.Sunday, nil
	case "mon", "monday":
		return time.Monday, nil
	case "tue", "tuesday":
		return time.Tuesday, nil
	case "wed", "wednesday":
		return time.Wednesday, nil
	case "thu", "thursday":
		return time.Thursday, nil
	case "fri", "friday":
		return time.Friday, nil
	case "sat", "saturday":
		return time.Saturday, nil
	}
	return 0, fmt.Errorf("%q is not a day (mon, tue, … sun)", s)
}

// parseClock reads HH:MM, 00:00 to 24:00, as minutes of the day.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return hh*60 + mm, nil
}

// compile checks and parses the schedule.
func (s Schedule) compile() (*schedule, error) {
	c := &schedule{always: s.IsZero(), loc: time.Local}
	if s.Location != "" {
		loc, err := time.LoadLocation(s.Location)
		if err != nil {
			return nil, fmt.Errorf("location: %w", err)
		}
		c.loc = loc
	}
	days := fields(s.Days)
	if len(days) == 0 {
		c.days = [7]bool{true, true, true, true, true, true, true}
	}
	for _, d := range days {
		a, b, isRange := strings.Cut(d, "-")
		from, err := parseDay(a)
		if err != nil {
			return nil, fmt.Errorf("days: %w", err)
		}
		to := from
		if isRange {
			if to, err = parseDay(b); err != nil {
				return nil, fmt.Errorf("days: %w", err)
			}
		}
		for w := from; ; w = (w + 1) % 7 {
			c.days[w] = true
			if w == to {
				break
			}
		}
	}
	hours := fields(s.Hours)
	if len(hours) == 0 {
		c.spans = []span{{0, 24 * 60}}
	}
	for _, h := range hours {
		a, b, ok := strings.Cut(h, "-")
		if !ok {
			return nil, fmt.Errorf("hours: %q is not a range HH:MM-HH:MM", h)
		}
		start, err := parseClock(a)
		if err != nil {
			return nil, fmt.Errorf("hours: %w", err)
		}
		end, err := parseClock(b)
		if err != nil {
			return nil, fmt.Errorf("hours: %w", err)
		}
		if start == end || start == 24*60 {
			return nil, fmt.Errorf("hours: %q is empty", h)
		}
		c.spans = append(c.spans, span{start, end})
	}
	return c, nil
}

// in reports whether t is inside the schedule.
func (c *schedule) in(t time.Time) bool {
	if c == nil || c.always {
		return true
	}
	t = t.In(c.loc)
	m := t.Hour()*60 + t.Minute()
	wd := t.Weekday()
	prev := (wd + 6) % 7
	for _, s := range c.spans {
		if s.start < s.end {
			if c.days[wd] && m >= s.start && m < s.end {
				return true
			}
			continue
		}
		// Overnight: the evening part on a listed day, the morning part
		// after a listed day.
		if (c.days[wd] && m >= s.start) || (c.days[prev] && m < s.end) {
			return true
		}
	}
	return false
}
