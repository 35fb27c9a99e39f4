package flow

import (
	"strings"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// Information elements carried in options data (IANA IPFIX registry; the
// low numbers are NetFlow v9's own).
const (
	ieIngressInterface       = 10
	ieSamplingInterval       = 34
	ieSamplerID              = 48
	ieSamplerRandomInterval  = 50
	ieInterfaceName          = 82
	ieInterfaceDescription   = 83
	ieSelectorID             = 302
	ieSelectorAlgorithm      = 304
	ieSamplingPacketInterval = 305
	ieSamplingPacketSpace    = 306
	ieSamplingSize           = 309
	ieSamplingPopulation     = 310

	// v9 options scope types (RFC 3954 6.1): scope 2 is an interface.
	v9ScopeInterface = 2
)

// samplerKey is one sampler (NetFlow v9 FLOW_SAMPLER_ID, IPFIX selectorId)
// of one observation domain.
type samplerKey struct {
	Domain  uint32 `json:"domain"`
	Sampler uint64 `json:"sampler"`
}

// sampling is what an exporter's options data said about its samplers.
type sampling struct {
	// bySampler maps a sampler to its 1-in-N rate.
	bySampler map[samplerKey]uint32
	// byDomain is a rate announced without a sampler id (one for the whole
	// observation domain).
	byDomain map[uint32]uint32
}

// InterfaceName is an interface's name and description from options data
// (IE 82/83 scoped by ifIndex).
type InterfaceName struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// rate resolves the sampling rate for a record that carried no rate of its
// own: its sampler's, else the domain's, else the one rate all the domain's
// samplers share; 0 when unknown.
func (s *sampling) rate(domain uint32, sampler uint64, hasSampler bool) uint32 {
	if hasSampler {
		if r, ok := s.bySampler[samplerKey{domain, sampler}]; ok {
			return r
		}
	}
	if r, ok := s.byDomain[domain]; ok {
		return r
	}
	var only uint32
	for k, r := range s.bySampler {
		if k.Domain != domain {
			continue
		}
		if only != 0 && r != only {
			return 0
		}
		only = r
	}
	return only
}

// psamp holds the PSAMP sampling parameters of a record (RFC 5476).
type psamp struct {
	algorithm, interval, space, size, population uint64
}

// read keeps a PSAMP IE; it reports whether t was one.
func (p *psamp) read(t uint16, b []byte) bool {
	switch t {
	case ieSelectorAlgorithm:
		p.algorithm = beUint(b)
	case ieSamplingPacketInterval:
		p.interval = beUint(b)
	case ieSamplingPacketSpace:
		p.space = beUint(b)
	case ieSamplingSize:
		p.size = beUint(b)
	case ieSamplingPopulation:
		p.population = beUint(b)
	default:
		return false
	}
	return true
}

// rate turns the PSAMP parameters into a 1-in-N rate: count-based
// systematic sampling (algorithm 1) selects interval packets out of
// interval+space; random n-out-of-N (algorithm 3) selects size out of
// population. Without an algorithm, whichever pair is complete decides.
func (p psamp) rate() uint32 {
	random := p.size > 0 && p.population > 0
	switch {
	case random && (p.algorithm == 3 || p.algorithm == 4 || (p.algorithm == 0 && p.space == 0)):
		return clampRate(p.population / p.size)
	case p.interval > 0:
		return clampRate((p.interval + p.space) / p.interval)
	case random:
		return clampRate(p.population / p.size)
	}
	return 0
}

func clampRate(v uint64) uint32 {
	if v > 1<<31 {
		return 1 << 31
	}
	return uint32(v)
}

// applyOptions keeps what options records say about sampling and
// interface names. It reports whether the exporter's persisted state
// changed.
func (e *exporter) applyOptions(version uint16, domain uint32, recs []netflow.OptionsDataRecord) bool {
	changed := false
	for _, rec := range recs {
		var (
			sampler           uint64
			hasSampler, hasIf bool
			ifIndex           uint64
			rate              uint32
			ps                psamp
			name, descr       string
			hasName, hasDescr bool
		)
		read := func(v netflow.DataField, scope bool) {
			b, _ := v.Value.([]byte)
			if v.PenProvided {
				return
			}
			t := v.Type
			if ps.read(t, b) {
				return
			}
			if scope && version == 9 {
				if t == v9ScopeInterface {
					ifIndex, hasIf = beUint(b), true
				}
				return
			}
			switch t {
			case ieIngressInterface:
				ifIndex, hasIf = beUint(b), true
			case ieSamplerID, ieSelectorID:
				sampler, hasSampler = beUint(b), true
			case ieSamplingInterval, ieSamplerRandomInterval:
				if r := clampRate(beUint(b)); r > 0 {
					rate = r
				}
			case ieInterfaceName:
				name, hasName = cleanString(b), true
			case ieInterfaceDescription:
				descr, hasDescr = cleanString(b), true
			}
		}
		for _, v := range rec.ScopesValues {
			read(v, true)
		}
		for _, v := range rec.OptionsValues {
			read(v, false)
		}
		if rate == 0 {
			rate = ps.rate()
		}
		if rate > 0 {
			if hasSampler {
				k := samplerKey{domain, sampler}
				if e.sampling.bySampler[k] != rate {
					e.sampling.bySampler[k] = rate
					changed = true
				}
			} else if e.sampling.byDomain[domain] != rate {
				e.sampling.byDomain[domain] = rate
				changed = true
			}
		}
		if hasIf && (hasName || hasDescr) {
			n := e.ifNames[uint32(ifIndex)]
			if hasName {
				n.Name = name
			}
			if hasDescr {
				n.Description = descr
			}
			if e.ifNames[uint32(ifIndex)] != n {
				e.ifNames[uint32(ifIndex)] = n
				changed = true
			}
		}
	}
	return changed
}

// cleanString trims the NUL padding exporters put in fixed-size strings.
func cleanString(b []byte) string {
	return strings.TrimRight(strings.ToValidUTF8(string(b), ""), "\x00 ")
}
