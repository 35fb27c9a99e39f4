package snmp

import (
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Stats are the client's counters since New.
type Stats struct {
	Requests, Timeouts, Errors uint64
	SessionsOpen, SessionsMax  int
	SingleOIDAgents            int
	// SessionsIdle are open sessions waiting for reuse (part of SessionsOpen).
	SessionsIdle int
	// Malformed counts answers and values the agent encoded wrongly.
	Malformed uint64
	// Fallbacks counts multi-OID requests redone one OID at a time.
	Fallbacks uint64
}

// Request kinds, the "type" label of vantage_snmp_requests_total.
const (
	kindGet     = "get"
	kindGetNext = "getnext"
	kindGetBulk = "getbulk"
)

type metrics struct {
	requests                                atomic.Uint64
	timeouts, errors, malformed, fallbacks  atomic.Uint64
	promRequests                            *prometheus.CounterVec
	promTimeouts, promErrors, promMalformed prometheus.Counter
	promFallbacks                           prometheus.Counter
	collectors                              []prometheus.Collector
	reg                                     prometheus.Registerer
}

func newMetrics(reg prometheus.Registerer, c *Client) (*metrics, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vantage", Subsystem: "snmp", Name: name, Help: help})
	}
	m := &metrics{
		promRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "vantage", Subsystem: "snmp", Name: "requests_total",
			Help: "SNMP requests sent (each retry not counted), by PDU type.",
		}, []string{"type"}),
		promTimeouts:  counter("timeouts_total", "SNMP requests the agent did not answer."),
		promErrors:    counter("errors_total", "SNMP requests that failed other than by a timeout (authentication, agent error status, malformed answer)."),
		promMalformed: counter("malformed_total", "Malformed SNMP answers or values, decoded without crashing."),
		promFallbacks: counter("single_oid_fallbacks_total", "Multi-OID requests redone one OID at a time because the agent answered them wrongly."),
		reg:           reg,
	}
	for _, k := range []string{kindGet, kindGetNext, kindGetBulk} {
		m.promRequests.WithLabelValues(k)
	}
	if reg == nil {
		return m, nil
	}
	gauge := func(name, help string, f func(Stats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vantage", Subsystem: "snmp", Name: name, Help: help},
			func() float64 { return float64(f(c.Stats())) })
	}
	cs := []prometheus.Collector{m.promRequests, m.promTimeouts, m.promErrors, m.promMalformed, m.promFallbacks,
		gauge("sessions_open", "SNMP sessions (UDP sockets) open, busy or idle.", func(s Stats) int { return s.SessionsOpen }),
		gauge("sessions_idle", "SNMP sessions open and waiting for reuse.", func(s Stats) int { return s.SessionsIdle }),
		gauge("single_oid_agents", "Agents learnt to need one OID per GetNext request.", func(s Stats) int { return s.SingleOIDAgents }),
	}
	for i, col := range cs {
		if err := reg.Register(col); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return nil, fmt.Errorf("register snmp metrics: %w", err)
		}
	}
	m.collectors = cs
	return m, nil
}

func (m *metrics) unregister() {
	for _, col := range m.collectors {
		m.reg.Unregister(col)
	}
	m.collectors = nil
}

func (m *metrics) request(kind string) {
	m.requests.Add(1)
	m.promRequests.WithLabelValues(kind).Inc()
}

func (m *metrics) timeout() {
	m.timeouts.Add(1)
	m.promTimeouts.Inc()
}

func (m *metrics) error() {
	m.errors.Add(1)
	m.promErrors.Inc()
}

func (m *metrics) malformedValue() {
	m.malformed.Add(1)
	m.promMalformed.Inc()
}

func (m *metrics) fallback() {
	m.fallbacks.Add(1)
	m.promFallbacks.Inc()
}
