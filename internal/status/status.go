// Package status defines device status levels, their ordering and the result
// of one poll, shared by probes, the poller, the event log and the API.
package status

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Level is a device or map status. Levels are ordered from best to worst so
// that the worst of several is simply the maximum; Unknown sorts below OK
// because a device that is not polled yet says nothing bad about a map.
type Level int

// Status levels, best to worst.
const (
	Unknown Level = iota
	OK
	Warning
	Alarm
	Critical
	Down
)

var names = [...]string{"unknown", "ok", "warning", "alarm", "critical", "down"}

// String returns the API spelling: ok, warning, alarm, critical, down, unknown.
func (l Level) String() string {
	if l < Unknown || l > Down {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return names[l]
}

// EventKind is the capitalised event-log tag for a change into this level.
func (l Level) EventKind() string {
	if l == OK {
		return "UP"
	}
	return strings.ToUpper(l.String())
}

// Parse reads a level name, case-insensitively; "up" and "okay" mean ok.
func Parse(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ok", "up", "okay":
		return OK, nil
	case "warning", "warn":
		return Warning, nil
	case "alarm", "alrm":
		return Alarm, nil
	case "critical", "crit":
		return Critical, nil
	case "down":
		return Down, nil
	case "unknown", "":
		return Unknown, nil
	}
	return Unknown, fmt.Errorf("unknown status %q (want ok, warning, alarm, critical, down or unknown)", s)
}

// MarshalText makes levels appear as their names in JSON and YAML.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Worst returns the most severe of the given levels (Unknown when none).
func Worst(levels ...Level) Level {
	w := Unknown
	for _, l := range levels {
		if l > w {
			w = l
		}
	}
	return w
}

// Result is what one poll of one target found.
type Result struct {
	// Level is the status the probe assigns from this poll alone.
	Level Level `json:"status"`
	// Reason explains Level in words a network administrator reads
	// ("RTT 412 ms > 300 ms warning threshold", "no reply to 3 pings").
	Reason string `json:"reason"`
	// NoResponse is set when the target did not answer at all, as opposed
	// to answering badly; the poller counts consecutive no-response polls
	// before declaring a device down.
	NoResponse bool `json:"no_response,omitempty"`
	// RTT is the response time, when one was measured.
	RTT time.Duration `json:"-"`
	// Values holds the probe's readings by name (rtt_ms, loss_pct, ttl,
	// banner, http_status, cert_days ...), shown in the status window.
	Values map[string]any `json:"values,omitempty"`
	// Time is when the poll finished.
	Time time.Time `json:"time"`
	// Events are things the probe noticed that belong in the event log
	// even when the status does not change (an agent reboot, say).
	Events []Event `json:"events,omitempty"`
}

// Event is a probe's note for the event log.
type Event struct {
	// Kind is the event-log tag in capitals, e.g. REBOOT.
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// MarshalJSON adds rtt_ms alongside the other fields.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	out := struct {
		plain
		RTTms *float64 `json:"rtt_ms,omitempty"`
	}{plain: plain(r)}
	if r.RTT > 0 {
		v := float64(r.RTT.Microseconds()) / 1000
		out.RTTms = &v
	}
	return json.Marshal(out)
}
