package probe

import (
	"crypto/md5"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/vantage-monitor/vantage/internal/status"
)

// ntpServerReply builds a server-mode reply to a request with origin xmt.
func ntpServerReply(xmt uint64, stratum byte, leap byte, at time.Time) []byte {
	b := make([]byte, ntpPacketLen)
	b[0] = leap<<6 | 4<<3 | 4
	b[1] = stratum
	copy(b[12:16], "LOCL")
	binary.BigEndian.PutUint64(b[24:], xmt)
	binary.BigEndian.PutUint64(b[32:], ntpTime(at))
	binary.BigEndian.PutUint64(b[40:], ntpTime(at))
	return b
}

func TestParseNTPReplyMalformed(t *testing.T) {
	good := ntpServerReply(42, 2, 0, time.Now())
	mut := func(f func(b []byte)) []byte { b := append([]byte(nil), good...); f(b); return b }
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "shorter than an NTP header"},
		{"short", good[:47], "shorter than an NTP header"},
		{"client mode", mut(func(b []byte) { b[0] = 4<<3 | 3 }), "not server mode"},
		{"version 0", mut(func(b []byte) { b[0] = 4 }), "NTP version 0"},
		{"no transmit", mut(func(b []byte) { clear(b[40:48]) }), "no transmit timestamp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseNTPReply(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	r, err := parseNTPReply(append(good, make([]byte, 20)...)) // a MAC after the header is ignored
	if err != nil || r.stratum != 2 || r.origin != 42 || r.refIDString() != "76.79.67.76" {
		t.Fatalf("good reply: %+v, %v", r, err)
	}
}

func TestNTPTimeRoundTrip(t *testing.T) {
	for _, at := range []time.Time{time.Unix(1_700_000_000, 123_456_000), time.Date(2036, 2, 7, 6, 28, 17, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)} {
		got := ntpToTime(ntpTime(at), at.Add(time.Hour))
		if d := got.Sub(at); d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%s: round trip %s (off by %s)", at, got, d)
		}
	}
	off, delay := ntpSample(time.Unix(100, 0), time.Unix(105, 0), time.Unix(105, 0), time.Unix(100, 2e8))
	if off != 4900*time.Millisecond || delay != 200*time.Millisecond {
		t.Fatalf("offset %s delay %s", off, delay)
	}
}

// radiusServerReply signs a reply to req as a server with secret would.
func radiusServerReply(req radiusRequest, secret string, code byte, attrs ...byte) []byte {
	b := []byte{code, req.id, 0, 0}
	b = append(b, make([]byte, 16)...)
	b = append(b, attrs...)
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	h := md5.New()
	h.Write(b[:4])
	h.Write(req.authenticator[:])
	h.Write(b[20:])
	h.Write([]byte(secret))
	copy(b[4:20], h.Sum(nil))
	return b
}

func TestParseRADIUSReplyMalformed(t *testing.T) {
	req := radiusRequest{id: 7, secret: []byte("s3cret"), authenticator: [16]byte{1, 2, 3}}
	good := radiusServerReply(req, "s3cret", radiusAccessReject, radiusReplyMessage, 7, 'n', 'o', 'p', 'e', '!')
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"short", good[:10], "shorter than a RADIUS header"},
		{"length too big", func() []byte { b := append([]byte(nil), good...); b[3] = 200; return b }(), "does not fit"},
		{"other id", func() []byte { b := append([]byte(nil), good...); b[1] = 8; return b }(), "identifier 8"},
		{"wrong secret", radiusServerReply(req, "other", radiusAccessAccept), "response authenticator does not verify"},
		{"bad attribute length", radiusServerReply(req, "s3cret", radiusAccessAccept, 18, 1), "bad length 1"},
		{"attribute past end", radiusServerReply(req, "s3cret", radiusAccessAccept, 18, 9, 'x'), "bad length 9"},
		{"bad message authenticator", radiusServerReply(req, "s3cret", radiusAccessAccept, append([]byte{80, 18}, make([]byte, 16)...)...), "Message-Authenticator does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRADIUSReply(tc.in, req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	r, err := parseRADIUSReply(good, req)
	if err != nil || r.code != radiusAccessReject || len(r.messages) != 1 || r.messages[0] != "nope!" {
		t.Fatalf("good reply: %+v, %v", r, err)
	}
}

