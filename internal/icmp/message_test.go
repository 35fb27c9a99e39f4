package icmp

import (
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
	"testing"

	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// quotedUDP4 is an IPv4 header and UDP header as a probe would carry them.
func quotedUDP4(src, dst netip.Addr, sport, dport uint16) []byte {
	q := make([]byte, 20+8+12)
	q[0], q[8], q[9] = 0x45, 1, protoUDP
	s, d := src.As4(), dst.As4()
	copy(q[12:16], s[:])
	copy(q[16:20], d[:])
	binary.BigEndian.PutUint16(q[20:22], sport)
	binary.BigEndian.PutUint16(q[22:24], dport)
	return q
}

func quotedEcho6(src, dst netip.Addr, id, seq uint16) []byte {
	q := make([]byte, 40+8+12)
	q[0], q[6], q[7] = 0x60, protoICMPv6, 1
	s, d := src.As16(), dst.As16()
	copy(q[8:24], s[:])
	copy(q[24:40], d[:])
	q[40] = typeEchoRequest6
	binary.BigEndian.PutUint16(q[44:46], id)
	binary.BigEndian.PutUint16(q[46:48], seq)
	return q
}

func quotedEcho4(src, dst netip.Addr, id, seq uint16) []byte {
	q := make([]byte, 20+8)
	q[0], q[8], q[9] = 0x45, 1, protoICMP
	s, d := src.As4(), dst.As4()
	copy(q[12:16], s[:])
	copy(q[16:20], d[:])
	q[20] = typeEchoRequest4
	binary.BigEndian.PutUint16(q[24:26], id)
	binary.BigEndian.PutUint16(q[26:28], seq)
	return q
}

func marshalICMP(t testing.TB, typ xicmp.Type, code int, body xicmp.MessageBody, ipHeader bool) []byte {
	t.Helper()
	b, err := (&xicmp.Message{Type: typ, Code: code, Body: body}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ipHeader {
		return b
	}
	h := make([]byte, 20, 20+len(b))
	h[0], h[8], h[9] = 0x45, 63, 1
	return append(h, b...)
}

func TestParseMessage(t *testing.T) {
	src4, dst4 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.9")
	src6, dst6 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::9")
	timeEx4 := marshalICMP(t, ipv4.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: quotedUDP4(src4, dst4, 40000, 33436)}, true)
	portUnr4 := marshalICMP(t, ipv4.ICMPTypeDestinationUnreachable, 3, &xicmp.DstUnreach{Data: quotedUDP4(src4, dst4, 40000, 33437)}, true)
	echoTE4 := marshalICMP(t, ipv4.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: quotedEcho4(src4, dst4, 0xbeef, 5)}, false)
	reply4 := marshalICMP(t, ipv4.ICMPTypeEchoReply, 0, &xicmp.Echo{ID: 0xbeef, Seq: 6, Data: []byte("x")}, true)
	te6 := marshalICMP(t, ipv6.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: quotedEcho6(src6, dst6, 0xbeef, 2)}, false)
	pu6 := marshalICMP(t, ipv6.ICMPTypeDestinationUnreachable, 4, &xicmp.DstUnreach{Data: quotedUDP6(src6, dst6, 40001, 33434)}, false)
	reply6 := marshalICMP(t, ipv6.ICMPTypeEchoReply, 0, &xicmp.Echo{ID: 0xbeef, Seq: 3}, false)
	corrupt := append([]byte(nil), timeEx4...)
	corrupt[len(corrupt)-1] ^= 0xff
	short := marshalICMP(t, ipv4.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: quotedUDP4(src4, dst4, 1, 2)[:24]}, false)

	for _, tc := range []struct {
		name     string
		b        []byte
		v6, hdr  bool
		want     Message
		wantErr  error
		portUnr  bool
		checkAll bool
	}{
		{name: "v4 time exceeded udp", b: timeEx4, hdr: true, want: Message{Kind: KindTimeExceeded, Type: 11, TTL: 63, Src: src4, Dst: dst4, Proto: protoUDP, SrcPort: 40000, DstPort: 33436}, checkAll: true},
		{name: "v4 port unreachable", b: portUnr4, hdr: true, want: Message{Kind: KindUnreachable, Type: 3, Code: 3, TTL: 63, Src: src4, Dst: dst4, Proto: protoUDP, SrcPort: 40000, DstPort: 33437}, portUnr: true, checkAll: true},
		{name: "v4 time exceeded echo", b: echoTE4, want: Message{Kind: KindTimeExceeded, Type: 11, Src: src4, Dst: dst4, Proto: protoICMP, ID: 0xbeef, Seq: 5, QuotedEcho: true}, checkAll: true},
		{name: "v4 echo reply", b: reply4, hdr: true, want: Message{Kind: KindEchoReply, TTL: 63, ID: 0xbeef, Seq: 6}, checkAll: true},
		{name: "v6 time exceeded echo", b: te6, v6: true, want: Message{Kind: KindTimeExceeded, Type: 3, Src: src6, Dst: dst6, Proto: protoICMPv6, ID: 0xbeef, Seq: 2, QuotedEcho: true}, checkAll: true},
		{name: "v6 port unreachable", b: pu6, v6: true, want: Message{Kind: KindUnreachable, Type: 1, Code: 4, Src: src6, Dst: dst6, Proto: protoUDP, SrcPort: 40001, DstPort: 33434}, portUnr: true, checkAll: true},
		{name: "v6 echo reply", b: reply6, v6: true, want: Message{Kind: KindEchoReply, Type: 129, ID: 0xbeef, Seq: 3}, checkAll: true},
		{name: "bad checksum", b: corrupt, hdr: true, wantErr: errChecksum},
		{name: "quote too short", b: short, wantErr: errShort},
		{name: "empty", b: nil, wantErr: errShort},
		{name: "not ipv4", b: []byte{0x65, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, hdr: true, wantErr: errNotIPv4},
		{name: "v6 quote not v6", b: append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 48)...), v6: true, wantErr: errNotIPv6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessage(tc.b, tc.v6, tc.hdr)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.checkAll && m != tc.want {
				t.Errorf("got  %+v\nwant %+v", m, tc.want)
			}
			if got := m.PortUnreachable(tc.v6); got != tc.portUnr {
				t.Errorf("PortUnreachable = %v", got)
			}
		})
	}
}

