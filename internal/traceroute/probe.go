package traceroute

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/vantage-monitor/vantage/internal/icmp"
)

// tracer holds the sockets of one trace.
type tracer struct {
	dst   netip.Addr
	v6    bool
	opt   Options
	ident uint16 // echo ID in ICMP mode

	raw  net.PacketConn // receives answers; sends the echoes in ICMP mode
	udp  *net.UDPConn   // sends the datagrams in UDP mode
	port uint16         // udp's local port, to recognise our quotes

	in   chan answer
	done chan struct{}
}

// answer is one parsed ICMP packet and when it arrived.
type answer struct {
	m    icmp.Message
	from netip.Addr
	at   time.Time
}

func open(dst netip.Addr, opt Options) (*tracer, error) {
	t := &tracer{dst: dst, v6: dst.Is6(), opt: opt, in: make(chan answer, 64), done: make(chan struct{})}
	var id [2]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("echo ID: %w", err)
	}
	t.ident = binary.BigEndian.Uint16(id[:])
	if t.ident == uint16(os.Getpid()) { // the shared engine's raw-mode ID
		t.ident++
	}
	network, laddr := "ip4:icmp", "0.0.0.0"
	if t.v6 {
		network, laddr = "ip6:ipv6-icmp", "::"
	}
	raw, err := net.ListenPacket(network, laddr)
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("%w (%v)", ErrPermission, err)
		}
		return nil, fmt.Errorf("open %s socket: %w", network, err)
	}
	t.raw = raw
	// Without the filter the trace still works, reading every ICMP packet
	// of the host for a few seconds.
	if t.v6 {
		_ = ipv6.NewPacketConn(raw).SetBPF(answerFilter(true, t.ident))
	} else {
		_ = ipv4.NewPacketConn(raw).SetBPF(answerFilter(false, t.ident))
	}
	if opt.Mode == ModeUDP {
		udpNet := "udp4"
		if t.v6 {
			udpNet = "udp6"
		}
		t.udp, err = net.ListenUDP(udpNet, nil)
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("open UDP socket: %w", err)
		}
		t.port = uint16(t.udp.LocalAddr().(*net.UDPAddr).Port)
	}
	go t.receive()
	return t, nil
}

func (t *tracer) close() {
	close(t.done)
	t.raw.Close()
	if t.udp != nil {
		t.udp.Close()
	}
}

// receive reads and parses answers until the socket is closed.
func (t *tracer) receive() {
	buf := make([]byte, 1500)
	for {
		n, from, err := t.raw.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		at := time.Now()
		// Package net strips the IPv4 header of raw reads.
		m, err := icmp.ParseMessage(buf[:n], t.v6, false)
		if err != nil {
			continue // malformed, or truncated beyond the quote we need
		}
		ip, _ := from.(*net.IPAddr)
		if ip == nil {
			continue
		}
		src, ok := netip.AddrFromSlice(ip.IP)
		if !ok {
			continue
		}
		select {
		case t.in <- answer{m: m, from: src.Unmap(), at: at}:
		case <-t.done:
			return
		}
	}
}

// hop sends the probes of one TTL at once and waits for their answers,
// each until its own timeout.
func (t *tracer) hop(ctx context.Context, ttl int) (Hop, error) {
	q := t.opt.Queries
	h := Hop{TTL: ttl, Probes: make([]Probe, q)}
	sent := make([]time.Time, q)
	got := make([]bool, q)
	first := (ttl - 1) * q
	for i := range q {
		sent[i] = time.Now()
		if err := t.send(ttl, first+i); err != nil {
			return h, err
		}
	}
	timer := time.NewTimer(time.Until(sent[q-1].Add(t.opt.Timeout)))
	defer timer.Stop()
	for left := q; left > 0; {
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-timer.C:
			left = 0
		case a := <-t.in:
			n, ok := t.match(a)
			i := n - first
			if !ok || i < 0 || i >= q || got[i] {
				continue // not ours, or late for an earlier hop
			}
			got[i] = true
			left--
			h.Probes[i] = t.probe(a, sent[i])
		}
	}
	for i := range q {
		if !got[i] {
			h.Probes[i] = Probe{Lost: true}
		}
	}
	return h, nil
}

