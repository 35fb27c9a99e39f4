package flow

import "encoding/binary"

// sFlow header_protocol values for the sampled header record.
const (
	headerEthernet = 1
	headerIPv4     = 11
	headerIPv6     = 12
)

// parseSampledHeader fills r's addresses, protocol, ports, ToS and TCP
// flags from the first bytes of a sampled packet (sFlow's raw packet
// header): Ethernet with any number of 802.1Q/802.1ad tags and MPLS labels,
// then IPv4 or IPv6 (extension headers skipped), then TCP, UDP or ICMP. It
// reads what the header holds and leaves the rest zero; the outer header
// is the one kept for tunnels (VXLAN …), as that is what crossed the link.
func parseSampledHeader(proto uint32, b []byte, r *Record) {
	switch proto {
	case headerEthernet:
		parseEthernet(b, r)
	case headerIPv4:
		parseIPv4(b, r)
	case headerIPv6:
		parseIPv6(b, r)
	}
}

func parseEthernet(b []byte, r *Record) {
	if len(b) < 14 {
		return
	}
	etype := binary.BigEndian.Uint16(b[12:14])
	b = b[14:]
	for etype == 0x8100 || etype == 0x88a8 || etype == 0x9100 {
		if len(b) < 4 {
			return
		}
		etype = binary.BigEndian.Uint16(b[2:4])
		b = b[4:]
	}
	if etype == 0x8847 || etype == 0x8848 { // MPLS: labels until bottom of stack
		for {
			if len(b) < 4 {
				return
			}
			bottom := b[2]&1 == 1
			b = b[4:]
			if bottom {
				break
			}
		}
		if len(b) == 0 {
			return
		}
		switch b[0] >> 4 {
		case 4:
			etype = 0x0800
		case 6:
			etype = 0x86dd
		default:
			return
		}
	}
	switch etype {
	case 0x0800:
		parseIPv4(b, r)
	case 0x86dd:
		parseIPv6(b, r)
	}
}

func parseIPv4(b []byte, r *Record) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return
	}
	ihl := int(b[0]&0x0f) * 4
	r.ToS = b[1]
	r.Proto = b[9]
	r.SrcAddr = addrFrom(b[12:16])
	r.DstAddr = addrFrom(b[16:20])
	if binary.BigEndian.Uint16(b[6:8])&0x1fff != 0 || ihl < 20 || len(b) < ihl {
		return // a later fragment has no ports
	}
	parseL4(b[ihl:], r)
}

func parseIPv6(b []byte, r *Record) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return
	}
	r.ToS = b[0]<<4 | b[1]>>4
	next := b[6]
	r.SrcAddr = addrFrom(b[8:24])
	r.DstAddr = addrFrom(b[24:40])
	b = b[40:]
	for range 8 { // extension headers, bounded
		var n int
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(b) < 2 {
				r.Proto = next
				return
			}
			n = (int(b[1]) + 1) * 8
		case 44: // fragment
			if len(b) < 8 {
				r.Proto = next
				return
			}
			if binary.BigEndian.Uint16(b[2:4])&0xfff8 != 0 {
				r.Proto = b[0]
				return // a later fragment has no ports
			}
			n = 8
		case 51: // authentication header
			if len(b) < 2 {
				r.Proto = next
				return
			}
			n = (int(b[1]) + 2) * 4
		default:
			r.Proto = next
			parseL4(b, r)
			return
		}
		if len(b) < n {
			r.Proto = next
			return
		}
		next = b[0]
		b = b[n:]
	}
	r.Proto = next
}

// parseL4 reads ports and TCP flags; for ICMP it puts type<<8|code in the
// destination port, as nfdump does, so that ICMP flows still group.
func parseL4(b []byte, r *Record) {
	switch r.Proto {
	case 6:
		if len(b) >= 14 {
			r.SrcPort = binary.BigEndian.Uint16(b[0:2])
			r.DstPort = binary.BigEndian.Uint16(b[2:4])
			r.TCPFlags = b[13]
		} else if len(b) >= 4 {
			r.SrcPort = binary.BigEndian.Uint16(b[0:2])
			r.DstPort = binary.BigEndian.Uint16(b[2:4])
		}
	case 17, 132: // UDP, SCTP
		if len(b) >= 4 {
			r.SrcPort = binary.BigEndian.Uint16(b[0:2])
			r.DstPort = binary.BigEndian.Uint16(b[2:4])
		}
	case 1, 58: // ICMP, ICMPv6
		if len(b) >= 2 {
			r.DstPort = uint16(b[0])<<8 | uint16(b[1])
		}
	}
}