func quotedUDP6(src, dst netip.Addr, sport, dport uint16) []byte {
	q := make([]byte, 40+8)
	q[0], q[6], q[7] = 0x60, protoUDP, 1
	s, d := src.As16(), dst.As16()
	copy(q[8:24], s[:])
	copy(q[24:40], d[:])
	binary.BigEndian.PutUint16(q[40:42], sport)
	binary.BigEndian.PutUint16(q[42:44], dport)
	return q
}

// FuzzParseMessage feeds arbitrary packets to the parser of ICMP errors and
// their quoted datagrams: it must never panic, and what it accepts must be
// self-consistent.
func FuzzParseMessage(f *testing.F) {
	src, dst := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.9")
	f.Add(marshalICMP(f, ipv4.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: quotedUDP4(src, dst, 1, 33434)}, true), false, true)
	f.Add(marshalICMP(f, ipv4.ICMPTypeDestinationUnreachable, 3, &xicmp.DstUnreach{Data: quotedEcho4(src, dst, 1, 2)}, false), false, false)
	s6, d6 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	f.Add(marshalICMP(f, ipv6.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: quotedEcho6(s6, d6, 1, 2)}, false), true, false)
	f.Add([]byte{0x4f, 0, 0, 0}, false, true)
	f.Fuzz(func(t *testing.T, b []byte, v6, hdr bool) {
		m, err := ParseMessage(b, v6, hdr)
		if err != nil {
			return
		}
		if m.Kind == KindTimeExceeded || m.Kind == KindUnreachable {
			if !m.Src.IsValid() || !m.Dst.IsValid() || m.Src.Is4() == v6 {
				t.Fatalf("error without a valid quoted datagram: %+v", m)
			}
		}
		if m.TTL < 0 || m.TTL > math.MaxUint8 {
			t.Fatalf("TTL %d", m.TTL)
		}
	})
}