// RFC 2865 §5.2: the hidden password XORed back with the same stream
// gives the padded password.
func TestRADIUSHidePassword(t *testing.T) {
	auth := [16]byte{9, 8, 7}
	pw := []byte("a password longer than sixteen bytes")
	hidden := radiusHidePassword(pw, []byte("xyz"), auth)
	if len(hidden) != 48 {
		t.Fatalf("hidden length %d, want 48", len(hidden))
	}
	prev := auth[:]
	var plain []byte
	for i := 0; i < len(hidden); i += 16 {
		h := md5.Sum(append([]byte("xyz"), prev...))
		for j := range 16 {
			plain = append(plain, hidden[i+j]^h[j])
		}
		prev = hidden[i : i+16]
	}
	if got := strings.TrimRight(string(plain), "\x00"); got != string(pw) {
		t.Fatalf("unhidden %q", got)
	}
}

// dhcpServerReply builds a BOOTREPLY with the given options.
func dhcpServerReply(xid uint32, opts ...byte) []byte {
	b := make([]byte, dhcpFixedLen)
	b[0] = 2
	binary.BigEndian.PutUint32(b[4:], xid)
	copy(b[16:20], []byte{198, 18, 0, 100})
	b = binary.BigEndian.AppendUint32(b, dhcpMagic)
	return append(append(b, opts...), dhcpOptEnd)
}

func TestParseDHCPReply(t *testing.T) {
	good := dhcpServerReply(5, dhcpOptMsgType, 1, dhcpOffer, dhcpOptServerID, 4, 198, 18, 0, 2, dhcpOptLease, 4, 0, 0, 0x0e, 0x10,
		dhcpOptMask, 4, 255, 255, 255, 0, dhcpOptRouter, 8, 198, 18, 0, 1, 198, 18, 0, 3, dhcpOptPad)
	r, err := parseDHCPReply(good)
	if err != nil || r.msgType != dhcpOffer || r.yiaddr != netip.MustParseAddr("198.18.0.100") || r.lease != time.Hour ||
		r.serverID.String() != "198.18.0.2" || r.mask.String() != "255.255.255.0" || joinAddrs(r.routers) != "198.18.0.1,198.18.0.3" {
		t.Fatalf("good reply: %+v, %v", r, err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"short", good[:100], "shorter than a DHCP message"},
		{"request", func() []byte { b := append([]byte(nil), good...); b[0] = 1; return b }(), "not a BOOTREPLY"},
		{"no cookie", func() []byte { b := append([]byte(nil), good...); b[dhcpFixedLen] = 0; return b }(), "no DHCP magic cookie"},
		{"option past end", dhcpServerReply(5, dhcpOptMsgType, 1, dhcpOffer, dhcpOptRouter, 40, 1, 2)[:dhcpFixedLen+12], "runs past the end"},
		{"no type", dhcpServerReply(5, dhcpOptLease, 4, 0, 0, 0, 1), "no DHCP message type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseDHCPReply(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDHCPRequestShape(t *testing.T) {
	q := dhcpRequest{msgType: dhcpDiscover, xid: 0xdeadbeef, giaddr: netip.MustParseAddr("198.18.0.1"), chaddr: dhcpHWAddr(nil, "x"), clientID: "vantage"}
	b := q.marshal()
	if len(b) != dhcpMinPacketLen || b[0] != 1 || binary.BigEndian.Uint32(b[4:]) != 0xdeadbeef || netip.AddrFrom4([4]byte(b[24:28])).String() != "198.18.0.1" {
		t.Fatalf("bad request % x", b[:40])
	}
	if b[28]&0x03 != 0x02 {
		t.Fatalf("hardware address %x is not locally administered unicast", b[28:34])
	}
	if binary.BigEndian.Uint16(b[10:]) != 0 {
		t.Fatal("broadcast flag set: the reply must come back by unicast to giaddr")
	}
}

func TestParseTFTPReply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    []byte
		block int
		code  int
		text  string
		err   string
	}{
		{name: "data", in: append([]byte{0, 3, 0, 1}, "hello"...), block: 1, code: -1},
		{name: "error", in: append([]byte{0, 5, 0, 1}, "File not found\x00"...), code: 1, text: "File not found"},
		{name: "error without text", in: []byte{0, 5, 0, 2, 0}, code: 2, text: "access violation"},
		{name: "error unterminated", in: append([]byte{0, 5, 0, 0}, "odd\x01"...), code: 0, text: "odd"},
		{name: "short", in: []byte{0, 3}, err: "too short"},
		{name: "ack", in: []byte{0, 4, 0, 1}, err: "neither DATA nor ERROR"},
		{name: "oversized", in: append([]byte{0, 3, 0, 1}, make([]byte, 513)...), err: "at most 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseTFTPReply(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || r.block != tc.block || r.errCode != tc.code || (tc.text != "" && tftpErrorText(r) != tc.text) {
				t.Fatalf("got %+v (%q), %v", r, tftpErrorText(r), err)
			}
		})
	}
}

