// Package eventlog writes the event log (DIR/logs/event.log) — one line per
// device state change, trap, notification or server event — rotates it by
// size, and reads it back for the API.
package eventlog

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Event is one event-log line.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`
	Map     string    `json:"map,omitempty"`
	Device  string    `json:"device,omitempty"`
	Message string    `json:"message"`
}

// Well-known kinds besides the status levels' own (DOWN, UP, WARNING ...).
const (
	KindStart = "START"
	KindStop  = "STOP"
	KindMap   = "MAP"
	KindError = "ERROR"
	KindInfo  = "INFO"
)

// timeLayout is RFC 3339 in UTC with milliseconds: sortable, unambiguous,
// and parsed by every log tool.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// deviceSep ends the map:device part. Names may contain spaces, so the
// separator is what makes a line parse back unambiguously (InterMapper
// writes "fullname:: message" for the same reason).
const deviceSep = " :: "

// Format renders e as one line without the newline:
//
//	2026-11-21T23:47:16.123Z DOWN Campus:gw :: no reply to 3 pings (was up for 5 minutes)
//	2026-11-21T23:47:16.123Z START Vantage 0.1.0 started
func Format(e Event) string {
	var b strings.Builder
	b.WriteString(e.Time.UTC().Format(timeLayout))
	b.WriteByte(' ')
	b.WriteString(e.Kind)
	b.WriteByte(' ')
	if e.Map != "" || e.Device != "" {
		b.WriteString(clean(e.Map))
		b.WriteByte(':')
		b.WriteString(clean(e.Device))
		b.WriteString(deviceSep)
	}
	b.WriteString(clean(e.Message))
	return b.String()
}

// clean keeps one event on one line.
func clean(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// ErrBadLine is returned by Parse for a line that is not an event.
var ErrBadLine = errors.New("not an event-log line")

// Parse reads a line written by Format.
func Parse(line string) (Event, error) {
	ts, rest, ok := strings.Cut(line, " ")
	if !ok {
		return Event{}, fmt.Errorf("%w: no kind", ErrBadLine)
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Event{}, fmt.Errorf("%w: timestamp: %v", ErrBadLine, err)
	}
	kind, rest, _ := strings.Cut(rest, " ")
	if kind == "" || strings.ToUpper(kind) != kind {
		return Event{}, fmt.Errorf("%w: kind %q is not in capitals", ErrBadLine, kind)
	}
	e := Event{Time: t, Kind: kind, Message: rest}
	if who, msg, ok := strings.Cut(rest, deviceSep); ok {
		if m, d, ok := strings.Cut(who, ":"); ok {
			e.Map, e.Device, e.Message = m, d, msg
		}
	}
	return e, nil
}

// Duration renders how long a state lasted the way InterMapper's log does:
// "45 seconds", "3 minutes, 2 seconds", "1 hour, 0 minutes, 5 seconds",
// "2 days, 3 hours, 1 minute".
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	days, s := s/86400, s%86400
	hours, s := s/3600, s%3600
	mins, secs := s/60, s%60
	unit := func(n int64, name string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, name)
		}
		return fmt.Sprintf("%d %ss", n, name)
	}
	switch {
	case days > 0:
		return unit(days, "day") + ", " + unit(hours, "hour") + ", " + unit(mins, "minute")
	case hours > 0:
		return unit(hours, "hour") + ", " + unit(mins, "minute") + ", " + unit(secs, "second")
	case mins > 0:
		return unit(mins, "minute") + ", " + unit(secs, "second")
	}
	return unit(secs, "second")
}
