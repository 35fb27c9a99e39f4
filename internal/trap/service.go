package trap

import (
	"context"
	"errors"
	"fmt"
	"github.com/vantage-monitor/vantage/internal/udpsock"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vantage-monitor/vantage/internal/eventlog"
)

// KindTrap is the event-log kind of trap lines.
const KindTrap = "TRAP"

// EventWriter receives one event per trap and device; *eventlog.Log is one.
type EventWriter interface {
	Write(eventlog.Event) error
}

// Deps are what the receiver hands traps to. Every field may be nil.
type Deps struct {
	// Directory finds the devices a trap goes to; nil: every trap is
	// unmatched.
	Directory Directory
	// Deliver gets each matching device's own copy of the trap, on a
	// worker goroutine, in arrival order per sender: for trap probes and
	// the re-poll (see Repoller). It must not block for long: the worker
	// waits for it.
	Deliver func(DeviceRef, Trap)
	// Events gets the TRAP event-log lines.
	Events EventWriter
	// Names names OIDs in log lines and Records (nil: numeric).
	Names Namer
	// Observe sees every trap once, after dispatch, as a Record (the
	// community is not in it): `vantage trap listen` prints from it.
	Observe func(Record)
	// Logger gets rejected datagrams (rate-limited) and socket errors.
	Logger *slog.Logger
	// Registerer gets the vantage_trap_* metrics.
	Registerer prometheus.Registerer
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Service is the trap receiver: New, then Start, then Stop.
type Service struct {
	cfg     Config
	deps    Deps
	logger  *slog.Logger
	usm     *usm
	ring    *ring
	m       *metrics
	limiter *rateLog

	mu      sync.Mutex
	readBuf int    // granted to the first socket
	drops   uint64 // kernel drops counted when the sockets closed
	conns   []*net.UDPConn
	queues  []chan packet
	started bool
	stopped bool
	readers sync.WaitGroup
	workers sync.WaitGroup
	done    chan struct{}
}

// New validates cfg and builds an inert receiver.
func New(cfg Config, deps Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Service{cfg: cfg, deps: deps, logger: deps.Logger, ring: newRing(cfg.Recent), done: make(chan struct{})}
	var err error
	if s.usm, err = newUSM(cfg, deps.Now()); err != nil {
		return nil, err
	}
	if s.m, err = newMetrics(deps.Registerer, s.queueLen, func() float64 { return float64(s.kernelDrops()) }); err != nil {
		return nil, err
	}
	s.limiter = newRateLog(s.logger, 10*time.Second, deps.Now)
	return s, nil
}

// EngineID is the receiver's SNMPv3 engine ID in hex, which v3 inform
// senders need (net-snmp discovers it; others may need it configured).
func (s *Service) EngineID() string { return s.usm.engineIDHex() }

// Stats are the counters since New.
func (s *Service) Stats() Stats {
	st := s.m.stats()
	st.KernelDrops = s.kernelDrops()
	s.mu.Lock()
	st.ReadBuffer = s.readBuf
	s.mu.Unlock()
	return st
}

// Recent returns the recent traps matching q, oldest first.
func (s *Service) Recent(q Query) []Record {
	es := s.ring.query(q)
	out := make([]Record, len(es))
	for i := range es {
		out[i] = es[i].record(s.deps.Names)
	}
	return out
}

// Addrs are the bound addresses (useful with port 0).
func (s *Service) Addrs() []netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []netip.AddrPort
	for _, c := range s.conns {
		out = append(out, c.LocalAddr().(*net.UDPAddr).AddrPort())
	}
	return out
}

// Start binds every address in Config.Listen and starts the readers and
// workers; it stops them when ctx ends or Stop is called. If an address
// cannot be bound none stays bound and the error is a *BindError.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return errors.New("trap receiver already started")
	}
	var lc net.ListenConfig
	for _, a := range s.cfg.Listen {
		pc, err := lc.ListenPacket(ctx, "udp", a)
		if err != nil {
			for _, c := range s.conns {
				c.Close()
			}
			s.conns = nil
			return &BindError{Addr: a, Err: err}
		}
		c := pc.(*net.UDPConn)
		if s.cfg.ReadBuffer > 0 {
			if err := udpsock.SetReadBuffer(c, s.cfg.ReadBuffer); err != nil {
				s.logger.Info("trap socket receive buffer smaller than asked: raise net.core.rmem_max, or grant CAP_NET_ADMIN, to absorb larger bursts",
					"addr", a, "want", s.cfg.ReadBuffer, "granted", udpsock.ReadBufferSize(c)/2, "err", err)
			}
		}
		s.conns = append(s.conns, c)
	}
	s.started = true
	s.readBuf = udpsock.ReadBufferSize(s.conns[0])
	per := max(1, s.cfg.QueueSize/s.cfg.Workers)
	for range s.cfg.Workers {
		q := make(chan packet, per)
		s.queues = append(s.queues, q)
		s.workers.Add(1)
		go s.work(q)
	}
	for _, c := range s.conns {
		s.readers.Add(1)
		go s.read(c)
		s.logger.Info("receiving SNMP traps", "addr", c.LocalAddr().String(), "engine_id", s.EngineID(),
			"read_buffer", udpsock.ReadBufferSize(c))
	}
	go func() {
		select {
		case <-ctx.Done():
			s.Stop()
		case <-s.done:
		}
	}()
	return nil
}

