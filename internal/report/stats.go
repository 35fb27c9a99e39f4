package report

import (
	"math"
	"slices"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// Stats summarise one dataset over the period.
//
// Avg is the count-weighted mean of every reading; Min and Max are the
// lowest and highest single readings the roll-ups kept, so a short peak
// shows even in a month's report. P95 is the 95th percentile of the points'
// averages — of 5-minute averages whenever the period allows (see
// PointsFor), which is the convention of "95th percentile" billing: the
// peak left after dropping the busiest 5% of 5-minute intervals.
type Stats struct {
	Avg float64 `json:"avg"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	P95 float64 `json:"p95"`
	// Samples is how many readings are behind the figures.
	Samples int64 `json:"samples"`
	// Points is how many averages P95 is taken over, each Step wide (0:
	// raw readings as polled).
	Points int     `json:"points"`
	Step   Seconds `json:"step_s"`
}

// Summarize computes c's statistics; false when c has no usable point.
func Summarize(c chart.Chart) (Stats, bool) {
	st := Stats{Min: math.Inf(1), Max: math.Inf(-1), Step: Seconds(c.Step)}
	var sum float64
	avgs := make([]float64, 0, len(c.Points))
	for _, p := range c.Points {
		if !finite(p.Avg) || p.Count <= 0 {
			continue
		}
		lo, hi := p.Min, p.Max
		if !finite(lo) {
			lo = p.Avg
		}
		if !finite(hi) {
			hi = p.Avg
		}
		st.Min, st.Max = math.Min(st.Min, lo), math.Max(st.Max, hi)
		sum += p.Avg * float64(p.Count)
		st.Samples += p.Count
		avgs = append(avgs, p.Avg)
	}
	if len(avgs) == 0 {
		return Stats{}, false
	}
	st.Avg = sum / float64(st.Samples)
	st.P95 = Percentile(avgs, 95)
	st.Points = len(avgs)
	if st.Step == 0 && c.Resolution != chart.Raw {
		st.Step = Seconds(c.Resolution.Step())
	}
	return st, true
}

// Percentile is the nearest-rank p-th percentile of values (0 < p ≤ 100):
// the smallest value with at least p% of the values at or below it — for
// p = 95 over 8640 five-minute averages (30 days), the 8208th smallest.
// NaNs are ignored; the result is NaN for no values. values is not
// changed.
func Percentile(values []float64, p float64) float64 {
	v := make([]float64, 0, len(values))
	for _, x := range values {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 || p <= 0 || p > 100 {
		return math.NaN()
	}
	slices.Sort(v)
	rank := int(math.Ceil(p / 100 * float64(len(v))))
	return v[min(max(rank, 1), len(v))-1]
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
