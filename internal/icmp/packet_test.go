package icmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/net/bpf"
	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

var testNonce = [nonceLen]byte{1, 2, 3, 4, 5, 6, 7, 8}

// echoReply builds what a socket would read for a reply to one of our
// echoes: the request turned into a reply, behind an IPv4 header if asked.
func echoReply(v6, withIPHeader bool, ident, seq uint16, sent uint64, size int) []byte {
	b := make([]byte, icmpHeaderLen+size)
	fillEcho(b, v6, ident, testNonce, []byte{0x24})
	stampEcho(b, v6, seq, sent)
	b[0] = typeEchoReply4
	if v6 {
		b[0] = typeEchoReply6
	}
	b[2], b[3] = 0, 0
	if !v6 {
		binary.BigEndian.PutUint16(b[2:4], checksum(b))
	}
	if !withIPHeader {
		return b
	}
	h := make([]byte, 20, 20+len(b))
	h[0], h[8], h[9] = 0x45, 57, 1 // version 4, IHL 5, TTL 57, ICMP
	return append(h, b...)
}

func TestParseReply(t *testing.T) {
	good4 := echoReply(false, true, 0x1234, 7, 99, 20)
	good6 := echoReply(true, false, 0x1234, 8, 100, 56)
	corrupt := bytes.Clone(good4)
	corrupt[len(corrupt)-1] ^= 0xff
	request := bytes.Clone(good4)
	request[20] = typeEchoRequest4
	withOptions := append([]byte{0x46, 0, 0, 0, 0, 0, 0, 0, 61, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, good4[20:]...)
	for _, tc := range []struct {
		name         string
		b            []byte
		v6, header   bool
		want         reply
		wantErr      error
		checkPayload bool
	}{
		{"ipv4 raw", good4, false, true, reply{ident: 0x1234, seq: 7, nonce: testNonce, sent: 99, ttl: 57, data: 20}, nil, true},
		{"ipv4 options", withOptions, false, true, reply{ident: 0x1234, seq: 7, nonce: testNonce, sent: 99, ttl: 61, data: 20}, nil, true},
		{"ipv4 ping socket", good4[20:], false, false, reply{ident: 0x1234, seq: 7, nonce: testNonce, sent: 99, data: 20}, nil, true},
		{"ipv6", good6, true, false, reply{ident: 0x1234, seq: 8, nonce: testNonce, sent: 100, data: 56}, nil, true},
		{"empty", nil, false, true, reply{}, errShort, false},
		{"not ipv4", append([]byte{0x65}, good4[1:]...), false, true, reply{}, errNotIPv4, false},
		{"header longer than packet", []byte{0x4f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false, true, reply{}, errBadHeaderLen, false},
		{"icmp header cut", good4[:24], false, true, reply{}, errShort, false},
		{"no room for tag", good4[:20+icmpHeaderLen+tagLen-1], false, true, reply{}, errShort, false},
		{"bad checksum", corrupt, false, true, reply{}, errChecksum, false},
		{"echo request", request, false, true, reply{}, errNotEchoReply, false},
		{"v4 reply on v6 socket", good4[20:], true, false, reply{}, errNotEchoReply, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseReply(tc.b, tc.v6, tc.header)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Fatalf("reply = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestEchoMarshal checks our hand-built echo against x/net/icmp's parser.
func TestEchoMarshal(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		b := make([]byte, icmpHeaderLen+40)
		fillEcho(b, v6, 0xbeef, testNonce, []byte{0xab, 0xcd})
		stampEcho(b, v6, 513, 123456789)
		proto := 1
		if v6 {
			proto = 58
		}
		m, err := xicmp.ParseMessage(proto, b)
		if err != nil {
			t.Fatalf("v6=%v: ParseMessage: %v", v6, err)
		}
		echo, ok := m.Body.(*xicmp.Echo)
		if !ok || echo.ID != 0xbeef || echo.Seq != 513 || len(echo.Data) != 40 {
			t.Fatalf("v6=%v: parsed %T %+v", v6, m.Body, m.Body)
		}
		if want := (any)(ipv4.ICMPTypeEcho); v6 {
			if m.Type != ipv6.ICMPTypeEchoRequest {
				t.Errorf("type %v, want %v", m.Type, ipv6.ICMPTypeEchoRequest)
			}
		} else if m.Type != want {
			t.Errorf("type %v, want %v", m.Type, want)
		}
		if !bytes.Equal(echo.Data[:nonceLen], testNonce[:]) || echo.Data[tagLen] != 0xab || echo.Data[tagLen+1] != 0xcd || echo.Data[39] != 0xcd {
			t.Errorf("v6=%v: data %x", v6, echo.Data)
		}
		if !v6 && checksum(b) != 0 {
			t.Errorf("IPv4 checksum does not verify")
		}
	}
}

func TestEchoFilter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v6     bool
		packet []byte
		accept bool
	}{
		{"ipv4 our reply", false, echoReply(false, true, 42, 1, 1, 20), true},
		{"ipv4 other ident", false, echoReply(false, true, 43, 1, 1, 20), false},
		{"ipv4 request", false, func() []byte { b := echoReply(false, true, 42, 1, 1, 20); b[20] = typeEchoRequest4; return b }(), false},
		{"ipv4 with options", false, append([]byte{0x46, 0, 0, 0, 0, 0, 0, 0, 61, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, echoReply(false, true, 42, 1, 1, 20)[20:]...), true},
		{"ipv6 our reply", true, echoReply(true, false, 42, 1, 1, 20), true},
		{"ipv6 other ident", true, echoReply(true, false, 7, 1, 1, 20), false},
		{"ipv6 request", true, func() []byte { b := echoReply(true, false, 42, 1, 1, 20); b[0] = typeEchoRequest6; return b }(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var prog []bpf.Instruction
			for _, ri := range echoFilter(tc.v6, 42) {
				prog = append(prog, ri.Disassemble())
			}
			vm, err := bpf.NewVM(prog)
			if err != nil {
				t.Fatalf("NewVM: %v", err)
			}
			n, err := vm.Run(tc.packet)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if (n > 0) != tc.accept {
				t.Errorf("filter kept %d bytes, want accept=%v", n, tc.accept)
			}
		})
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(echoReply(false, true, 1, 2, 3, 20), false, true)
	f.Add(echoReply(false, false, 1, 2, 3, 16), false, false)
	f.Add(echoReply(true, false, 1, 2, 3, 100), true, false)
	f.Add([]byte{0x4f}, false, true)
	f.Add([]byte{}, true, false)
	f.Fuzz(func(t *testing.T, b []byte, v6, header bool) {
		r, err := parseReply(b, v6, header)
		if err != nil {
			return
		}
		// A parsed reply must have come from a packet long enough to hold
		// it, and must survive a round trip through our own encoder.
		if r.data < tagLen || r.data > len(b) {
			t.Fatalf("data length %d from %d bytes", r.data, len(b))
		}
		again := echoReply(v6, false, r.ident, r.seq, r.sent, r.data)
		copy(again[8:8+nonceLen], r.nonce[:])
		if !v6 {
			again[2], again[3] = 0, 0
			binary.BigEndian.PutUint16(again[2:4], checksum(again))
		}
		r2, err := parseReply(again, v6, false)
		if err != nil || r2.seq != r.seq || r2.ident != r.ident || r2.sent != r.sent || r2.nonce != r.nonce {
			t.Fatalf("round trip: %+v, %v; want %+v", r2, err, r)
		}
	})
}
