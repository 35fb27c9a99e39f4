package flowstore

import (
	"encoding/binary"
	"net/netip"
)

// Stores keep an address as two unsigned 64-bit halves of its 16-byte
// form, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d): the high half is then
// a constant zero that compresses to nothing, and the low half to about
// four bytes.
func addrHalves(a netip.Addr) (hi, lo uint64) {
	if !a.IsValid() {
		return 0, 0
	}
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func addrFromHalves(hi, lo uint64) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b).Unmap()
}

// prefixRange is the first and last address of a prefix, as halves.
func prefixRange(p netip.Prefix) (loHi, loLo, hiHi, hiLo uint64) {
	p = p.Masked()
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	loHi, loLo = addrHalves(p.Addr())
	hiHi, hiLo = loHi, loLo
	host := 128 - bits
	switch {
	case host >= 64:
		hiLo = ^uint64(0)
		if host >= 128 {
			hiHi = ^uint64(0)
		} else {
			hiHi |= (uint64(1) << (host - 64)) - 1
		}
	case host > 0:
		hiLo |= (uint64(1) << host) - 1
	}
	return loHi, loLo, hiHi, hiLo
}
