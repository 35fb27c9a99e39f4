package flow

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// capturedDatagram is one UDP payload from a capture file.
type capturedDatagram struct {
	from    netip.AddrPort
	at      time.Time
	payload []byte
}

// readPcap reads the UDP datagrams of a classic libpcap file (either byte
// order, microsecond or nanosecond) framed in Ethernet (link type 1, with
// 802.1Q tags) or Linux cooked capture (113), over IPv4 or IPv6. It is all
// the tests need, so no pcap library is pulled in.
func readPcap(path string) ([]capturedDatagram, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("%s: too short for a pcap header", path)
	}
	var bo binary.ByteOrder
	nano := false
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
		bo = binary.LittleEndian
	case 0xa1b23c4d:
		bo, nano = binary.LittleEndian, true
	default:
		switch binary.BigEndian.Uint32(b) {
		case 0xa1b2c3d4:
			bo = binary.BigEndian
		case 0xa1b23c4d:
			bo, nano = binary.BigEndian, true
		default:
			return nil, fmt.Errorf("%s: not a pcap file", path)
		}
	}
	link := bo.Uint32(b[20:24])
	var out []capturedDatagram
	for off := 24; off+16 <= len(b); {
		sec, frac := bo.Uint32(b[off:]), bo.Uint32(b[off+4:])
		incl := int(bo.Uint32(b[off+8:]))
		off += 16
		if off+incl > len(b) {
			return nil, fmt.Errorf("%s: truncated record", path)
		}
		frame := b[off : off+incl]
		off += incl
		ns := int64(frac) * 1000
		if nano {
			ns = int64(frac)
		}
		d, ok := udpFromFrame(link, frame)
		if !ok {
			continue
		}
		d.at = time.Unix(int64(sec), ns)
		out = append(out, d)
	}
	return out, nil
}

func udpFromFrame(link uint32, f []byte) (capturedDatagram, bool) {
	var etype uint16
	switch link {
	case 1:
		if len(f) < 14 {
			return capturedDatagram{}, false
		}
		etype, f = binary.BigEndian.Uint16(f[12:]), f[14:]
		for etype == 0x8100 && len(f) >= 4 {
			etype, f = binary.BigEndian.Uint16(f[2:]), f[4:]
		}
	case 113:
		if len(f) < 16 {
			return capturedDatagram{}, false
		}
		etype, f = binary.BigEndian.Uint16(f[14:]), f[16:]
	default:
		return capturedDatagram{}, false
	}
	var src netip.Addr
	var l4 []byte
	switch etype {
	case 0x0800:
		if len(f) < 20 || f[9] != 17 {
			return capturedDatagram{}, false
		}
		ihl := int(f[0]&0xf) * 4
		total := int(binary.BigEndian.Uint16(f[2:]))
		if total > len(f) || ihl > total {
			return capturedDatagram{}, false
		}
		src = netip.AddrFrom4([4]byte(f[12:16]))
		l4 = f[ihl:total]
	case 0x86dd:
		if len(f) < 40 || f[6] != 17 {
			return capturedDatagram{}, false
		}
		src = netip.AddrFrom16([16]byte(f[8:24]))
		l4 = f[40:]
	default:
		return capturedDatagram{}, false
	}
	if len(l4) < 8 {
		return capturedDatagram{}, false
	}
	ulen := int(binary.BigEndian.Uint16(l4[4:]))
	if ulen < 8 || ulen > len(l4) {
		return capturedDatagram{}, false
	}
	return capturedDatagram{
		from:    netip.AddrPortFrom(src, binary.BigEndian.Uint16(l4)),
		payload: l4[8:ulen],
	}, true
}
