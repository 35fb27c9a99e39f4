package flow

import (
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"
)

// exporter is everything known about one exporting address: its
// templates, samplers and interface names, sequence numbers and counts.
// Its mutex serialises the decoding of its datagrams.
type exporter struct {
	mu   sync.Mutex
	addr netip.Addr

	firstSeen, lastSeen time.Time
	versions            map[string]*versionStats
	seqs                map[seqKey]*seqState
	templates           map[tmplKey]*template
	pending             pendingQueue
	sampling            sampling
	ifNames             map[uint32]InterfaceName
	counters            map[uint32]InterfaceCounters
	stats               exporterStats

	// logged and unlogged rate-limit the per-exporter error log line.
	logged   time.Time
	unlogged uint64
}

type versionStats struct {
	packets, records uint64
	lost, gaps       uint64
	lastSeen         time.Time
}

type exporterStats struct {
	malformed      uint64 // datagrams that could not be parsed at all
	decodeErrors   uint64 // sets or samples inside a datagram that failed
	templateMisses uint64 // data sets that arrived before their template
	replayed       uint64 // of those, decoded once the template came
	pendingDropped uint64 // of those, dropped when held too long or too many
	badTemplates   uint64 // templates refused (records of zero bytes)
	eventsSkipped  uint64 // NSEL events without bytes (flow created, denied)
	lastError      string
}

func newExporter(addr netip.Addr) *exporter {
	return &exporter{
		addr:      addr,
		versions:  map[string]*versionStats{},
		seqs:      map[seqKey]*seqState{},
		templates: map[tmplKey]*template{},
		sampling:  sampling{bySampler: map[samplerKey]uint32{}, byDomain: map[uint32]uint32{}},
		ifNames:   map[uint32]InterfaceName{},
		counters:  map[uint32]InterfaceCounters{},
	}
}

func (e *exporter) version(name string) *versionStats {
	v, ok := e.versions[name]
	if !ok {
		v = &versionStats{}
		e.versions[name] = v
	}
	return v
}

// sequence records a datagram's sequence number in its space and counts
// the units lost before it under the version.
func (e *exporter) sequence(k seqKey, seq, advance uint32) {
	s, ok := e.seqs[k]
	if !ok {
		s = &seqState{}
		e.seqs[k] = s
	}
	if lost := s.observe(seq, advance); lost > 0 {
		v := e.version(k.version)
		v.lost += uint64(lost)
		v.gaps++
	}
}

// resync forgets where a sequence space was, after a datagram whose
// advance could not be known (IPFIX sets waiting for their template).
func (e *exporter) resync(k seqKey) {
	if s, ok := e.seqs[k]; ok {
		s.valid = false
	}
}

// ExporterInfo is one exporter as GET /api/v1/flows/exporters shows it.
type ExporterInfo struct {
	Address string `json:"address"`
	// Versions maps each export format seen ("netflow5", "ipfix",
	// "sflow5" …) to the records received in it.
	Versions map[string]uint64 `json:"versions"`
	Records  uint64            `json:"records"`
	Packets  uint64            `json:"packets"`
	// Formats has the per-format detail: datagrams, records, sequence
	// gaps and the units lost in them.
	Formats   []FormatInfo `json:"formats"`
	FirstSeen time.Time    `json:"first_seen"`
	LastSeen  time.Time    `json:"last_seen"`
	// Templates are the v9/IPFIX templates known now.
	Templates []TemplateInfo `json:"templates"`
	// SamplingRates are the options-data rates: "domain/sampler" or
	// "domain" → 1-in-N.
	SamplingRates map[string]uint32 `json:"sampling_rates,omitempty"`
	// Interfaces are names from options data, by ifIndex.
	Interfaces map[string]InterfaceName `json:"interfaces,omitempty"`

	Malformed          uint64 `json:"malformed"`
	DecodeErrors       uint64 `json:"decode_errors"`
	TemplateMisses     uint64 `json:"template_misses"`
	WaitingForTemplate int    `json:"waiting_for_template"`
	Replayed           uint64 `json:"replayed"`
	PendingDropped     uint64 `json:"pending_dropped"`
	BadTemplates       uint64 `json:"bad_templates,omitempty"`
	EventsSkipped      uint64 `json:"events_skipped,omitempty"`
	LastError          string `json:"last_error,omitempty"`
}

// FormatInfo is one export format's counts at one exporter. Lost is in
// the format's sequence unit: flows for v5/v7, datagrams for v9 and sFlow,
// data records for IPFIX.
type FormatInfo struct {
	Version  string    `json:"version"`
	Packets  uint64    `json:"packets"`
	Records  uint64    `json:"records"`
	Gaps     uint64    `json:"sequence_gaps"`
	Lost     uint64    `json:"lost"`
	LastSeen time.Time `json:"last_seen"`
}

func (e *exporter) info() ExporterInfo {
	in := ExporterInfo{
		Address: e.addr.String(), Versions: map[string]uint64{},
		FirstSeen: e.firstSeen, LastSeen: e.lastSeen, Templates: e.templateInfos(),
		Malformed: e.stats.malformed, DecodeErrors: e.stats.decodeErrors,
		TemplateMisses: e.stats.templateMisses, WaitingForTemplate: len(e.pending.sets),
		Replayed: e.stats.replayed, PendingDropped: e.stats.pendingDropped,
		BadTemplates: e.stats.badTemplates, EventsSkipped: e.stats.eventsSkipped, LastError: e.stats.lastError,
	}
	for _, name := range slices.Sorted(maps.Keys(e.versions)) {
		v := e.versions[name]
		in.Versions[name] = v.records
		in.Records += v.records
		in.Packets += v.packets
		in.Formats = append(in.Formats, FormatInfo{Version: name, Packets: v.packets, Records: v.records, Gaps: v.gaps, Lost: v.lost, LastSeen: v.lastSeen})
	}
	if len(e.sampling.bySampler)+len(e.sampling.byDomain) > 0 {
		in.SamplingRates = map[string]uint32{}
		for k, r := range e.sampling.bySampler {
			in.SamplingRates[strconv.FormatUint(uint64(k.Domain), 10)+"/"+strconv.FormatUint(k.Sampler, 10)] = r
		}
		for d, r := range e.sampling.byDomain {
			in.SamplingRates[strconv.FormatUint(uint64(d), 10)] = r
		}
	}
	if len(e.ifNames) > 0 {
		in.Interfaces = map[string]InterfaceName{}
		for i, n := range e.ifNames {
			in.Interfaces[strconv.FormatUint(uint64(i), 10)] = n
		}
	}
	return in
}