// send sends probe number n with the given TTL.
func (t *tracer) send(ttl, n int) error {
	if t.opt.Mode == ModeUDP {
		var err error
		if t.v6 {
			err = ipv6.NewConn(t.udp).SetHopLimit(ttl)
		} else {
			err = ipv4.NewConn(t.udp).SetTTL(ttl)
		}
		if err != nil {
			return fmt.Errorf("set TTL %d: %w", ttl, err)
		}
		to := &net.UDPAddr{IP: t.dst.AsSlice(), Zone: t.dst.Zone(), Port: t.opt.Port + n}
		if _, err := t.udp.WriteTo(make([]byte, payloadLen), to); err != nil {
			return fmt.Errorf("send probe: %w", err)
		}
		return nil
	}
	var typ xicmp.Type = ipv4.ICMPTypeEcho
	var err error
	if t.v6 {
		typ = ipv6.ICMPTypeEchoRequest
		err = ipv6.NewPacketConn(t.raw).SetHopLimit(ttl)
	} else {
		err = ipv4.NewPacketConn(t.raw).SetTTL(ttl)
	}
	if err != nil {
		return fmt.Errorf("set TTL %d: %w", ttl, err)
	}
	// The kernel computes ICMPv6 checksums; Marshal computes IPv4's.
	b, err := (&xicmp.Message{Type: typ, Body: &xicmp.Echo{ID: int(t.ident), Seq: n, Data: make([]byte, payloadLen)}}).Marshal(nil)
	if err != nil {
		return fmt.Errorf("build echo: %w", err)
	}
	if _, err := t.raw.WriteTo(b, &net.IPAddr{IP: t.dst.AsSlice(), Zone: t.dst.Zone()}); err != nil {
		return fmt.Errorf("send probe: %w", err)
	}
	return nil
}

// match finds the probe number an answer is for.
func (t *tracer) match(a answer) (int, bool) {
	m := a.m
	if m.Kind == icmp.KindEchoReply {
		return int(m.Seq), t.opt.Mode == ModeICMP && m.ID == t.ident && a.from == t.dst
	}
	if m.Kind != icmp.KindTimeExceeded && m.Kind != icmp.KindUnreachable {
		return 0, false
	}
	if m.Dst.WithZone("") != t.dst.WithZone("") {
		return 0, false
	}
	if t.opt.Mode == ModeICMP {
		return int(m.Seq), m.QuotedEcho && m.ID == t.ident
	}
	n := int(m.DstPort) - t.opt.Port
	return n, m.Proto == 17 && m.SrcPort == t.port && n >= 0
}

// probe turns an answer into the probe's result.
func (t *tracer) probe(a answer, sent time.Time) Probe {
	p := Probe{From: a.from, RTT: max(a.at.Sub(sent), 0)}
	switch a.m.Kind {
	case icmp.KindEchoReply:
		p.Final = true
	case icmp.KindUnreachable:
		p.Note = unreachableNote(a.m, t.v6)
		p.Final = true
	}
	return p
}

// answerFilter is a classic BPF program passing only ICMP errors and echo
// replies carrying ident. Raw IPv4 sockets see the IP header first (its
// length varies); raw ICMPv6 sockets see the ICMPv6 header first.
func answerFilter(v6 bool, ident uint16) []bpf.RawInstruction {
	var prog []bpf.Instruction
	if v6 {
		prog = []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 1},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 4},      // unreachable
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 3, SkipTrue: 3},      // time exceeded
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 129, SkipTrue: 3}, // echo reply
			bpf.LoadAbsolute{Off: 4, Size: 2},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(ident), SkipTrue: 1},
			bpf.RetConstant{Val: 0xffff},
			bpf.RetConstant{Val: 0},
		}
	} else {
		prog = []bpf.Instruction{
			bpf.LoadMemShift{Off: 0}, // X = IPv4 header length
			bpf.LoadIndirect{Off: 0, Size: 1},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 3, SkipTrue: 4},    // unreachable
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 11, SkipTrue: 3},   // time exceeded
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 0, SkipTrue: 3}, // echo reply
			bpf.LoadIndirect{Off: 4, Size: 2},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(ident), SkipTrue: 1},
			bpf.RetConstant{Val: 0xffff},
			bpf.RetConstant{Val: 0},
		}
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		panic(fmt.Sprintf("traceroute: answer filter does not assemble: %v", err)) // a bug, not input
	}
	return raw
}
