package icmp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Engine sends echo requests for any number of concurrent callers over one
// socket per address family and routes each reply to its caller.
type Engine struct {
	log   *slog.Logger
	mode  string
	ident uint16 // echo ident in raw mode; ping sockets pick their own
	nonce [nonceLen]byte
	epoch time.Time // payload send times are nanoseconds since epoch

	v4, v6 *family

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
	wg        sync.WaitGroup

	sent, received, timeouts, stray, invalid, sendErrors atomic.Uint64

	logLimit limiter
	calls    sync.Pool // of *call, so a sweep does not allocate per ping
}

// Counters is a snapshot of the engine's activity since Open, for
// publication as metrics.
type Counters struct {
	Sent       uint64 // echo requests handed to the kernel, SendErrors of them refused
	Received   uint64 // replies matched to a waiting echo
	Timeouts   uint64 // echoes that got no reply within their timeout
	Stray      uint64 // well-formed echo replies that were not ours, or came too late
	Invalid    uint64 // packets that could not be parsed (short, bad checksum, truncated)
	SendErrors uint64 // echoes the kernel refused (no route, ...)
	// Dropped counts packets the kernel dropped because the socket's
	// receive buffer was full (as of the last packet read): raise
	// Config.ReadBuffer when it grows.
	Dropped uint64
}

// Open opens the engine's sockets and starts a sender and a receiver
// goroutine for each. A nil logger discards. IPv6 being unavailable is only logged;
// Ping then fails for IPv6 addresses with ErrFamilyUnavailable.
func Open(cfg Config, logger *slog.Logger) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReadBuffer == 0 {
		cfg.ReadBuffer = DefaultConfig().ReadBuffer
	}
	e := &Engine{
		log:   logger,
		ident: uint16(os.Getpid()),
		epoch: time.Now(),
		done:  make(chan struct{}),
	}
	// The nonce tells our replies from those of other engines and programs
	// that happen to use the same ident and sequence numbers.
	if _, err := rand.Read(e.nonce[:]); err != nil {
		return nil, fmt.Errorf("icmp engine nonce: %w", err)
	}

	tries := []string{ModeRaw, ModeDgram}
	if cfg.Mode == ModeRaw || cfg.Mode == ModeDgram {
		tries = []string{cfg.Mode}
	}
	var c4 net.PacketConn
	var rawErr, dgramErr, err error
	for _, m := range tries {
		c, err := openSocket(false, m, cfg.ReadBuffer)
		if err == nil {
			c4, e.mode = c, m
			break
		}
		if !isPermission(err) {
			return nil, fmt.Errorf("icmp engine: %w", err)
		}
		if m == ModeRaw {
			rawErr = err
		} else {
			dgramErr = err
		}
	}
	if c4 == nil {
		return nil, fmt.Errorf("icmp engine: %w", newPermissionError(rawErr, dgramErr))
	}
	if e.v4, err = e.newFamily(false, c4); err != nil {
		c4.Close()
		return nil, fmt.Errorf("icmp engine: %w", err)
	}
	c6, err := openSocket(true, e.mode, cfg.ReadBuffer)
	if err == nil {
		e.v6, err = e.newFamily(true, c6)
		if err != nil {
			c6.Close()
		}
	}
	if err != nil {
		logger.Warn("IPv6 ping unavailable", "mode", e.mode, "error", err)
	}
	for _, f := range []*family{e.v4, e.v6} {
		if f != nil {
			e.wg.Add(2)
			go e.receive(f)
			go e.send(f)
		}
	}
	logger.Info("ICMP engine open", "mode", e.mode, "ipv6", e.v6 != nil, "read_buffer", cfg.ReadBuffer)
	return e, nil
}

// Mode returns the socket mode in use: "raw" or "dgram".
func (e *Engine) Mode() string { return e.mode }

// Counters returns a snapshot of the engine's counters.
func (e *Engine) Counters() Counters {
	c := Counters{
		Sent:       e.sent.Load(),
		Received:   e.received.Load(),
		Timeouts:   e.timeouts.Load(),
		Stray:      e.stray.Load(),
		Invalid:    e.invalid.Load(),
		SendErrors: e.sendErrors.Load(),
		Dropped:    uint64(e.v4.drops.Load()),
	}
	if e.v6 != nil {
		c.Dropped += uint64(e.v6.drops.Load())
	}
	return c
}