func FuzzNTPReply(f *testing.F) {
	f.Add(ntpServerReply(1, 2, 0, time.Unix(1_700_000_000, 0)))
	f.Add(ntpServerReply(1, 0, 3, time.Time{}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseNTPReply(b)
		if err != nil {
			return
		}
		_ = r.refIDString() + r.kissCode()
		now := time.Now()
		ntpSample(now, ntpToTime(r.receive, now), ntpToTime(r.transmit, now), now)
	})
}

func FuzzRADIUSReply(f *testing.F) {
	req := radiusRequest{id: 1, secret: []byte("s"), authenticator: [16]byte{1}}
	f.Add(radiusServerReply(req, "s", radiusAccessAccept))
	f.Add(radiusServerReply(req, "s", radiusAccessReject, radiusReplyMessage, 3, 'x'))
	f.Add([]byte{2, 1, 0, 20})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseRADIUSReply(b, req)
		// A valid signature over arbitrary attributes must still parse
		// safely.
		if len(b) < 4000 {
			_, _ = parseRADIUSReply(radiusServerReply(req, "s", radiusAccessAccept, b...), req)
		}
	})
}

func FuzzDHCPOffer(f *testing.F) {
	f.Add(dhcpServerReply(5, dhcpOptMsgType, 1, dhcpOffer, dhcpOptServerID, 4, 1, 2, 3, 4))
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseDHCPReply(b)
		_, _ = parseDHCPReply(dhcpServerReply(5, b...))
	})
}

func FuzzTFTPReply(f *testing.F) {
	f.Add(append([]byte{0, 3, 0, 1}, "data"...))
	f.Add(append([]byte{0, 5, 0, 1}, "nope\x00"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseTFTPReply(b)
		if err == nil {
			_ = tftpErrorText(r)
		}
	})
}

// FuzzDNSAnswer feeds arbitrary DNS messages to the DNS probe's judgement.
func FuzzDNSAnswer(f *testing.F) {
	m := new(dns.Msg)
	m.SetQuestion("www.example.com.", dns.TypeA)
	rr, _ := dns.NewRR("www.example.com. 60 IN A 192.0.2.1")
	m.Answer = append(m.Answer, rr)
	b, _ := m.Pack()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if m.Unpack(b) != nil {
			return
		}
		for _, expect := range []string{"", "192.0.2.1", "mail"} {
			r := newResult()
			judgeDNSReply(&r, dnsConfig{name: "www.example.com.", qtype: dns.TypeA, expect: expect, failure: status.Alarm}, m)
		}
	})
}
