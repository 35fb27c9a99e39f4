package probe

// RADIUS Access-Request packets and replies (RFC 2865, Message-Authenticator
// from RFC 3579 §3.2).

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// RADIUS codes and attribute types used here.
const (
	radiusAccessRequest   = 1
	radiusAccessAccept    = 2
	radiusAccessReject    = 3
	radiusAccessChallenge = 11

	radiusUserName       = 1
	radiusUserPassword   = 2
	radiusNASIPAddress   = 4
	radiusReplyMessage   = 18
	radiusNASIdentifier  = 32
	radiusMessageAuth    = 80
	radiusHeaderLen      = 20
	radiusMaxPacket      = 4096
	radiusMaxPasswordLen = 128
)

// radiusRequest is an Access-Request.
type radiusRequest struct {
	id            byte
	authenticator [16]byte
	secret        []byte
	user          string
	password      string
	nasIP         netip.Addr
	nasID         string
}

// marshal builds the packet: Message-Authenticator first (so that a
// server checking it early sees it), then the user's attributes.
func (q radiusRequest) marshal() ([]byte, error) {
	if len(q.password) > radiusMaxPasswordLen {
		return nil, fmt.Errorf("password longer than %d bytes", radiusMaxPasswordLen)
	}
	b := make([]byte, radiusHeaderLen, 128)
	b[0], b[1] = radiusAccessRequest, q.id
	copy(b[4:20], q.authenticator[:])
	b = append(b, radiusMessageAuth, 18)
	maOff := len(b)
	b = append(b, make([]byte, 16)...)
	var err error
	if b, err = radiusAttr(b, radiusUserName, []byte(q.user)); err != nil {
		return nil, fmt.Errorf("User-Name: %w", err)
	}
	b, _ = radiusAttr(b, radiusUserPassword, radiusHidePassword([]byte(q.password), q.secret, q.authenticator))
	if q.nasIP.Is4() {
		ip := q.nasIP.As4()
		b, _ = radiusAttr(b, radiusNASIPAddress, ip[:])
	}
	if q.nasID != "" {
		if b, err = radiusAttr(b, radiusNASIdentifier, []byte(q.nasID)); err != nil {
			return nil, fmt.Errorf("NAS-Identifier: %w", err)
		}
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	mac := hmac.New(md5.New, q.secret)
	mac.Write(b)
	copy(b[maOff:], mac.Sum(nil))
	return b, nil
}

func radiusAttr(b []byte, typ byte, v []byte) ([]byte, error) {
	if len(v) == 0 || len(v) > 253 {
		return b, fmt.Errorf("value of %d bytes (want 1 to 253)", len(v))
	}
	return append(append(b, typ, byte(len(v)+2)), v...), nil
}

// radiusHidePassword is RFC 2865 §5.2: the password padded to 16-byte
// blocks, each XORed with MD5(secret + previous block), the first block's
// "previous" being the Request Authenticator.
func radiusHidePassword(pw, secret []byte, auth [16]byte) []byte {
	n := max((len(pw)+15)/16*16, 16)
	p := make([]byte, n)
	copy(p, pw)
	out := make([]byte, n)
	prev := auth[:]
	for i := 0; i < n; i += 16 {
		h := md5.Sum(append(append([]byte{}, secret...), prev...))
		for j := range 16 {
			out[i+j] = p[i+j] ^ h[j]
		}
		prev = out[i : i+16]
	}
	return out
}

// radiusReply is a parsed, verified reply.
type radiusReply struct {
	code     byte
	messages []string // Reply-Message attributes
}

// parseRADIUSReply checks that b answers req (same identifier, valid
// Response Authenticator and, when present, Message-Authenticator).
func parseRADIUSReply(b []byte, req radiusRequest) (radiusReply, error) {
	if len(b) < radiusHeaderLen {
		return radiusReply{}, fmt.Errorf("reply of %d bytes is shorter than a RADIUS header", len(b))
	}
	length := int(binary.BigEndian.Uint16(b[2:]))
	if length < radiusHeaderLen || length > len(b) || length > radiusMaxPacket {
		return radiusReply{}, fmt.Errorf("reply length field %d does not fit the %d bytes received", length, len(b))
	}
	b = b[:length] // octets beyond Length are padding (RFC 2865 §3)
	if b[1] != req.id {
		return radiusReply{}, fmt.Errorf("reply identifier %d does not match request %d", b[1], req.id)
	}
	r := radiusReply{code: b[0]}
	// Response Authenticator = MD5(Code+ID+Length+RequestAuth+Attributes+Secret).
	h := md5.New()
	h.Write(b[:4])
	h.Write(req.authenticator[:])
	h.Write(b[20:])
	h.Write(req.secret)
	if !hmac.Equal(h.Sum(nil), b[4:20]) {
		return r, errors.New("response authenticator does not verify (is the shared secret right?)")
	}
	maOff := -1
	for off := radiusHeaderLen; off < len(b); {
		if off+2 > len(b) {
			return r, fmt.Errorf("truncated attribute at offset %d", off)
		}
		typ, l := b[off], int(b[off+1])
		if l < 2 || off+l > len(b) {
			return r, fmt.Errorf("attribute %d at offset %d has bad length %d", typ, off, l)
		}
		v := b[off+2 : off+l]
		switch typ {
		case radiusReplyMessage:
			r.messages = append(r.messages, printableText(v))
		case radiusMessageAuth:
			if l != 18 {
				return r, fmt.Errorf("Message-Authenticator of length %d", l)
			}
			maOff = off + 2
		}
		off += l
	}
	if maOff >= 0 {
		c := bytes.Clone(b)
		copy(c[4:20], req.authenticator[:])
		clear(c[maOff : maOff+16])
		mac := hmac.New(md5.New, req.secret)
		mac.Write(c)
		if !hmac.Equal(mac.Sum(nil), b[maOff:maOff+16]) {
			return r, errors.New("Message-Authenticator does not verify (is the shared secret right?)")
		}
	}
	return r, nil
}

// printableText keeps a server-supplied string safe to show: printable
// ASCII and spaces, at most 200 bytes.
func printableText(b []byte) string {
	out := make([]byte, 0, min(len(b), 200))
	for _, c := range b {
		if len(out) == 200 {
			break
		}
		if c >= 32 && c < 127 {
			out = append(out, c)
		}
	}
	return string(out)
}
