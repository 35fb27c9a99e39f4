package flow

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// ipfixHeaderLen is the IPFIX message header; its length field frames
// messages on a TCP stream (RFC 7011 10.4).
const ipfixHeaderLen = 16

// errFraming is a TCP stream that is not a sequence of IPFIX messages.
var errFraming = errors.New("not an IPFIX message stream")

// readIPFIXMessage reads the next IPFIX message from a stream into buf
// (grown as needed) and returns it. io.EOF means the stream ended cleanly
// between messages.
func readIPFIXMessage(r *bufio.Reader, buf []byte) ([]byte, error) {
	hdr, err := r.Peek(ipfixHeaderLen)
	if err != nil {
		if errors.Is(err, io.EOF) && len(hdr) == 0 {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("ipfix over tcp: short header: %w", io.ErrUnexpectedEOF)
	}
	version, length := binary.BigEndian.Uint16(hdr), int(binary.BigEndian.Uint16(hdr[2:]))
	if version != 10 || length < ipfixHeaderLen {
		return nil, fmt.Errorf("ipfix over tcp: version %d, length %d: %w", version, length, errFraming)
	}
	if cap(buf) < length {
		buf = make([]byte, length)
	}
	buf = buf[:length]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("ipfix over tcp: message of %d bytes: %w", length, err)
	}
	return buf, nil
}

// ListenTCP receives IPFIX over TCP on addr (RFC 7011: the exporter
// connects and sends a stream of messages). Each connection is one
// exporter; a stream that stops being IPFIX is counted as malformed for
// that exporter and closed. It returns the address bound.
func (c *Collector) ListenTCP(ctx context.Context, addr string) (netip.AddrPort, error) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if !c.started || c.stopped {
		return netip.AddrPort{}, errors.New("flow: ListenTCP before Start or after Stop")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("flow listener %q: %w", addr, err)
	}
	local := ln.Addr().(*net.TCPAddr).AddrPort()
	c.log.Info("flow listener started", "addr", local.String(), "proto", "tcp")
	conns := &connSet{m: map[net.Conn]struct{}{}}
	closeAll := func() error {
		err := ln.Close()
		conns.closeAll()
		return err
	}
	c.closers = append(c.closers, closeAll)
	c.readers.Add(1)
	go c.acceptTCP(ln, conns)
	go func() {
		<-ctx.Done()
		closeAll()
	}()
	return local, nil
}

// connSet tracks open connections so Stop can close them.
type connSet struct {
	mu     sync.Mutex
	m      map[net.Conn]struct{}
	closed bool
}

func (s *connSet) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.m[c] = struct{}{}
	return true
}

func (s *connSet) remove(c net.Conn) {
	s.mu.Lock()
	delete(s.m, c)
	s.mu.Unlock()
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	s.closed = true
	for c := range s.m {
		c.Close()
	}
	s.mu.Unlock()
}

func (c *Collector) acceptTCP(ln net.Listener, conns *connSet) {
	defer c.readers.Done()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			c.log.Warn("flow tcp accept failed", "err", err)
			time.Sleep(10 * time.Millisecond) // never spin on a persistent error
			continue
		}
		if !conns.add(conn) {
			conn.Close()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conns.remove(conn)
			defer conn.Close()
			c.readTCP(conn)
		}()
	}
}

// readTCP frames one exporter's stream into messages for the workers.
func (c *Collector) readTCP(conn net.Conn) {
	from := conn.RemoteAddr().(*net.TCPAddr).AddrPort()
	r := bufio.NewReaderSize(conn, 64<<10)
	for {
		msg, err := readIPFIXMessage(r, nil)
		if err != nil {
			if errors.Is(err, errFraming) {
				e := c.exporter(from.Addr().Unmap())
				e.mu.Lock()
				e.stats.malformed++
				e.stats.lastError = err.Error()
				e.mu.Unlock()
				c.n.malformed.Add(1)
				c.log.Warn("flow tcp stream closed", "exporter", from.String(), "err", err)
			}
			return
		}
		c.enqueue(datagram{b: msg, from: from, at: c.deps.Now()})
	}
}
