package chart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// DefaultPoints is the point budget of a chart that asks for none: about
// one point per pixel of a strip chart.
const DefaultPoints = 600

// MaxPoints caps the budget so one request cannot ask for a year of raw
// points.
const MaxPoints = 20000

// Chart is one series over a time range at one resolution.
type Chart struct {
	Series
	// Resolution is the stored resolution the points come from.
	Resolution Resolution
	// Step is the width of each point: the roll-up's bucket, or the
	// bucket raw points were merged into to fit the budget; 0 for raw
	// points as polled.
	Step   time.Duration
	From   time.Time
	To     time.Time
	Points []Point
}

// MarshalJSON gives the step in seconds, which JavaScript charts want.
func (c Chart) MarshalJSON() ([]byte, error) {
	pts := c.Points
	if pts == nil {
		pts = []Point{}
	}
	return json.Marshal(struct {
		Series
		Resolution Resolution `json:"resolution"`
		StepS      float64    `json:"step_s"`
		From       time.Time  `json:"from"`
		To         time.Time  `json:"to"`
		Points     []Point    `json:"points"`
	}{c.Series, c.Resolution, c.Step.Seconds(), c.From, c.To, pts})
}

// PickResolution is the finest resolution that fits: its points over
// [from, to] do not exceed about points, and retention still keeps its
// data for from at now. Raw is picked while the range is short enough
// that 5-minute buckets would give fewer points than asked (raw points
// beyond the budget are merged by Query). When nothing fits, the coarsest
// resolution still holding from, else the one kept longest.
func PickResolution(from, to time.Time, points int, retention Policy, now time.Time) Resolution {
	points = budget(points)
	span := to.Sub(from)
	if span < 0 {
		span = 0
	}
	fits := func(r Resolution) bool {
		step := r.Step()
		if r == Raw {
			step = FiveMinutes.Step()
			return span/step < time.Duration(points)
		}
		// Allow a little slack: "about" points.
		return int64(span/step) <= int64(points)+int64(points)/4
	}
	for _, r := range Resolutions() {
		if fits(r) && retention.Covers(r, from, now) {
			return r
		}
	}
	for i := len(Resolutions()) - 1; i >= 0; i-- {
		if r := Resolutions()[i]; retention.Covers(r, from, now) {
			return r
		}
	}
	best := Raw
	for _, r := range Resolutions() {
		if forever(retention.Keep(r)) >= forever(retention.Keep(best)) {
			best = r
		}
	}
	return best
}

func budget(points int) int {
	switch {
	case points <= 0:
		return DefaultPoints
	case points > MaxPoints:
		return MaxPoints
	}
	return points
}

// Querier answers chart queries: it picks each series' resolution from
// its retention policy and the range, reads the backend and merges points
// down to the budget.
type Querier struct {
	Backend Backend
	// Retention is the current policy set; nil uses DefaultPolicies.
	Retention func() Policies
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// Query reads one series over [from, to] with about points points
// (0: DefaultPoints) at the resolution PickResolution chooses.
func (q Querier) Query(ctx context.Context, s Series, from, to time.Time, points int) (Chart, error) {
	if err := checkRange(from, to); err != nil {
		return Chart{}, err
	}
	pol := DefaultPolicies()
	if q.Retention != nil {
		pol = q.Retention()
	}
	now := time.Now()
	if q.Now != nil {
		now = q.Now()
	}
	return q.QueryAt(ctx, s, PickResolution(from, to, points, pol.For(s), now), from, to, points)
}

// QueryAt reads one series at a resolution the caller chose, merging
// points down to about points when there are more.
func (q Querier) QueryAt(ctx context.Context, s Series, r Resolution, from, to time.Time, points int) (Chart, error) {
	if err := checkRange(from, to); err != nil {
		return Chart{}, err
	}
	if !r.Valid() {
		return Chart{}, fmt.Errorf("chart %s/%s: invalid resolution %d", s.Device, s.Dataset, int(r))
	}
	if q.Backend == nil {
		return Chart{}, errors.New("chart query: no backend")
	}
	pts, err := q.Backend.Query(ctx, s, r, r.Bucket(from), to)
	if err != nil {
		return Chart{}, fmt.Errorf("chart %s/%s at %s: %w", s.Device, s.Dataset, r, err)
	}
	c := Chart{Series: s, Resolution: r, Step: r.Step(), From: from, To: to, Points: pts}
	if n := budget(points); len(pts) > n+n/4 {
		c.Points, c.Step = Downsample(pts, from, to, n, r.Step())
	}
	return c, nil
}

func checkRange(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero():
		return errors.New("chart query: from and to are required")
	case to.Before(from):
		return fmt.Errorf("chart query: to (%s) is before from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return nil
}

// Downsample merges time-ordered points into about n buckets of equal,
// round width (at least minStep: 1m, 5m, 1h …) aligned on the Unix epoch,
// so the buckets stay put as a chart scrolls. A bucket keeps the lowest
// minimum, the highest maximum, the count-weighted average and the total
// count, so peaks survive. It returns the points and the width.
func Downsample(pts []Point, from, to time.Time, n int, minStep time.Duration) ([]Point, time.Duration) {
	if n <= 0 || len(pts) == 0 {
		return pts, minStep
	}
	if pts[0].Time.Before(from) {
		from = pts[0].Time
	}
	width := niceStep(max(time.Duration(math.Ceil(float64(to.Sub(from))/float64(n))), minStep))
	step := int64(width / time.Second)
	var out []Point
	var sum float64
	flush := func() {
		if len(out) > 0 {
			p := &out[len(out)-1]
			p.Avg = sum / float64(p.Count)
		}
	}
	for _, p := range pts {
		if p.Count <= 0 {
			continue
		}
		b := time.Unix(floorDiv(p.Time.Unix(), step), 0).UTC()
		if len(out) == 0 || !out[len(out)-1].Time.Equal(b) {
			flush()
			sum = 0
			out = append(out, Point{Time: b, Min: p.Min, Max: p.Max})
		}
		o := &out[len(out)-1]
		o.Min = math.Min(o.Min, p.Min)
		o.Max = math.Max(o.Max, p.Max)
		o.Count += p.Count
		sum += p.Avg * float64(p.Count)
	}
	flush()
	return out, width
}

// niceStep rounds d up to a step people read easily on a time axis.
func niceStep(d time.Duration) time.Duration {
	for _, s := range []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		day, 2 * day, week, 14 * day, 30 * day, 90 * day, 180 * day, year,
	} {
		if d <= s {
			return s
		}
	}
	return time.Duration(math.Ceil(float64(d)/float64(year))) * year
}
