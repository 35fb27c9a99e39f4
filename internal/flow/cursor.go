package flow

import (
	"encoding/binary"
	"net/netip"
)

// cursor reads big-endian fields from a datagram for the decoders written
// here (NetFlow v1/v7, sFlow v2/v4, sampled packet headers). A read past
// the end sets short and returns zeros, so a decoder checks once at the end
// of a structure instead of after every field.
type cursor struct {
	b     []byte
	off   int
	short bool
}

func (c *cursor) left() int { return len(c.b) - c.off }

// take returns the next n bytes, or nil (and marks the cursor short) when
// fewer are left.
func (c *cursor) take(n int) []byte {
	if n < 0 || c.left() < n {
		c.short = true
		c.off = len(c.b)
		return nil
	}
	p := c.b[c.off : c.off+n]
	c.off += n
	return p
}

func (c *cursor) skip(n int) { c.take(n) }

func (c *cursor) u8() uint8 {
	if p := c.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if p := c.take(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if p := c.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if p := c.take(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (c *cursor) ip4() netip.Addr {
	if p := c.take(4); p != nil {
		return netip.AddrFrom4([4]byte(p))
	}
	return netip.Addr{}
}

func (c *cursor) ip6() netip.Addr {
	if p := c.take(16); p != nil {
		return netip.AddrFrom16([16]byte(p))
	}
	return netip.Addr{}
}

// beUint reads an unsigned big-endian integer of any length up to 8 bytes,
// as NetFlow v9 and IPFIX send counters in 1 to 8 bytes (reduced-size
// encoding). Longer values keep their last 8 bytes.
func beUint(b []byte) uint64 {
	if len(b) > 8 {
		b = b[len(b)-8:]
	}
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// addrFrom converts a 4- or 16-byte field to an address; other lengths
// give the zero Addr.
func addrFrom(b []byte) netip.Addr {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b))
	case 16:
		return netip.AddrFrom16([16]byte(b)).Unmap()
	}
	return netip.Addr{}
}
