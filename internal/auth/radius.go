package auth

// A minimal RADIUS client for PAP logins (RFC 2865, Message-Authenticator
// from RFC 3579). internal/probe has its own for the RADIUS probe, which
// reports more; this one returns the groups named by Filter-Id.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"time"
)

const (
	radAccessRequest = 1
	radAccessAccept  = 2
	radAccessReject  = 3

	radUserName     = 1
	radUserPassword = 2
	radFilterID     = 11
	radNASID        = 32
	radMessageAuth  = 80
	radHeader       = 20
)

type radiusAuth struct{ cfg RADIUSConfig }

// login asks the server once per try (three tries within Timeout) and
// returns the user's groups.
func (r *radiusAuth) login(ctx context.Context, user, password string) ([]string, error) {
	if password == "" || len(password) > 128 {
		return nil, ErrBadCredentials
	}
	addr := r.cfg.Address
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "1812")
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("radius: %s: %w", addr, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	var auth [16]byte
	rand.Read(auth[:])
	var idb [1]byte
	rand.Read(idb[:])
	pkt := radiusRequest(idb[0], auth, []byte(r.cfg.Secret), user, password, r.cfg.NASIdentifier)
	buf := make([]byte, 4096)
	for try := range 3 {
		if _, err := conn.Write(pkt); err != nil {
			return nil, fmt.Errorf("radius: send to %s: %w", addr, err)
		}
		conn.SetReadDeadline(time.Now().Add(r.cfg.Timeout / 3))
		for {
			n, err := conn.Read(buf)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && try < 2 && ctx.Err() == nil {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("radius: no answer from %s (a wrong shared secret is silence too): %w", addr, err)
			}
			code, filters, err := parseRadiusReply(buf[:n], idb[0], auth, []byte(r.cfg.Secret))
			if err != nil {
				continue // not ours, or forged: keep waiting
			}
			switch code {
			case radAccessAccept:
				return r.groups(filters), nil
			case radAccessReject:
				return nil, ErrBadCredentials
			default:
				// A challenge asks for more than a password: not a login here.
				return nil, ErrBadCredentials
			}
		}
	}
	return nil, fmt.Errorf("radius: no answer from %s", addr)
}

func (r *radiusAuth) groups(filters []string) []string {
	out := slices.Clone(r.cfg.Groups)
	for _, f := range filters {
		if checkName("group", f) == nil && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// radiusRequest builds an Access-Request with a Message-Authenticator.
func radiusRequest(id byte, auth [16]byte, secret []byte, user, password, nasID string) []byte {
	b := make([]byte, radHeader, 128)
	b[0], b[1] = radAccessRequest, id
	copy(b[4:], auth[:])
	b = append(b, radMessageAuth, 18)
	ma := len(b)
	b = append(b, make([]byte, 16)...)
	attr := func(t byte, v []byte) {
		if len(v) > 0 && len(v) <= 253 {
			b = append(append(b, t, byte(len(v)+2)), v...)
		}
	}
	attr(radUserName, []byte(user))
	attr(radUserPassword, hidePassword([]byte(password), secret, auth))
	attr(radNASID, []byte(nasID))
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	mac := hmac.New(md5.New, secret)
	mac.Write(b)
	copy(b[ma:], mac.Sum(nil))
	return b
}

// hidePassword is RFC 2865 §5.2.
func hidePassword(pw, secret []byte, auth [16]byte) []byte {
	n := max((len(pw)+15)/16*16, 16)
	p := make([]byte, n)
	copy(p, pw)
	out := make([]byte, n)
	prev := auth[:]
	for i := 0; i < n; i += 16 {
		h := md5.Sum(append(slices.Clone(secret), prev...))
		for j := range 16 {
			out[i+j] = p[i+j] ^ h[j]
		}
		prev = out[i : i+16]
	}
	return out
}

// parseRadiusReply verifies a reply to request id (Response
// Authenticator, and Message-Authenticator when present) and returns its
// code and Filter-Id values.
func parseRadiusReply(b []byte, id byte, auth [16]byte, secret []byte) (byte, []string, error) {
	if len(b) < radHeader {
		return 0, nil, errors.New("short reply")
	}
	l := int(binary.BigEndian.Uint16(b[2:]))
	if l < radHeader || l > len(b) {
		return 0, nil, errors.New("bad length")
	}
	b = b[:l]
	if b[1] != id {
		return 0, nil, errors.New("other identifier")
	}
	h := md5.New()
	h.Write(b[:4])
	h.Write(auth[:])
	h.Write(b[radHeader:])
	h.Write(secret)
	if !hmac.Equal(h.Sum(nil), b[4:20]) {
		return 0, nil, errors.New("response authenticator does not verify")
	}
	var filters []string
	ma := -1
	for off := radHeader; off < len(b); {
		if off+2 > len(b) || b[off+1] < 2 || off+int(b[off+1]) > len(b) {
			return 0, nil, errors.New("bad attribute")
		}
		t, v := b[off], b[off+2:off+int(b[off+1])]
		switch t {
		case radFilterID:
			filters = append(filters, string(v))
		case radMessageAuth:
			if len(v) != 16 {
				return 0, nil, errors.New("bad Message-Authenticator")
			}
			ma = off + 2
		}
		off += int(b[off+1])
	}
	if ma >= 0 {
		c := bytes.Clone(b)
		copy(c[4:20], auth[:])
		clear(c[ma : ma+16])
		mac := hmac.New(md5.New, secret)
		mac.Write(c)
		if !hmac.Equal(mac.Sum(nil), b[ma:ma+16]) {
			return 0, nil, errors.New("Message-Authenticator does not verify")
		}
	}
	return b[0], filters, nil
}
