package chart

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Day and year lengths for retention durations. A year is 365 days: a
// retention period does not need leap-year precision.
const (
	day  = 24 * time.Hour
	week = 7 * day
	year = 365 * day
)

// Duration is a retention period as written in config.yaml: a Go duration
// ("48h", "90m") or days, weeks and years ("90d", "2w", "1y", "1y30d"),
// which Go's time.ParseDuration lacks and retention needs. Zero means
// forever ("0" or "forever").
type Duration time.Duration

// D converts to a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Forever reports whether the period has no end.
func (d Duration) Forever() bool { return d == 0 }

// ParseDuration reads a retention period; see Duration.
func ParseDuration(s string) (Duration, error) {
	in := strings.TrimSpace(s)
	switch strings.ToLower(in) {
	case "0", "forever":
		return 0, nil
	case "":
		return 0, errors.New("empty duration (write 0 or forever for no limit)")
	}
	if in[0] == '-' {
		return 0, fmt.Errorf("duration %q: must not be negative", s)
	}
	rest := strings.TrimPrefix(in, "+")
	var total int64
	for rest != "" {
		n := 0
		for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '.') {
			n++
		}
		if n == 0 {
			return 0, fmt.Errorf("duration %q: expected a number at %q", s, rest)
		}
		numText := rest[:n]
		rest = rest[n:]
		u := 0
		for u < len(rest) && !(rest[u] >= '0' && rest[u] <= '9' || rest[u] == '.') {
			u++
		}
		if u == 0 {
			return 0, fmt.Errorf("duration %q: missing unit after %s (use s, m, h, d, w or y)", s, numText)
		}
		unit, ok := durationUnit(rest[:u])
		if !ok {
			return 0, fmt.Errorf("duration %q: unknown unit %q (use ns, us, ms, s, m, h, d, w or y)", s, rest[:u])
		}
		rest = rest[u:]
		v, err := scale(numText, unit)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		if total > math.MaxInt64-v {
			return 0, fmt.Errorf("duration %q: too long", s)
		}
		total += v
	}
	return Duration(total), nil
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

func durationUnit(u string) (time.Duration, bool) {
	switch u {
	case "ns":
		return time.Nanosecond, true
	case "us", "µs", "μs":
		return time.Microsecond, true
	case "ms":
		return time.Millisecond, true
	case "s":
		return time.Second, true
	case "m":
		return time.Minute, true
	case "h":
		return time.Hour, true
	case "d":
		return day, true
	case "w":
		return week, true
	case "y":
		return year, true
	}
	return 0, false
}

// String writes the period the way a person would: whole years or days
// when it is one ("1y", "90d"), "0" for forever, else a Go duration.
func (d Duration) String() string {
	v := time.Duration(d)
	switch {
	case v == 0:
		return "0"
	case v%year == 0:
		return strconv.FormatInt(int64(v/year), 10) + "y"
	case v%day == 0:
		return strconv.FormatInt(int64(v/day), 10) + "d"
	}
	return v.String()
}

// MarshalText writes the period for JSON and YAML.
func (d Duration) MarshalText() ([]byte, error) {
	if d < 0 {
		return nil, fmt.Errorf("negative duration %s", time.Duration(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads the period from JSON (a string) and other text.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalYAML reads the period from any YAML scalar, so that "day: 0"
// (an integer to YAML) works as well as "raw: 48h"; errors name the line.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration must be a single value like 48h, 90d or 1y", n.Line)
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}

// MarshalYAML writes the period as a plain string.
func (d Duration) MarshalYAML() (any, error) {
	b, err := d.MarshalText()
	return string(b), err
}
