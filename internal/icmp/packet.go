package icmp

import (
	"encoding/binary"
	"errors"
)

// ICMP message types used by the engine.
const (
	typeEchoReply4   = 0
	typeEchoRequest4 = 8
	typeEchoRequest6 = 128
	typeEchoReply6   = 129
)

// Layout of the echo payload. Every echo carries a tag of tagLen bytes at the
// start of its data: the engine's nonce, so that replies to other ping
// programs (or to another engine in this process, which shares the raw-mode
// ident) are told apart, and the send time, so that a late reply to an
// earlier echo that reused the same sequence number is not taken for the
// current one. The rest of the data is the caller's fill pattern.
const (
	icmpHeaderLen = 8
	nonceLen      = 8
	tagLen        = nonceLen + 8
)

// Parse errors, counted as invalid packets by the receive loop.
var (
	errShort        = errors.New("packet too short")
	errNotIPv4      = errors.New("not an IPv4 header")
	errBadHeaderLen = errors.New("bad IPv4 header length")
	errChecksum     = errors.New("bad ICMP checksum")
	errNotEchoReply = errors.New("not an echo reply")
)

// reply is what the receive loop learns from one echo reply.
type reply struct {
	ident uint16
	seq   uint16
	nonce [nonceLen]byte
	sent  uint64 // send time, nanoseconds since the engine's epoch
	ttl   int    // from the IPv4 header when present, else 0
	data  int    // ICMP data bytes
}

// parseReply decodes an echo reply as read from an ICMP socket. withIPHeader
// is true for raw IPv4 sockets, which deliver the IPv4 header; ping sockets
// and every IPv6 socket deliver the ICMP message alone. The IPv4 checksum is
// verified because raw sockets get packets before the kernel's ICMP layer
// checks them; the kernel always verifies ICMPv6 checksums itself.
// errNotEchoReply is not a malformed packet: raw sockets also see requests
// and errors when no filter could be attached.
func parseReply(b []byte, v6, withIPHeader bool) (reply, error) {
	var r reply
	if withIPHeader {
		if len(b) < 20 {
			return r, errShort
		}
		if b[0]>>4 != 4 {
			return r, errNotIPv4
		}
		hl := int(b[0]&0x0f) * 4
		if hl < 20 || hl > len(b) {
			return r, errBadHeaderLen
		}
		r.ttl = int(b[8])
		b = b[hl:]
	}
	if len(b) < icmpHeaderLen {
		return r, errShort
	}
	want := byte(typeEchoReply4)
	if v6 {
		want = typeEchoReply6
	}
	if b[0] != want || b[1] != 0 {
		return r, errNotEchoReply
	}
	if len(b) < icmpHeaderLen+tagLen {
		return r, errShort
	}
	if !v6 && checksum(b) != 0 {
		return r, errChecksum
	}
	r.ident = binary.BigEndian.Uint16(b[4:6])
	r.seq = binary.BigEndian.Uint16(b[6:8])
	copy(r.nonce[:], b[8:8+nonceLen])
	r.sent = binary.BigEndian.Uint64(b[8+nonceLen : 8+tagLen])
	r.data = len(b) - icmpHeaderLen
	return r, nil
}

// fillEcho builds an echo request in b (ICMP header plus data), with the
// nonce and the fill pattern in place; stampEcho fills in the rest for each
// echo. An empty pattern fills with zeros, as ping and fping do.
func fillEcho(b []byte, v6 bool, ident uint16, nonce [nonceLen]byte, pattern []byte) {
	clear(b)
	b[0] = typeEchoRequest4
	if v6 {
		b[0] = typeEchoRequest6
	}
	binary.BigEndian.PutUint16(b[4:6], ident)
	copy(b[8:], nonce[:])
	if len(pattern) > 0 {
		fill := b[icmpHeaderLen+tagLen:]
		for i := range fill {
			fill[i] = pattern[i%len(pattern)]
		}
	}
}

// stampEcho sets the sequence number and send time of an echo built by
// newEcho. The IPv4 checksum is ours to compute; for ICMPv6 the kernel
// computes it (it needs the pseudo-header), and ping sockets recompute it
// anyway after rewriting the ident.
func stampEcho(b []byte, v6 bool, seq uint16, sent uint64) {
	binary.BigEndian.PutUint16(b[6:8], seq)
	binary.BigEndian.PutUint64(b[8+nonceLen:8+tagLen], sent)
	b[2], b[3] = 0, 0
	if !v6 {
		binary.BigEndian.PutUint16(b[2:4], checksum(b))
	}
}

// checksum is the Internet checksum (RFC 1071). Over a message whose
// checksum field is filled in, it returns 0 when the message is intact.
func checksum(b []byte) uint16 {
	var s uint32
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}
