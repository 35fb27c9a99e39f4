package trap

import (
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Stats are the receiver's counters since Start.
type Stats struct {
	// Datagrams read from the sockets (before any check).
	Datagrams uint64 `json:"datagrams"`
	// Dropped datagrams found the queue full.
	Dropped uint64 `json:"dropped"`
	// KernelDrops are datagrams the kernel dropped because the socket
	// receive buffer was full (Linux; 0 elsewhere).
	KernelDrops uint64 `json:"kernel_drops"`
	// Traps decoded (informs included), by version.
	Traps map[string]uint64 `json:"traps"`
	// Informs acknowledged.
	InformsAcked uint64 `json:"informs_acked"`
	// Deliveries to devices (a trap for two devices counts two).
	Delivered uint64 `json:"delivered"`
	// Unmatched traps went to no device.
	Unmatched uint64 `json:"unmatched"`
	// Discoveries are SNMPv3 engine-discovery requests answered.
	Discoveries uint64 `json:"discoveries"`
	// Errors counts rejected datagrams by reason: oversized, truncated,
	// malformed, version, not_trap, unknown_user, unknown_engine_id, auth,
	// decrypt.
	Errors map[string]uint64 `json:"errors"`
	// ReadBuffer is the socket receive buffer the kernel granted, in bytes
	// (of the first socket).
	ReadBuffer int `json:"read_buffer"`
}

// metrics counts in atomics (for Stats) and in Prometheus counters on the
// injected registry. No label names a sender: per-device detail belongs in
// the data, not in /metrics.
type metrics struct {
	datagrams, dropped, acked, delivered, unmatched, discoveries atomic.Uint64
	traps                                                        [3]atomic.Uint64 // 1, 2c, 3
	errors                                                       []atomic.Uint64  // by reasons index

	promDatagrams, promDropped, promAcked, promDelivered, promUnmatched, promDiscoveries prometheus.Counter
	promTraps, promErrors                                                                *prometheus.CounterVec
	promTrapsBy                                                                          [3]prometheus.Counter
	promErrorsBy                                                                         []prometheus.Counter
	promQueue                                                                            prometheus.GaugeFunc
	promKernelDrops                                                                      prometheus.CounterFunc
	collectors                                                                           []prometheus.Collector
	reg                                                                                  prometheus.Registerer
}

// versionIndex numbers "1", "2c" and "3" for the counters, -1 otherwise.
func versionIndex(v string) int {
	switch v {
	case "1":
		return 0
	case "2c":
		return 1
	case "3":
		return 2
	}
	return -1
}

func newMetrics(reg prometheus.Registerer, queueLen, kernelDrops func() float64) (*metrics, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vantage", Subsystem: "trap", Name: name, Help: help})
	}
	m := &metrics{
		errors:          make([]atomic.Uint64, len(reasons())),
		promDatagrams:   counter("datagrams_total", "UDP datagrams read by the trap receiver."),
		promDropped:     counter("dropped_total", "Datagrams dropped because the trap queue was full."),
		promAcked:       counter("informs_acknowledged_total", "Informs acknowledged with a Response PDU."),
		promDelivered:   counter("delivered_total", "Traps handed to devices (one per matching device)."),
		promUnmatched:   counter("unmatched_total", "Traps whose address matched no device."),
		promDiscoveries: counter("engine_discoveries_total", "SNMPv3 engine-discovery requests answered with a Report."),
		promTraps: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vantage", Subsystem: "trap",
			Name: "received_total", Help: "Traps and informs decoded, by SNMP version."}, []string{"version"}),
		promErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vantage", Subsystem: "trap",
			Name: "rejected_total", Help: "Datagrams rejected, by reason."}, []string{"reason"}),
		promQueue: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vantage", Subsystem: "trap",
			Name: "queue_length", Help: "Datagrams waiting for a trap worker."}, queueLen),
		promKernelDrops: prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "vantage", Subsystem: "trap",
			Name: "kernel_drops_total", Help: "Datagrams the kernel dropped because the trap socket's receive buffer was full."}, kernelDrops),
		reg: reg,
	}
	for i, v := range []string{"1", "2c", "3"} {
		m.promTrapsBy[i] = m.promTraps.WithLabelValues(v)
	}
	for _, r := range reasons() {
		m.promErrorsBy = append(m.promErrorsBy, m.promErrors.WithLabelValues(r.label))
	}
	m.collectors = []prometheus.Collector{m.promDatagrams, m.promDropped, m.promAcked, m.promDelivered,
		m.promUnmatched, m.promDiscoveries, m.promTraps, m.promErrors, m.promQueue, m.promKernelDrops}
	if reg == nil {
		return m, nil
	}
	for i, c := range m.collectors {
		if err := reg.Register(c); err != nil {
			for _, done := range m.collectors[:i] {
				reg.Unregister(done)
			}
			return nil, fmt.Errorf("trap metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors {
		m.reg.Unregister(c)
	}
}

func (m *metrics) datagram() { m.datagrams.Add(1); m.promDatagrams.Inc() }
func (m *metrics) drop()     { m.dropped.Add(1); m.promDropped.Inc() }
func (m *metrics) ack()      { m.acked.Add(1); m.promAcked.Inc() }
func (m *metrics) discovery() {
	m.discoveries.Add(1)
	m.promDiscoveries.Inc()
}
func (m *metrics) deliver(n int) {
	m.delivered.Add(uint64(n))
	m.promDelivered.Add(float64(n))
}
func (m *metrics) unmatch() { m.unmatched.Add(1); m.promUnmatched.Inc() }

func (m *metrics) trap(version string) {
	if i := versionIndex(version); i >= 0 {
		m.traps[i].Add(1)
		m.promTrapsBy[i].Inc()
	}
}

// reject counts a decode error under its reason.
func (m *metrics) reject(err error) string {
	i, label := reason(err)
	m.errors[i].Add(1)
	m.promErrorsBy[i].Inc()
	return label
}

func (m *metrics) stats() Stats {
	s := Stats{
		Datagrams: m.datagrams.Load(), Dropped: m.dropped.Load(), InformsAcked: m.acked.Load(),
		Delivered: m.delivered.Load(), Unmatched: m.unmatched.Load(), Discoveries: m.discoveries.Load(),
		Traps: map[string]uint64{}, Errors: map[string]uint64{},
	}
	for i, v := range []string{"1", "2c", "3"} {
		s.Traps[v] = m.traps[i].Load()
	}
	for i, r := range reasons() {
		s.Errors[r.label] = m.errors[i].Load()
	}
	return s
}
