package flow

import (
	"context"
	"errors"
	"fmt"
	"github.com/vantage-monitor/vantage/internal/udpsock"
	"net"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"golang.org/x/net/ipv6"
)

// Reading: each UDP listener is Readers sockets bound to the same address
// with SO_REUSEPORT (the kernel spreads exporters across them by address
// hash, so one exporter stays on one socket and in order), each drained by
// its own goroutine with recvmmsg (x/net's ReadBatch) into reused buffers.
const (
	readBatch   = 32       // datagrams per recvmmsg
	readBufSize = 64 << 10 // a datagram never exceeds this
	slabSize    = 1 << 20  // queued datagrams are carved from slabs of this
)

// ListenUDP receives flow exports on addr ("host:port"; ":port" binds
// "[::]:port", IPv4 and IPv6 at once). Every format is accepted on every
// port, so NetFlow, IPFIX and sFlow may share one. It returns the address
// bound (useful with port 0). The sockets close when ctx ends or at Stop.
func (c *Collector) ListenUDP(ctx context.Context, addr string) (netip.AddrPort, error) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if !c.started || c.stopped {
		return netip.AddrPort{}, errors.New("flow: ListenUDP before Start or after Stop")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("flow listener %q: %w", addr, err)
	}
	if host == "" {
		host = "::"
	}
	bind := net.JoinHostPort(host, port)
	lc := net.ListenConfig{Control: udpsock.ReusePort}
	var conns []*net.UDPConn
	for i := range c.cfg.Readers {
		pc, err := lc.ListenPacket(ctx, "udp", bind)
		if err != nil {
			for _, u := range conns {
				u.Close()
			}
			return netip.AddrPort{}, fmt.Errorf("flow listener %q: %w", addr, err)
		}
		u := pc.(*net.UDPConn)
		if i == 0 { // port 0: the other sockets join the port the first got
			bind = u.LocalAddr().String()
		}
		conns = append(conns, u)
	}
	granted := 0
	for _, u := range conns {
		if err := udpsock.SetReadBuffer(u, c.cfg.ReadBuffer); err != nil {
			c.log.Debug("flow socket buffer not forced", "addr", bind, "err", err)
		}
		granted = udpsock.ReadBufferSize(u)
	}
	local := conns[0].LocalAddr().(*net.UDPAddr).AddrPort()
	c.log.Info("flow listener started", "addr", local.String(), "proto", "udp", "sockets", len(conns),
		"read_buffer_asked", c.cfg.ReadBuffer, "read_buffer_granted", granted/2)
	for _, u := range conns {
		c.sockets = append(c.sockets, u)
		c.closers = append(c.closers, func() error { return c.closeUDP(u) })
		c.readers.Add(1)
		go c.readUDP(u)
	}
	go func() {
		<-ctx.Done()
		for _, u := range conns {
			c.closeUDP(u)
		}
	}()
	return local, nil
}

// readUDP copies datagrams from u into the workers' queues until u is
// closed; it does nothing else, so the socket is drained as fast as it
// fills.
func (c *Collector) readUDP(u *net.UDPConn) {
	defer c.readers.Done()
	pc := ipv6.NewPacketConn(u) // recvmmsg works for either family
	msgs := make([]ipv6.Message, readBatch)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, readBufSize)}
	}
	var slab []byte
	for {
		n, err := pc.ReadBatch(msgs, 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			c.log.Warn("flow socket read failed", "addr", u.LocalAddr().String(), "err", err)
			time.Sleep(10 * time.Millisecond) // never spin on a persistent error
			continue
		}
		at := c.deps.Now()
		for _, m := range msgs[:n] {
			ua, ok := m.Addr.(*net.UDPAddr)
			if !ok || m.Flags&syscall.MSG_TRUNC != 0 {
				c.n.malformed.Add(1)
				continue
			}
			if len(slab) < m.N {
				slab = make([]byte, slabSize)
			}
			b := slab[:m.N:m.N]
			slab = slab[m.N:]
			copy(b, m.Buffers[0][:m.N])
			c.enqueue(datagram{b: b, from: ua.AddrPort(), at: at})
		}
	}
}

// closeUDP closes one of our sockets, keeping its drop count in the
// total. It may be called more than once.
func (c *Collector) closeUDP(u *net.UDPConn) error {
	c.lmu.Lock()
	i := slices.Index(c.sockets, u)
	if i >= 0 {
		c.sockets = slices.Delete(c.sockets, i, i+1)
	}
	c.lmu.Unlock()
	if i >= 0 {
		if n, ok := udpsock.KernelDrops(u); ok {
			c.n.closedDrops.Add(n)
		}
	}
	return u.Close()
}

// socketDrops sums the kernel's receive-buffer drops on our UDP sockets,
// open and closed.
func (c *Collector) socketDrops() uint64 {
	c.lmu.Lock()
	socks := append([]*net.UDPConn(nil), c.sockets...)
	c.lmu.Unlock()
	total := c.n.closedDrops.Load()
	for _, u := range socks {
		if n, ok := udpsock.KernelDrops(u); ok {
			total += n
		}
	}
	return total
}
