package probe

// DHCP messages (RFC 2131, options RFC 2132) as a relay agent sends and
// receives them: the probe puts its own address in giaddr, so the server
// answers it by unicast on port 67 (RFC 2131 §4.1) instead of broadcasting
// to a client on port 68.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// DHCP message types (option 53) and options used here.
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpAck      = 5
	dhcpNak      = 6
	dhcpInform   = 8

	dhcpOptPad       = 0
	dhcpOptMask      = 1
	dhcpOptRouter    = 3
	dhcpOptDNS       = 6
	dhcpOptLease     = 51
	dhcpOptMsgType   = 53
	dhcpOptServerID  = 54
	dhcpOptParamReq  = 55
	dhcpOptMessage   = 56
	dhcpOptClientID  = 61
	dhcpOptEnd       = 255
	dhcpFixedLen     = 236
	dhcpMinPacketLen = 300
)

// dhcpMagic is the magic cookie that starts the options (99.130.83.99).
const dhcpMagic = 0x63825363

// dhcpTypeName names a message type for reasons.
func dhcpTypeName(t int) string {
	names := map[int]string{1: "DHCPDISCOVER", 2: "DHCPOFFER", 3: "DHCPREQUEST", 4: "DHCPDECLINE", 5: "DHCPACK", 6: "DHCPNAK", 7: "DHCPRELEASE", 8: "DHCPINFORM"}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("DHCP message type %d", t)
}

// dhcpRequest is a DISCOVER or INFORM relayed by the probe itself.
type dhcpRequest struct {
	msgType  int
	xid      uint32
	giaddr   netip.Addr // our address: where the server answers
	ciaddr   netip.Addr // INFORM only: the address the client has
	chaddr   [6]byte
	clientID string
}

func (q dhcpRequest) marshal() []byte {
	b := make([]byte, dhcpFixedLen, dhcpMinPacketLen)
	b[0], b[1], b[2], b[3] = 1, 1, 6, 1 // BOOTREQUEST, Ethernet, hlen 6, one relay hop (ours)
	binary.BigEndian.PutUint32(b[4:], q.xid)
	if q.ciaddr.Is4() {
		a := q.ciaddr.As4()
		copy(b[12:16], a[:])
	}
	g := q.giaddr.As4()
	copy(b[24:28], g[:])
	copy(b[28:34], q.chaddr[:])
	b = binary.BigEndian.AppendUint32(b, dhcpMagic)
	b = append(b, dhcpOptMsgType, 1, byte(q.msgType))
	if q.clientID != "" {
		id := []byte(q.clientID)[:min(len(q.clientID), 253)]
		b = append(append(b, dhcpOptClientID, byte(len(id)+1), 0), id...)
	}
	b = append(b, dhcpOptParamReq, 4, dhcpOptMask, dhcpOptRouter, dhcpOptDNS, dhcpOptLease)
	b = append(b, dhcpOptEnd)
	for len(b) < dhcpMinPacketLen {
		b = append(b, dhcpOptPad)
	}
	return b
}

// dhcpReply is a parsed server reply.
type dhcpReply struct {
	xid      uint32
	msgType  int
	yiaddr   netip.Addr
	serverID netip.Addr
	lease    time.Duration
	mask     netip.Addr
	routers  []netip.Addr
	dns      []netip.Addr
	message  string
}

// parseDHCPReply reads a BOOTREPLY and its options; option overloading
// into sname/file (option 52) is not followed, as servers only use it when
// options do not fit, which the few asked for always do.
func parseDHCPReply(b []byte) (dhcpReply, error) {
	var r dhcpReply
	if len(b) < dhcpFixedLen+4 {
		return r, fmt.Errorf("reply of %d bytes is shorter than a DHCP message", len(b))
	}
	if b[0] != 2 {
		return r, fmt.Errorf("op %d is not a BOOTREPLY", b[0])
	}
	r.xid = binary.BigEndian.Uint32(b[4:])
	r.yiaddr = netip.AddrFrom4([4]byte(b[16:20]))
	if binary.BigEndian.Uint32(b[dhcpFixedLen:]) != dhcpMagic {
		return r, errors.New("no DHCP magic cookie (a plain BOOTP reply?)")
	}
	opts := b[dhcpFixedLen+4:]
	for i := 0; i < len(opts); {
		code := opts[i]
		if code == dhcpOptPad {
			i++
			continue
		}
		if code == dhcpOptEnd {
			break
		}
		if i+1 >= len(opts) || i+2+int(opts[i+1]) > len(opts) {
			return r, fmt.Errorf("option %d at offset %d runs past the end", code, i)
		}
		v := opts[i+2 : i+2+int(opts[i+1])]
		i += 2 + len(v)
		switch code {
		case dhcpOptMsgType:
			if len(v) == 1 {
				r.msgType = int(v[0])
			}
		case dhcpOptServerID:
			r.serverID = dhcpAddr(v)
		case dhcpOptMask:
			r.mask = dhcpAddr(v)
		case dhcpOptLease:
			if len(v) == 4 {
				r.lease = time.Duration(binary.BigEndian.Uint32(v)) * time.Second
			}
		case dhcpOptRouter:
			r.routers = dhcpAddrs(v)
		case dhcpOptDNS:
			r.dns = dhcpAddrs(v)
		case dhcpOptMessage:
			r.message = printableText(v)
		}
	}
	if r.msgType == 0 {
		return r, errors.New("reply has no DHCP message type")
	}
	return r, nil
}

func dhcpAddr(v []byte) netip.Addr {
	if len(v) != 4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(v))
}

func dhcpAddrs(v []byte) []netip.Addr {
	var out []netip.Addr
	for i := 0; i+4 <= len(v); i += 4 {
		out = append(out, netip.AddrFrom4([4]byte(v[i:i+4])))
	}
	return out
}
