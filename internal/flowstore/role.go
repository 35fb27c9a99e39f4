package flowstore

import "net/netip"

// endpoint is one side of a session.
type endpoint struct {
	addr netip.Addr
	port uint16
}

func (e endpoint) less(o endpoint) bool {
	if c := e.addr.Compare(o.addr); c != 0 {
		return c < 0
	}
	return e.port < o.port
}

// tuple names a session independently of direction: a is the smaller
// endpoint.
type tuple struct {
	a, b  endpoint
	proto uint8
}

// side says which end of a tuple: sideA, sideB, or sideNone when unknown.
type side uint8

const (
	sideNone side = iota
	sideA
	sideB
)

// makeTuple orders src and dst; the side returned is the source's.
func makeTuple(src, dst endpoint, proto uint8) (tuple, side) {
	if !hasPorts(proto) {
		src.port, dst.port = 0, 0
	}
	if dst.less(src) {
		return tuple{a: dst, b: src, proto: proto}, sideB
	}
	return tuple{a: src, b: dst, proto: proto}, sideA
}

// isClientSYN says whether TCP flags show the sender opening a
// connection: SYN without ACK.
func isClientSYN(proto, flags uint8) bool {
	return proto == 6 && flags&0x02 != 0 && flags&0x10 == 0
}

// clientSide applies the client/server rule (InterMapper Flows' rule,
// with TCP flags first):
//  1. a side that sent SYN without ACK is the client;
//  2. a side using a listed server port is the server (when only one does);
//  3. otherwise the side with the lower port is the server;
//  4. with equal ports, or a protocol without ports, the side that sent
//     the first record seen is the client.
func clientSide(t tuple, syn, first side, ports Ports) side {
	if syn != sideNone {
		return syn
	}
	if hasPorts(t.proto) {
		as, bs := ports.IsServer(t.a.port), ports.IsServer(t.b.port)
		switch {
		case as && !bs:
			return sideB
		case bs && !as:
			return sideA
		case t.a.port < t.b.port:
			return sideB
		case t.b.port < t.a.port:
			return sideA
		}
	}
	if first == sideNone {
		return sideA
	}
	return first
}
