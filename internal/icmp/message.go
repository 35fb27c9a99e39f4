package icmp

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// ICMP types a traceroute reads, besides the echo types in packet.go.
const (
	typeUnreachable4  = 3
	typeTimeExceeded4 = 11
	typeUnreachable6  = 1
	typeTimeExceeded6 = 3

	protoICMP   = 1
	protoUDP    = 17
	protoICMPv6 = 58
)

// Kind classifies a Message.
type Kind uint8

// Message kinds.
const (
	KindOther Kind = iota
	KindEchoReply
	KindTimeExceeded
	KindUnreachable
)

// errNotIPv6 is a quoted IPv6 datagram without the IPv6 version.
var errNotIPv6 = errors.New("not an IPv6 header")

// Message is what a traceroute learns from one ICMP packet: an echo reply
// (its ID and Seq), or an error (time exceeded, destination unreachable)
// and the start of the datagram it quotes, which tells which probe caused
// it. Other ICMP messages come back as KindOther with only Type and Code.
type Message struct {
	Kind       Kind
	Type, Code uint8
	// TTL is the outer IPv4 TTL when the IP header was read, else 0.
	TTL int
	// ID and Seq are the echo reply's, or the quoted echo request's.
	ID, Seq uint16
	// The quoted datagram, for errors: its addresses, protocol, and ports
	// when it is UDP.
	Src, Dst         netip.Addr
	Proto            uint8
	SrcPort, DstPort uint16
	// QuotedEcho is true when the quoted datagram is an echo request (ID
	// and Seq are then its own).
	QuotedEcho bool
}

// PortUnreachable reports whether m says the quoted datagram reached its
// destination, which had no socket on the port: the end of a UDP
// traceroute.
func (m Message) PortUnreachable(v6 bool) bool {
	if v6 {
		return m.Kind == KindUnreachable && m.Code == 4
	}
	return m.Kind == KindUnreachable && m.Code == 3
}

// ParseMessage decodes an ICMP packet as read from a raw socket:
// withIPHeader is true for raw IPv4 sockets, which deliver the IPv4 header.
// Errors must quote at least the quoted datagram's IP header and 8 bytes
// (RFC 792; RFC 4443 quotes more), enough for UDP ports or the echo ID and
// sequence number. It never panics on any input (see FuzzParseMessage).
func ParseMessage(b []byte, v6, withIPHeader bool) (Message, error) {
	var m Message
	if withIPHeader {
		if len(b) < 20 {
			return m, errShort
		}
		if b[0]>>4 != 4 {
			return m, errNotIPv4
		}
		hl := int(b[0]&0x0f) * 4
		if hl < 20 || hl > len(b) {
			return m, errBadHeaderLen
		}
		m.TTL = int(b[8])
		b = b[hl:]
	}
	if len(b) < icmpHeaderLen {
		return m, errShort
	}
	if !v6 && checksum(b) != 0 {
		return m, errChecksum
	}
	m.Type, m.Code = b[0], b[1]
	switch {
	case !v6 && m.Type == typeEchoReply4, v6 && m.Type == typeEchoReply6:
		m.Kind = KindEchoReply
		m.ID = binary.BigEndian.Uint16(b[4:6])
		m.Seq = binary.BigEndian.Uint16(b[6:8])
		return m, nil
	case !v6 && m.Type == typeTimeExceeded4, v6 && m.Type == typeTimeExceeded6:
		m.Kind = KindTimeExceeded
	case !v6 && m.Type == typeUnreachable4, v6 && m.Type == typeUnreachable6:
		m.Kind = KindUnreachable
	default:
		return m, nil
	}
	var err error
	if v6 {
		err = m.quoted6(b[icmpHeaderLen:])
	} else {
		err = m.quoted4(b[icmpHeaderLen:])
	}
	return m, err
}

// quoted4 reads the IPv4 datagram quoted by an ICMP error.
func (m *Message) quoted4(q []byte) error {
	if len(q) < 20 {
		return errShort
	}
	if q[0]>>4 != 4 {
		return errNotIPv4
	}
	hl := int(q[0]&0x0f) * 4
	if hl < 20 {
		return errBadHeaderLen
	}
	if len(q) < hl+8 {
		return errShort
	}
	m.Proto = q[9]
	m.Src = netip.AddrFrom4([4]byte(q[12:16]))
	m.Dst = netip.AddrFrom4([4]byte(q[16:20]))
	m.transport(q[hl:hl+8], protoICMP, typeEchoRequest4)
	return nil
}

// quoted6 reads the IPv6 datagram quoted by an ICMPv6 error. Extension
// headers are not followed: our probes carry none, so a datagram with
// them is not ours and keeps its next-header value as Proto.
func (m *Message) quoted6(q []byte) error {
	if len(q) < 40+8 {
		return errShort
	}
	if q[0]>>4 != 6 {
		return errNotIPv6
	}
	m.Proto = q[6]
	m.Src = netip.AddrFrom16([16]byte(q[8:24]))
	m.Dst = netip.AddrFrom16([16]byte(q[24:40]))
	m.transport(q[40:48], protoICMPv6, typeEchoRequest6)
	return nil
}

// transport reads the first 8 bytes of the quoted datagram's payload.
func (m *Message) transport(h []byte, icmpProto, echoType uint8) {
	switch m.Proto {
	case protoUDP:
		m.SrcPort = binary.BigEndian.Uint16(h[0:2])
		m.DstPort = binary.BigEndian.Uint16(h[2:4])
	case icmpProto:
		if h[0] == echoType {
			m.QuotedEcho = true
			m.ID = binary.BigEndian.Uint16(h[4:6])
			m.Seq = binary.BigEndian.Uint16(h[6:8])
		}
	}
}