// Stop closes the sockets, lets the workers finish what is queued and
// waits for them. It is idempotent.
func (s *Service) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	for _, c := range s.conns {
		d, _ := udpsock.KernelDrops(c)
		s.drops += d
	}
	s.stopped = true
	close(s.done)
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.readers.Wait()
	for _, q := range s.queues {
		close(q)
	}
	s.workers.Wait()
	s.m.unregister()
}

// kernelDrops sums the sockets' kernel drops (the last count once stopped).
func (s *Service) kernelDrops() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return s.drops
	}
	var n uint64
	for _, c := range s.conns {
		d, _ := udpsock.KernelDrops(c)
		n += d
	}
	return n
}

func (s *Service) queueLen() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.queues {
		n += len(q)
	}
	return float64(n)
}

// work decodes and dispatches the datagrams of one queue.
func (s *Service) work(q <-chan packet) {
	defer s.workers.Done()
	d := newDecoder(s.usm, s.cfg.MaxDatagram)
	for p := range q {
		s.handle(d, p)
	}
}

func (s *Service) handle(d *decoder, p packet) {
	t, reply, err := d.decode(p.b, p.from, p.at)
	if reply != nil {
		if _, werr := p.conn.WriteToUDPAddrPort(reply, p.from); werr != nil {
			s.limiter.log("send", "cannot answer a trap sender", "sender", p.from.String(), "err", werr)
		} else if err == nil {
			s.m.ack()
		}
	}
	if errors.Is(err, ErrDiscovery) {
		s.m.discovery()
		return
	}
	if err != nil {
		label := s.m.reject(err)
		s.limiter.log(label, "trap rejected", "sender", p.from.String(), "reason", label, "err", err)
		return
	}
	s.m.trap(t.Version)
	s.dispatch(t)
}

// dispatch hands t to its devices, logs it and keeps it.
func (s *Service) dispatch(t Trap) {
	var devs []DeviceRef
	if s.deps.Directory != nil {
		devs = s.deps.Directory.DevicesAt(t.DeviceAddr())
	}
	msg := format(t, s.deps.Names, s.cfg.Verbose)
	if len(devs) == 0 {
		s.m.unmatch()
		// The address goes where the device name would: an IPv6 address
		// in the message would be mistaken for "map:device" when read back.
		s.writeEvent(eventlog.Event{Time: t.Received, Kind: KindTrap, Map: UnmatchedMap, Device: t.DeviceAddr().String(), Message: msg})
	}
	for _, d := range devs {
		s.writeEvent(eventlog.Event{Time: t.Received, Kind: KindTrap, Map: d.Map, Device: d.Device, Message: msg})
		if s.deps.Deliver != nil {
			s.deps.Deliver(d, t.Clone())
		}
	}
	s.m.deliver(len(devs))
	id := s.ring.add(t, devs, msg)
	if s.deps.Observe != nil {
		e := entry{id: id, trap: t, devices: devs, message: msg}
		e.trap.Community = ""
		s.deps.Observe(e.record(s.deps.Names))
	}
}

func (s *Service) writeEvent(e eventlog.Event) {
	if s.deps.Events == nil {
		return
	}
	if err := s.deps.Events.Write(e); err != nil {
		s.limiter.log("eventlog", "cannot write a trap to the event log", "err", err)
	}
}

// BindError is a listen address that could not be bound.
type BindError struct {
	Addr string
	Err  error
}

func (e *BindError) Error() string {
	if needsPrivilege(e.Addr, e.Err) {
		return fmt.Sprintf("traps on %s need root or CAP_NET_BIND_SERVICE; use --traps :1162", e.Addr)
	}
	return fmt.Sprintf("traps on %s: %v", e.Addr, e.Err)
}

func (e *BindError) Unwrap() error { return e.Err }

// Privileged is true when the address could not be bound for lack of the
// privilege to use a port below 1024.
func (e *BindError) Privileged() bool { return needsPrivilege(e.Addr, e.Err) }
