package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"time"

	"github.com/vantage-monitor/vantage/internal/flowstore"
)

// v5Sender exports sessions as NetFlow v5 (one record per session, client
// as source, both directions' bytes), 30 records a datagram, to a
// collector on the loopback, paced to a fixed rate so a healthy collector
// loses nothing.
type v5Sender struct {
	conn    *net.UDPConn
	boot    int64 // exporter boot time, ms since 1970
	rate    float64
	seq     uint32
	sent    int
	began   time.Time
	pending []flowstore.Session
}

func newV5Sender(port int, boot time.Time, rate float64) (*v5Sender, error) {
	conn, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		return nil, fmt.Errorf("netflow v5 to 127.0.0.1:%d: %w", port, err)
	}
	return &v5Sender{conn: conn, boot: boot.UnixMilli(), rate: rate, began: time.Now()}, nil
}

func (v *v5Sender) send(ctx context.Context, ss []flowstore.Session) error {
	v.pending = append(v.pending, ss...)
	for len(v.pending) >= 30 {
		if err := v.datagram(ctx, v.pending[:30]); err != nil {
			return err
		}
		v.pending = v.pending[30:]
	}
	return nil
}

func (v *v5Sender) flush(ctx context.Context) error {
	if len(v.pending) == 0 {
		return nil
	}
	err := v.datagram(ctx, v.pending)
	v.pending = nil
	return err
}

func (v *v5Sender) datagram(ctx context.Context, ss []flowstore.Session) error {
	b := make([]byte, 24+48*len(ss))
	var last int64
	for _, s := range ss {
		last = max(last, s.End.UnixMilli())
	}
	now := last + 1000
	binary.BigEndian.PutUint16(b[0:], 5)
	binary.BigEndian.PutUint16(b[2:], uint16(len(ss)))
	binary.BigEndian.PutUint32(b[4:], uint32(now-v.boot))
	binary.BigEndian.PutUint32(b[8:], uint32(now/1000))
	binary.BigEndian.PutUint32(b[12:], uint32(now%1000)*1_000_000)
	binary.BigEndian.PutUint32(b[16:], v.seq)
	v.seq += uint32(len(ss))
	for i, s := range ss {
		r := b[24+48*i:]
		c, sv := s.Client.As4(), s.Server.As4()
		copy(r[0:], c[:])
		copy(r[4:], sv[:])
		binary.BigEndian.PutUint16(r[12:], uint16(s.InIf))
		binary.BigEndian.PutUint16(r[14:], uint16(s.OutIf))
		binary.BigEndian.PutUint32(r[16:], uint32(s.Packets()))
		binary.BigEndian.PutUint32(r[20:], uint32(min(s.Bytes(), 1<<32-1)))
		binary.BigEndian.PutUint32(r[24:], uint32(s.Start.UnixMilli()-v.boot))
		binary.BigEndian.PutUint32(r[28:], uint32(s.End.UnixMilli()-v.boot))
		binary.BigEndian.PutUint16(r[32:], s.ClientPort)
		binary.BigEndian.PutUint16(r[34:], s.ServerPort)
		r[38] = s.Proto
	}
	if _, err := v.conn.Write(b); err != nil {
		return fmt.Errorf("netflow v5: %w", err)
	}
	v.sent += len(ss)
	// Pace: never ahead of the rate.
	if ahead := time.Duration(float64(v.sent)/v.rate*float64(time.Second)) - time.Since(v.began); ahead > time.Millisecond {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(ahead):
		}
	}
	return nil
}
