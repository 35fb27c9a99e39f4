package poller

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	polls    *prometheus.CounterVec
	overruns prometheus.Counter
	panics   prometheus.Counter
	duration prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, p *Poller) (*metrics, error) {
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "vantage", Subsystem: "poller", Name: "polls_total",
			Help: "Polls finished, by whether the target answered.",
		}, []string{"result"}),
		overruns: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "vantage", Subsystem: "poller", Name: "overruns_total",
			Help: "Polls skipped because the previous poll of the same job was still running.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "vantage", Subsystem: "poller", Name: "probe_panics_total",
			Help: "Probe panics recovered by the poller.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "vantage", Subsystem: "poller", Name: "poll_duration_seconds",
			Help:    "Time taken by one poll.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 3, 10, 30},
		}),
	}
	if reg == nil {
		return m, nil
	}
	gauge := func(name, help string, f func(Stats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vantage", Subsystem: "poller", Name: name, Help: help},
			func() float64 { return float64(f(p.Stats())) })
	}
	for _, c := range []prometheus.Collector{m.polls, m.overruns, m.panics, m.duration,
		gauge("jobs", "Distinct poll jobs (identical devices share one).", func(s Stats) int { return s.Jobs }),
		gauge("in_flight", "Polls running now.", func(s Stats) int { return s.InFlight }),
		gauge("queue_depth", "Polls due but waiting for a free slot.", func(s Stats) int { return s.Queued }),
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register poller metrics: %w", err)
		}
	}
	m.polls.WithLabelValues("answered")
	m.polls.WithLabelValues("no_response")
	return m, nil
}
