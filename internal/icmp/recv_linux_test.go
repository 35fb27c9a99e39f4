package icmp

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// cmsg builds one control message holding a 32-bit value.
func cmsg(level, typ int32, v uint32) []byte {
	b := make([]byte, unix.CmsgSpace(4))
	if unix.SizeofCmsghdr == 16 {
		binary.NativeEndian.PutUint64(b, uint64(unix.CmsgLen(4)))
	} else {
		binary.NativeEndian.PutUint32(b, uint32(unix.CmsgLen(4)))
	}
	off := unix.SizeofCmsghdr - 8
	binary.NativeEndian.PutUint32(b[off:], uint32(level))
	binary.NativeEndian.PutUint32(b[off+4:], uint32(typ))
	binary.NativeEndian.PutUint32(b[unix.CmsgLen(0):], v)
	return b
}

func TestParseCmsgs(t *testing.T) {
	ttl := cmsg(syscall.IPPROTO_IP, syscall.IP_TTL, 57)
	hop := cmsg(syscall.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, 63)
	drops := cmsg(syscall.SOL_SOCKET, unix.SO_RXQ_OVFL, 12)
	other := cmsg(syscall.SOL_SOCKET, unix.SO_TIMESTAMP, 1)
	for _, tc := range []struct {
		name     string
		b        []byte
		ttl      int
		drops    uint32
		hasDrops bool
	}{
		{"none", nil, 0, 0, false},
		{"ttl", ttl, 57, 0, false},
		{"hop limit and drops", slices.Concat(hop, drops), 63, 12, true},
		{"unknown first", slices.Concat(other, ttl), 57, 0, false},
		{"truncated", slices.Concat(ttl, drops[:len(drops)-5]), 57, 0, false},
		{"bad length", func() []byte { b := slices.Clone(ttl); b[0] = 0xff; return b }(), 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p packet
			parseCmsgs(tc.b, &p)
			if p.ttl != tc.ttl || p.drops != tc.drops || p.hasDrops != tc.hasDrops {
				t.Errorf("got ttl %d drops %d/%v, want %d %d/%v", p.ttl, p.drops, p.hasDrops, tc.ttl, tc.drops, tc.hasDrops)
			}
		})
	}
}

func TestDeadlines(t *testing.T) {
	var h deadlines
	var want []uint64
	for range 1000 {
		at := rand.Uint64N(1e6)
		h.push(deadline{at: at, addr: netip.IPv4Unspecified()})
		want = append(want, at)
	}
	slices.Sort(want)
	for i, w := range want {
		if got := h.pop().at; got != w {
			t.Fatalf("pop %d = %d, want %d", i, got, w)
		}
	}
	if len(h) != 0 {
		t.Fatalf("%d left", len(h))
	}
}
