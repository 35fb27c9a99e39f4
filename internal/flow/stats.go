package flow

import (
	"maps"
	"slices"
)

// Stats are the collector's totals since it was built, for
// /api/v1/flows/about and /metrics.
type Stats struct {
	// Packets are datagrams (and IPFIX TCP messages) decoded; Records the
	// flow records they gave.
	Packets uint64 `json:"packets"`
	Records uint64 `json:"records"`
	// Errors counts datagrams with anything wrong: Malformed ones gave
	// nothing (bad header, unknown format), the rest lost a set or sample.
	Errors    uint64 `json:"errors"`
	Malformed uint64 `json:"malformed"`
	// TemplateMisses are data sets that arrived before their template;
	// WaitingForTemplate of them are held now; PendingDropped were dropped
	// when held too long or too many.
	TemplateMisses     uint64 `json:"template_misses"`
	WaitingForTemplate int    `json:"waiting_for_template"`
	PendingDropped     uint64 `json:"pending_dropped"`
	// QueueWaits counts datagrams a reader had to wait to hand over
	// because the decoding workers were behind (a sign of load, not loss);
	// SocketDrops are datagrams the kernel dropped because the socket
	// buffer was full (Linux: /proc/net/udp drops): the collector's loss.
	QueueWaits  uint64 `json:"queue_waits"`
	SocketDrops uint64 `json:"socket_drops"`
	// CounterSamples are sFlow interface counter samples.
	CounterSamples uint64 `json:"counter_samples"`
	Exporters      int    `json:"exporters"`
	Templates      int    `json:"templates"`
}

// Stats returns the totals now.
func (c *Collector) Stats() Stats {
	s := Stats{
		Packets: c.n.packets.Load(), Records: c.n.records.Load(),
		Malformed: c.n.malformed.Load(), QueueWaits: c.n.queueWaits.Load(),
		CounterSamples: c.n.counterSamples.Load(),
	}
	s.Errors = s.Malformed + c.n.decodeErrors.Load()
	c.mu.RLock()
	es := slices.Collect(maps.Values(c.exporters))
	c.mu.RUnlock()
	s.Exporters = len(es)
	for _, e := range es {
		e.mu.Lock()
		s.TemplateMisses += e.stats.templateMisses
		s.WaitingForTemplate += len(e.pending.sets)
		s.PendingDropped += e.stats.pendingDropped
		s.Templates += len(e.templates)
		e.mu.Unlock()
	}
	s.SocketDrops = c.socketDrops()
	return s
}
