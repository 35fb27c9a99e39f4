package tcpscript

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// Conn is the connection a run talks over; net.Conn and *tls.Conn satisfy
// it. SetDeadline may be called from another goroutine to interrupt a
// blocked Read when the run's context ends.
type Conn interface {
	io.ReadWriteCloser
	SetDeadline(time.Time) error
}

// Dialer opens the connection to the device; useTLS asks for TLS (CONN
// "SECURE"). A custom Dialer decides certificate checks itself.
type Dialer func(ctx context.Context, network, address string, useTLS bool) (Conn, error)

// defaultDialer dials TCP, or TLS with base (nil: verify the device's
// certificate against the system roots). Anonymous (CONN "SECURE:ADH")
// skips verification: the script asked for an unauthenticated peer.
func defaultDialer(base *tls.Config, anonymous bool) Dialer {
	return func(ctx context.Context, network, address string, useTLS bool) (Conn, error) {
		if !useTLS {
			var d net.Dialer
			return d.DialContext(ctx, network, address)
		}
		cfg := &tls.Config{}
		if base != nil {
			cfg = base.Clone()
		}
		if anonymous {
			cfg.InsecureSkipVerify = true
		}
		d := tls.Dialer{Config: cfg}
		return d.DialContext(ctx, network, address)
	}
}

// Reading modes (LINE).
const (
	modeLine  = iota // LINE ON (default) and LINE HTML: CR-LF or LF terminated lines
	modeRaw          // LINE OFF: whatever has arrived, up to maxUnit bytes
	modeBER          // LINE BER: one BER-encoded message
	modeFixed        // LINE #n: blocks of exactly n bytes
)

// maxUnit is the line buffer size; maxBER caps one BER message.
const (
	maxUnit = 4096
	maxBER  = 1 << 20
)

// errIdle reports that no data arrived within the idle timeout.
var errIdle = errors.New("idle timeout")

// Telnet protocol bytes.
const (
	tIAC  = 255
	tDONT = 254
	tDO   = 253
	tWONT = 252
	tWILL = 251
	tSB   = 250
	tSE   = 240
)

// reader buffers a connection and cuts it into units (lines, blocks, BER
// messages), optionally refusing telnet options.
type reader struct {
	c      Conn
	buf    []byte
	err    error // sticky: EOF or a connection error
	telnet bool
	tstate int // 0 data, 1 IAC, 2 option verb, 3 subnegotiation, 4 IAC in subnegotiation
	tverb  byte
	chunk  []byte
}

func newReader(c Conn, telnet bool) *reader {
	return &reader{c: c, telnet: telnet, chunk: make([]byte, maxUnit)}
}

// fill reads once with the given deadline.
func (rd *reader) fill(ctx context.Context, deadline time.Time) error {
	if rd.err != nil {
		return rd.err
	}
	_ = rd.c.SetDeadline(deadline)
	if err := ctx.Err(); err != nil {
		return err
	}
	n, err := rd.c.Read(rd.chunk)
	if n > 0 {
		rd.add(rd.chunk[:n], deadline)
	}
	if err != nil {
		var ne net.Error
		if errors.Is(err, errIdle) || errors.Is(err, context.DeadlineExceeded) ||
			(errors.As(err, &ne) && ne.Timeout()) {
			if n > 0 {
				return nil
			}
			return errIdle
		}
		rd.err = err
		if n > 0 {
			return nil
		}
	}
	return rd.err
}

// add appends received bytes, answering telnet option requests with refusals.
func (rd *reader) add(p []byte, deadline time.Time) {
	if !rd.telnet {
		rd.buf = append(rd.buf, p...)
		return
	}
	var reply []byte
	for _, c := range p {
		switch rd.tstate {
		case 0:
			if c == tIAC {
				rd.tstate = 1
			} else {
				rd.buf = append(rd.buf, c)
			}
		case 1:
			switch c {
			case tIAC:
				rd.buf = append(rd.buf, c)
				rd.tstate = 0
			case tDO, tDONT, tWILL, tWONT:
				rd.tverb, rd.tstate = c, 2
			case tSB:
				rd.tstate = 3
			default:
				rd.tstate = 0
			}
		case 2:
			switch rd.tverb {
			case tDO:
				reply = append(reply, tIAC, tWONT, c)
			case tWILL:
				reply = append(reply, tIAC, tDONT, c)
			}
			rd.tstate = 0
		case 3:
			if c == tIAC {
				rd.tstate = 4
			}
		case 4:
			if c == tSE {
				rd.tstate = 0
			} else {
				rd.tstate = 3
			}
		}
	}
	if len(reply) > 0 {
		_ = rd.c.SetDeadline(deadline)
		_, _ = rd.c.Write(reply)
	}
}

// unit returns the next unit in the given mode; deadline gives the idle
// deadline for each read.
func (rd *reader) unit(ctx context.Context, mode, fixed int, deadline func() time.Time) ([]byte, error) {
	for {
		if u, ok := rd.cut(mode, fixed); ok {
			return u, nil
		}
		if rd.err != nil {
			if len(rd.buf) > 0 && mode != modeBER {
				u := rd.buf
				rd.buf = nil
				return u, nil
			}
			return nil, rd.err
		}
		if err := rd.fill(ctx, deadline()); err != nil && rd.err == nil {
			return nil, err
		}
	}
}

// cut takes one complete unit off the buffer.
func (rd *reader) cut(mode, fixed int) ([]byte, bool) {
	take := func(n, skip int) []byte {
		u := append([]byte(nil), rd.buf[:n]...)
		rd.buf = rd.buf[n+skip:]
		return u
	}
	switch mode {
	case modeRaw:
		if len(rd.buf) > 0 {
			return take(min(len(rd.buf), maxUnit), 0), true
		}
	case modeFixed:
		if len(rd.buf) >= fixed {
			return take(fixed, 0), true
		}
	case modeBER:
		if n, ok := berLength(rd.buf); ok {
			if n > maxBER {
				rd.err = errors.New("BER message too long")
				return nil, false
			}
			if len(rd.buf) >= n {
				return take(n, 0), true
			}
		}
	default:
		if i := bytes.IndexByte(rd.buf, '\n'); i >= 0 {
			u := take(i, 1)
			return bytes.TrimSuffix(u, []byte("\r")), true
		}
		if len(rd.buf) >= maxUnit {
			return take(maxUnit, 0), true
		}
	}
	return nil, false
}
