package flow

// seqKey is one sequence-number space: a format and the domain within the
// exporter that numbers its datagrams (v9 source id, IPFIX observation
// domain, v5/v7 engine, sFlow agent and sub-agent).
type seqKey struct {
	version string
	domain  uint32
	agent   string // sFlow: agent address, as one sender may relay several
}

// seqState follows one sequence space. Each format counts differently
// (v5/v7 flows, v9 datagrams, IPFIX data records, sFlow datagrams), so the
// caller says by how much this datagram advances it.
type seqState struct {
	next  uint32
	valid bool
}

// observe checks seq against the expected value and returns how many
// units were skipped (lost) before it. A sequence that goes backwards is a
// restart or a reordered datagram: it resynchronises without counting.
func (s *seqState) observe(seq, advance uint32) (lost uint32) {
	if s.valid {
		if d := seq - s.next; d != 0 && d < 1<<31 {
			lost = d
		}
	}
	s.next, s.valid = seq+advance, true
	return lost
}