// Close closes the sockets, waits for the engine's goroutines and wakes
// every Ping in progress (they return ErrClosed). It is idempotent.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		close(e.done)
		var errs []error
		for _, f := range []*family{e.v4, e.v6} {
			if f != nil {
				if err := f.conn.Close(); err != nil {
					errs = append(errs, fmt.Errorf("close ICMP socket: %w", err))
				}
			}
		}
		e.wg.Wait()
		for _, f := range []*family{e.v4, e.v6} {
			if f != nil {
				f.closeAll()
			}
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}

// now is the engine clock: monotonic nanoseconds since Open, the unit of
// the send time carried in payloads.
func (e *Engine) now() uint64 { return uint64(time.Since(e.epoch)) }

// newFamily wraps a socket and sets its options: control messages for the
// TTL where the IP header is not delivered, and in raw mode a kernel filter
// so that the socket is not woken for every ICMP packet on the host.
func (e *Engine) newFamily(v6 bool, c net.PacketConn) (*family, error) {
	f := &family{v6: v6, raw: e.mode == ModeRaw, conn: c}
	for i := range f.shards {
		f.shards[i].m = make(map[key]waiter)
	}
	f.sendq.wake = make(chan struct{}, 1)
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("ICMP socket descriptor: %w", err)
	}
	f.rc = rc
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = enableDropCount(fd) }); err != nil || serr != nil {
		e.log.Warn("cannot count dropped ICMP replies", "error", errors.Join(err, serr))
	}
	if v6 {
		p := ipv6.NewPacketConn(c)
		f.batch = p
		if err := p.SetControlMessage(ipv6.FlagHopLimit, true); err != nil {
			e.log.Warn("cannot read IPv6 hop limits", "error", err)
		}
		if f.raw {
			e.setFilter("IPv6", p.SetBPF(echoFilter(true, e.ident)))
		}
	} else {
		p := ipv4.NewPacketConn(c)
		f.batch = p
		if f.raw { // the TTL comes with the IP header
			e.setFilter("IPv4", p.SetBPF(echoFilter(false, e.ident)))
		} else if err := p.SetControlMessage(ipv4.FlagTTL, true); err != nil {
			e.log.Warn("cannot read IPv4 TTLs", "error", err)
		}
	}
	return f, nil
}

// setFilter reports a filter that could not be attached. Not fatal: the
// receive loop checks everything the filter does, at some CPU cost.
func (e *Engine) setFilter(family string, err error) {
	if err != nil {
		e.log.Warn("cannot attach ICMP socket filter", "family", family, "error", err)
	}
}

// echoFilter is a classic BPF program accepting only echo replies carrying
// ident. Raw IPv4 sockets see the IP header first (its length is variable);
// raw ICMPv6 sockets see the ICMPv6 header first.
func echoFilter(v6 bool, ident uint16) []bpf.RawInstruction {
	var prog []bpf.Instruction
	if v6 {
		prog = []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 1},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: typeEchoReply6, SkipTrue: 3},
			bpf.LoadAbsolute{Off: 4, Size: 2},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(ident), SkipTrue: 1},
			bpf.RetConstant{Val: 0xffff},
			bpf.RetConstant{Val: 0},
		}
	} else {
		prog = []bpf.Instruction{
			bpf.LoadMemShift{Off: 0}, // X = IPv4 header length
			bpf.LoadIndirect{Off: 0, Size: 1},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: typeEchoReply4, SkipTrue: 3},
			bpf.LoadIndirect{Off: 4, Size: 2},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(ident), SkipTrue: 1},
			bpf.RetConstant{Val: 0xffff},
			bpf.RetConstant{Val: 0},
		}
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		panic(fmt.Sprintf("icmp: echo filter does not assemble: %v", err)) // a bug, not input
	}
	return raw
}

// limiter lets one malformed-packet log line through per second, so a flood
// of garbage cannot flood the log.
type limiter struct {
	mu         sync.Mutex
	next       time.Time
	suppressed int
}

func (l *limiter) allow(now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.next) {
		l.suppressed++
		return false, 0
	}
	l.next = now.Add(time.Second)
	suppressed, l.suppressed = l.suppressed, 0
	return true, suppressed
}
