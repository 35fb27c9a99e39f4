package chart

import (
	"fmt"
	"time"
)

// Resolutions lists the stored resolutions, finest first, for loops that
// visit each of them (writing roll-ups, pruning, picking a chart's).
func Resolutions() []Resolution { return []Resolution{Raw, FiveMinutes, Hour, Day} }

// Step is the width of one roll-up bucket; 0 for raw points, whose spacing
// is the poll interval and not known here.
func (r Resolution) Step() time.Duration {
	switch r {
	case FiveMinutes:
		return 5 * time.Minute
	case Hour:
		return time.Hour
	case Day:
		return 24 * time.Hour
	}
	return 0
}

// Bucket is the start of the bucket holding t, in UTC. Buckets are aligned
// on the Unix epoch, so daily buckets run from midnight UTC: servers in
// different time zones sharing a central database agree on them. Raw
// points keep their time, truncated to the second as they are stored.
func (r Resolution) Bucket(t time.Time) time.Time {
	step := r.Step()
	if step == 0 {
		return t.Truncate(time.Second).UTC()
	}
	return time.Unix(floorDiv(t.Unix(), int64(step/time.Second)), 0).UTC()
}

// BucketUnix is Bucket in Unix seconds, for backends that store seconds.
func (r Resolution) BucketUnix(sec int64) int64 {
	step := int64(r.Step() / time.Second)
	if step == 0 {
		return sec
	}
	return floorDiv(sec, step)
}

// floorDiv rounds sec down to a multiple of step, also before 1970.
func floorDiv(sec, step int64) int64 {
	q := sec / step
	if sec%step != 0 && sec < 0 {
		q--
	}
	return q * step
}

// String is the resolution's name in the API: raw, 5m, 1h or 1d.
func (r Resolution) String() string {
	switch r {
	case Raw:
		return "raw"
	case FiveMinutes:
		return "5m"
	case Hour:
		return "1h"
	case Day:
		return "1d"
	}
	return fmt.Sprintf("Resolution(%d)", int(r))
}

// Valid reports whether r is one of the stored resolutions.
func (r Resolution) Valid() bool { return r >= Raw && r <= Day }

// ParseResolution reads a resolution as the API names it (raw, 5m, 1h,
// 1d), so a client can force one instead of letting the range pick.
func ParseResolution(s string) (Resolution, error) {
	for _, r := range Resolutions() {
		if s == r.String() {
			return r, nil
		}
	}
	return Raw, fmt.Errorf("unknown resolution %q (want raw, 5m, 1h or 1d)", s)
}

// MarshalText names the resolution in JSON and YAML.
func (r Resolution) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("invalid resolution %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads a resolution name.
func (r *Resolution) UnmarshalText(b []byte) error {
	v, err := ParseResolution(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
