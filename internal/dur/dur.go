// Package dur is the one duration type of settings, map files and API
// bodies: it reads durations the way people write them — Go's "90s",
// "1h30m", plus days, weeks and years ("90d", "2w", "1y30d"), a bare number
// of seconds (InterMapper's unit), "0" or "forever" for none — and writes
// them back as text, never as nanoseconds.
package dur

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Day, week and year lengths. A year is 365 days: retention periods and
// intervals do not need leap-year precision.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
	Year = 365 * Day
)

// Duration is a time.Duration with text encodings.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

const hint = "use e.g. 30s, 5m, 1h or 90d"

// Parse reads a duration; negative ones are refused.
func Parse(s string) (Duration, error) {
	in := strings.TrimSpace(s)
	switch strings.ToLower(in) {
	case "0", "forever":
		return 0, nil
	case "":
		return 0, fmt.Errorf("empty duration (%s)", hint)
	}
	if strings.TrimLeft(in, "0123456789") == "" {
		n, err := strconv.ParseInt(in, 10, 64)
		if err != nil || n > int64(math.MaxInt64/time.Second) {
			return 0, fmt.Errorf("invalid duration %q: out of range", s)
		}
		return Duration(time.Duration(n) * time.Second), nil
	}
	if in[0] == '-' {
		return 0, fmt.Errorf("invalid duration %q: must not be negative", s)
	}
	rest := strings.TrimPrefix(in, "+")
	var total int64
	for rest != "" {
		n := 0
		for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '.') {
			n++
		}
		if n == 0 {
			return 0, fmt.Errorf("invalid duration %q: expected a number at %q (%s)", s, rest, hint)
		}
		numText := rest[:n]
		rest = rest[n:]
		u := 0
		for u < len(rest) && !(rest[u] >= '0' && rest[u] <= '9' || rest[u] == '.') {
			u++
		}
		if u == 0 {
			return 0, fmt.Errorf("invalid duration %q: missing unit after %s (%s)", s, numText, hint)
		}
		unit, ok := units[rest[:u]]
		if !ok {
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (%s)", s, rest[:u], hint)
		}
		rest = rest[u:]
		v, err := scale(numText, unit)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", s, err)
		}
		if total > math.MaxInt64-v {
			return 0, fmt.Errorf("invalid duration %q: too long", s)
		}
		total += v
	}
	return Duration(total), nil
}

var units = map[string]time.Duration{
	"ns": time.Nanosecond, "us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": Day, "w": Week, "y": Year,
}

// scale multiplies a decimal number ("90", "1.5") by unit in integers, so
// that "1y" is exact, and reports overflow.
func scale(num string, unit time.Duration) (int64, error) {
	whole, frac, _ := strings.Cut(num, ".")
	if strings.Contains(frac, ".") || whole == "" && frac == "" {
		return 0, fmt.Errorf("bad number %q", num)
	}
	var w int64
	if whole != "" {
		var err error
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, fmt.Errorf("bad number %q", num)
		}
	}
	if w > math.MaxInt64/int64(unit) {
		return 0, errors.New("too long")
	}
	v := w * int64(unit)
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, fmt.Errorf("bad number %q", num)
		}
		add := int64(math.Round(f * float64(unit)))
		if v > math.MaxInt64-add {
			return 0, errors.New("too long")
		}
		v += add
	}
	return v, nil
}

// String writes whole years or days as "1y" or "90d", zero as "0", and
// anything else as Go does ("1m30s").
func (d Duration) String() string {
	v := time.Duration(d)
	switch {
	case v == 0:
		return "0"
	case v%Year == 0:
		return strconv.FormatInt(int64(v/Year), 10) + "y"
	case v%Day == 0:
		return strconv.FormatInt(int64(v/Day), 10) + "d"
	}
	return v.String()
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) {
	if d < 0 {
		return nil, fmt.Errorf("negative duration %s", time.Duration(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) {
	b, err := d.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON accepts text, a number of seconds, or "" for none (a
// blank form field).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration: want a string like \"5m\" or a number of seconds, got %s", b)
		}
		secs, err := n.Float64()
		if err != nil || secs < 0 || secs > float64(math.MaxInt64/time.Second) {
			return fmt.Errorf("duration: %s seconds is out of range", n)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	if strings.TrimSpace(s) == "" {
		*d = 0
		return nil
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalYAML writes the duration as a plain string.
func (d Duration) MarshalYAML() (any, error) {
	b, err := d.MarshalText()
	return string(b), err
}

// UnmarshalYAML reads any scalar ("day: 0" is an integer to YAML); errors
// name the line.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration must be a single value like 30s, 5m or 90d", n.Line)
	}
	v, err := Parse(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}
