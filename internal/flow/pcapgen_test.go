package flow

import (
	"encoding/binary"
	"net/netip"
	"os"
	"time"
)

// conversation is traffic between two hosts written into a generated
// capture: every packet's IP length is known, so the expected flow totals
// are too.
type conversation struct {
	client, server netip.AddrPort
	proto          uint8
	// sizes are the IP lengths of the packets, client→server when
	// positive, server→client when negative.
	sizes []int
}

// flowKey is one direction of a conversation.
type flowKey struct {
	src, dst netip.AddrPort
	proto    uint8
}

// totals are the per-direction byte and packet counts of conversations.
func totals(convs []conversation) map[flowKey][2]uint64 {
	out := map[flowKey][2]uint64{}
	for _, c := range convs {
		for _, s := range c.sizes {
			k := flowKey{c.client, c.server, c.proto}
			if s < 0 {
				k, s = flowKey{c.server, c.client, c.proto}, -s
			}
			v := out[k]
			out[k] = [2]uint64{v[0] + uint64(s), v[1] + 1}
		}
	}
	return out
}

// testConversations are TCP and UDP exchanges between 192.0.2.0/24 and
// 198.51.100.0/24 (documentation ranges: the packets only exist in the
// capture file).
func testConversations() []conversation {
	var convs []conversation
	for i := range 8 {
		c := conversation{
			client: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)}), uint16(40000+i)),
			server: netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + i%3)}), []uint16{80, 443}[i%2]),
			proto:  6,
			sizes:  []int{60, -60, 52},
		}
		for j := range 3 + i {
			c.sizes = append(c.sizes, 100+j*10, -(1400 - j*7))
		}
		c.sizes = append(c.sizes, 52, -52, 52)
		convs = append(convs, c)
	}
	for i := range 4 { // 12 conversations, 24 flows: one v1 datagram nfcapd accepts
		convs = append(convs, conversation{
			client: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + i)}), uint16(53000+i)),
			server: netip.AddrPortFrom(netip.MustParseAddr("198.51.100.53"), 53),
			proto:  17,
			sizes:  []int{61 + i, -(125 + i*3)},
		})
	}
	return convs
}

// writePcap writes conversations as an Ethernet/IPv4 libpcap file, one
// packet every millisecond from start.
func writePcap(path string, convs []conversation, start time.Time) error {
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, 1)
	at := start
	for _, c := range convs {
		for i, s := range c.sizes {
			src, dst := c.client, c.server
			if s < 0 {
				src, dst, s = dst, src, -s
			}
			flags := uint8(0x18) // PSH ACK
			switch {
			case i == 0:
				flags = 0x02
			case i == 1:
				flags = 0x12
			case i >= len(c.sizes)-3:
				flags = 0x11
			}
			frame := ipPacket(src, dst, c.proto, s, flags)
			b = binary.LittleEndian.AppendUint32(b, uint32(at.Unix()))
			b = binary.LittleEndian.AppendUint32(b, uint32(at.Nanosecond()/1000))
			b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
			b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
			b = append(b, frame...)
			at = at.Add(time.Millisecond)
		}
	}
	return os.WriteFile(path, b, 0o644)
}

// ipPacket is an Ethernet frame carrying an IPv4 packet of ipLen bytes.
func ipPacket(src, dst netip.AddrPort, proto uint8, ipLen int, tcpFlags uint8) []byte {
	b := be{}.raw([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).u16(0x0800)
	ip := be{}.u8(0x45).u8(0).u16(uint16(ipLen)).u16(0).u16(0x4000).u8(64).u8(proto).u16(0).
		raw(src.Addr().AsSlice()).raw(dst.Addr().AsSlice())
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(ip[i])<<8 | uint32(ip[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	var l4 be
	if proto == 6 {
		l4 = be{}.u16(src.Port()).u16(dst.Port()).u32(1).u32(1).u8(0x50).u8(tcpFlags).u16(65535).u32(0)
	} else {
		l4 = be{}.u16(src.Port()).u16(dst.Port()).u16(uint16(ipLen - 20)).u16(0)
	}
	p := append(append(ip, l4...), make([]byte, ipLen-20-len(l4))...)
	return append(b, p...)
}
