package icmp

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgReader receives up to len(hdrs) packets per recvmmsg(2) call, never
// blocking and allocating nothing. x/net's ReadBatch does not fit: it
// allocates two objects per packet for the source address and, run through
// RawConn.Read, holds the descriptor's read lock while it waits, so no other
// goroutine could drain the socket meanwhile (see Engine.send).
type mmsgReader struct {
	oobLen int // room for the TTL or hop limit and the drop count
	hdrs   []mmsghdr
	iovs   []unix.Iovec
	names  [][unix.SizeofSockaddrInet6]byte
	bufs   [][]byte
	oobs   [][]byte
}

// mmsghdr is struct mmsghdr: Go pads it like C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

func newMmsgReader(n int) *mmsgReader {
	r := &mmsgReader{
		oobLen: unix.CmsgSpace(4) * 3,
		hdrs:   make([]mmsghdr, n),
		iovs:   make([]unix.Iovec, n),
		names:  make([][unix.SizeofSockaddrInet6]byte, n),
		bufs:   make([][]byte, n),
		oobs:   make([][]byte, n),
	}
	for i := range r.hdrs {
		r.bufs[i] = make([]byte, maxPacket)
		r.oobs[i] = make([]byte, r.oobLen)
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(maxPacket)
		h := &r.hdrs[i].hdr
		h.Name = &r.names[i][0]
		h.Iov = &r.iovs[i]
		h.SetIovlen(1)
		h.Control = &r.oobs[i][0]
	}
	return r
}

// recv reads the packets waiting on fd; it returns EAGAIN when there are
// none.
func (r *mmsgReader) recv(fd uintptr) (int, error) {
	for i := range r.hdrs {
		h := &r.hdrs[i].hdr
		h.Namelen = unix.SizeofSockaddrInet6
		h.SetControllen(r.oobLen)
		h.Flags = 0
	}
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(r.hdrs)), unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// packet returns what recv stored for packet i.
func (r *mmsgReader) packet(i int) packet {
	m := &r.hdrs[i]
	p := packet{
		data:      r.bufs[i][:m.n],
		truncated: m.hdr.Flags&unix.MSG_TRUNC != 0,
	}
	name := r.names[i][:m.hdr.Namelen]
	if len(name) >= 2 {
		switch binary.NativeEndian.Uint16(name) {
		case unix.AF_INET:
			if len(name) >= unix.SizeofSockaddrInet4 {
				p.src = netip.AddrFrom4([4]byte(name[4:8]))
			}
		case unix.AF_INET6:
			if len(name) >= unix.SizeofSockaddrInet6 {
				p.src = netip.AddrFrom16([16]byte(name[8:24])).Unmap()
			}
		}
	}
	parseCmsgs(r.oobs[i][:m.hdr.Controllen], &p)
	return p
}

// parseCmsgs picks the TTL (IP_TTL), hop limit (IPV6_HOPLIMIT) and the
// socket's drop counter (SO_RXQ_OVFL) out of a control message buffer.
func parseCmsgs(b []byte, p *packet) {
	hdrLen := unix.CmsgLen(0)
	for len(b) >= hdrLen {
		var l int
		if unix.SizeofCmsghdr == 16 { // Len is a size_t
			l = int(binary.NativeEndian.Uint64(b))
		} else {
			l = int(binary.NativeEndian.Uint32(b))
		}
		lenSize := unix.SizeofCmsghdr - 8
		level := int32(binary.NativeEndian.Uint32(b[lenSize:]))
		typ := int32(binary.NativeEndian.Uint32(b[lenSize+4:]))
		if l < hdrLen || l > len(b) {
			return
		}
		data := b[hdrLen:l]
		if len(data) >= 4 {
			v := binary.NativeEndian.Uint32(data)
			switch {
			case level == syscall.IPPROTO_IP && typ == syscall.IP_TTL,
				level == syscall.IPPROTO_IPV6 && typ == unix.IPV6_HOPLIMIT:
				p.ttl = int(v)
			case level == syscall.SOL_SOCKET && typ == unix.SO_RXQ_OVFL:
				p.drops, p.hasDrops = v, true
			}
		}
		next := unix.CmsgSpace(l - hdrLen)
		if next > len(b) {
			return
		}
		b = b[next:]
	}
}

// enableDropCount asks the kernel to report, with every packet, how many it
// dropped for want of buffer space.
func enableDropCount(fd uintptr) error {
	return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
}
