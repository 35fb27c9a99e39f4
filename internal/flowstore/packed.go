package flowstore

// The builder's maps are keyed by flat byte arrays rather than by structs
// of netip.Addr: hashing and comparing a struct with pointer fields goes
// field by field, and at a million records a second that was half of the
// builder's time (BenchmarkBuilderCycling).

// packedTuple is a tuple as map key: a's address and port, b's, proto.
type packedTuple [16 + 2 + 16 + 2 + 1]byte

// packedKey is an openKey as map key: the exporter, then the tuple.
type packedKey [16 + len(packedTuple{})]byte

func (t tuple) pack() packedTuple {
	var p packedTuple
	a, b := t.a.addr.As16(), t.b.addr.As16()
	copy(p[0:16], a[:])
	p[16], p[17] = byte(t.a.port>>8), byte(t.a.port)
	copy(p[18:34], b[:])
	p[34], p[35] = byte(t.b.port>>8), byte(t.b.port)
	p[36] = t.proto
	return p
}

func (k openKey) pack() packedKey {
	var p packedKey
	e := k.exporter.As16()
	copy(p[0:16], e[:])
	t := k.t.pack()
	copy(p[16:], t[:])
	return p
}
