package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Deps are what the collector is given rather than builds.
type Deps struct {
	// Sink receives the decoded records in batches. Required.
	Sink Sink
	// Counters, when set, receives sFlow interface counter samples as they
	// arrive (the latest per interface is also kept: Collector.Counters).
	Counters func([]InterfaceCounters)
	// Logger; nil discards.
	Logger *slog.Logger
	// Now is the clock stamping received datagrams; nil is time.Now.
	Now func() time.Time
}

// Collector receives flow exports on any number of UDP and TCP listeners,
// decodes every format on every port, keeps per-exporter state and feeds
// a Sink. Build it with New, call Start, then ListenUDP/ListenTCP; Stop
// ends it all.
type Collector struct {
	cfg  Config
	deps Deps
	log  *slog.Logger

	mu        sync.RWMutex
	exporters map[netip.Addr]*exporter

	queues  []chan datagram
	workers sync.WaitGroup
	readers sync.WaitGroup
	dirty   atomic.Bool

	lmu       sync.Mutex
	started   bool
	stopped   bool
	closers   []func() error
	sockets   []*net.UDPConn
	housekeep chan struct{}
	hkDone    chan struct{}

	n counters
}

// counters are the collector-wide totals behind Stats.
type counters struct {
	packets, records, malformed, decodeErrors atomic.Uint64
	queueWaits, counterSamples, closedDrops   atomic.Uint64
}

// datagram is one received export waiting for a worker.
type datagram struct {
	b    []byte
	from netip.AddrPort
	at   time.Time
}

// New checks the configuration and returns an idle collector.
func New(cfg Config, deps Deps) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Sink == nil {
		return nil, errors.New("flow: a Sink is required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Readers == 0 {
		cfg.Readers = runtime.GOMAXPROCS(0)
	}
	return &Collector{cfg: cfg, deps: deps, log: deps.Logger, exporters: map[netip.Addr]*exporter{}}, nil
}

// Start loads the saved templates and starts the decoding workers and the
// housekeeping (expiring held data sets, saving templates). It does not
// listen: call ListenUDP/ListenTCP.
func (c *Collector) Start(ctx context.Context) error {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if c.started {
		return errors.New("flow: collector already started")
	}
	if c.cfg.TemplateFile != "" {
		// A damaged file must not keep flows out: it is set aside and the
		// templates come again from the exporters.
		n, err := c.loadState(c.cfg.TemplateFile)
		if err != nil {
			bad := c.cfg.TemplateFile + ".bad"
			c.log.Warn("flow template file unreadable, set aside", "err", err, "moved_to", bad)
			if rerr := os.Rename(c.cfg.TemplateFile, bad); rerr != nil {
				return fmt.Errorf("flow template file: %w (and cannot move it aside: %w)", err, rerr)
			}
		} else {
			c.log.Info("flow templates loaded", "file", c.cfg.TemplateFile, "templates", n)
		}
	}
	c.started = true
	c.queues = make([]chan datagram, c.cfg.Workers)
	for i := range c.queues {
		c.queues[i] = make(chan datagram, c.cfg.QueueSize)
		c.workers.Add(1)
		go c.work(c.queues[i])
	}
	c.housekeep, c.hkDone = make(chan struct{}), make(chan struct{})
	go c.housekeeping(ctx)
	return nil
}

// Stop closes the listeners, decodes what was already received, hands the
// last batches to the Sink and saves the templates. It is idempotent.
func (c *Collector) Stop() error {
	c.lmu.Lock()
	if !c.started || c.stopped {
		c.lmu.Unlock()
		return nil
	}
	c.stopped = true
	closers := c.closers
	c.lmu.Unlock()
	for _, cl := range closers {
		_ = cl()
	}
	c.readers.Wait()
	for _, q := range c.queues {
		close(q)
	}
	c.workers.Wait()
	close(c.housekeep)
	<-c.hkDone
	return c.saveIfDirty()
}

// work decodes the datagrams of its queue and hands records to the Sink
// when a batch is full or the queue has run dry, so batches are large
// under load and records are not held back when it is light.
func (c *Collector) work(q chan datagram) {
	defer c.workers.Done()
	out := output{records: make([]Record, 0, c.cfg.BatchSize)}
	for d := range q {
		c.handle(d.from, d.at, d.b, &out)
		if len(out.records) >= c.cfg.BatchSize || len(q) == 0 {
			c.flush(&out)
		}
	}
	c.flush(&out)
}

func (c *Collector) flush(out *output) {
	if len(out.records) > 0 {
		c.deps.Sink.Records(out.records)
		out.records = out.records[:0]
	}
	if len(out.counters) > 0 {
		if c.deps.Counters != nil {
			c.deps.Counters(out.counters)
			out.counters = nil
		} else {
			out.counters = out.counters[:0]
		}
	}
}

// enqueue hands a datagram to its exporter's worker. When that worker is
// behind, the reader waits: the socket's receive buffer (tens of MB) then
// absorbs the burst, and what overflows it is counted by the kernel as
// socket drops, rather than dropping here what was already received.
func (c *Collector) enqueue(d datagram) {
	q := c.queues[shard(d.from.Addr(), len(c.queues))]
	select {
	case q <- d:
	default:
		c.n.queueWaits.Add(1)
		q <- d
	}
}

// shard picks the worker for an exporter, the same one every time.
func shard(a netip.Addr, n int) int {
	if n == 1 {
		return 0
	}
	b := a.Unmap().As16()
	h := uint32(2166136261)
	for _, x := range b {
		h = (h ^ uint32(x)) * 16777619
	}
	return int(h % uint32(n))
}

// Decode decodes one datagram from an exporter synchronously, updating
// that exporter's templates and statistics as if it had been received,
// and returns its records and interface counters instead of handing them
// to the Sink. Tests, benchmarks and tools replaying captures use it.
func (c *Collector) Decode(from netip.AddrPort, received time.Time, b []byte) ([]Record, []InterfaceCounters, error) {
	return c.DecodeAppend(nil, from, received, b)
}

// DecodeAppend is Decode appending the records to recs, so a caller
// decoding many datagrams reuses one slice as the collector's workers do.
func (c *Collector) DecodeAppend(recs []Record, from netip.AddrPort, received time.Time, b []byte) ([]Record, []InterfaceCounters, error) {
	out := output{records: recs}
	err := c.handle(from, received, b, &out)
	return out.records, out.counters, err
}

func (c *Collector) exporter(a netip.Addr) *exporter {
	c.mu.RLock()
	e, ok := c.exporters[a]
	c.mu.RUnlock()
	if ok {
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok = c.exporters[a]; !ok {
		e = newExporter(a)
		c.exporters[a] = e
	}
	return e
}

func (c *Collector) limits() pendingLimits {
	return pendingLimits{sets: c.cfg.PendingSets, bytes: c.cfg.PendingBytes, ttl: c.cfg.PendingTTL}
}

// handle decodes one datagram into out and accounts for it.
func (c *Collector) handle(from netip.AddrPort, at time.Time, b []byte, out *output) error {
	addr := from.Addr().Unmap()
	e := c.exporter(addr)
	env := decodeEnv{now: at, pending: c.limits()}
	n0, c0 := len(out.records), len(out.counters)

	e.mu.Lock()
	if e.firstSeen.IsZero() {
		e.firstSeen = at
	}
	e.lastSeen = at
	if c.cfg.PendingTTL > 0 {
		e.stats.pendingDropped += uint64(e.pending.expire(at.Add(-c.cfg.PendingTTL)))
	}
	name, err := e.decode(b, packetInfo{from: addr, received: at}, out, &env)
	n := len(out.records) - n0
	if name != "" {
		v := e.version(name)
		v.packets++
		v.records += uint64(n)
		v.lastSeen = at
	}
	for _, ic := range out.counters[c0:] {
		e.counters[ic.IfIndex] = ic
	}
	if err != nil {
		if errors.Is(err, ErrVersion) || (n == 0 && len(out.counters) == c0 && errors.Is(err, ErrMalformed)) {
			e.stats.malformed++
			c.n.malformed.Add(1)
		} else {
			e.stats.decodeErrors++
			c.n.decodeErrors.Add(1)
		}
		e.stats.lastError = err.Error()
		e.unlogged++
		if at.Sub(e.logged) >= c.cfg.LogInterval {
			c.log.Warn("flow datagrams not fully decoded", "exporter", addr.String(), "format", name,
				"err", err, "count", e.unlogged)
			e.logged, e.unlogged = at, 0
		}
	}
	e.mu.Unlock()

	c.n.packets.Add(1)
	c.n.records.Add(uint64(n))
	c.n.counterSamples.Add(uint64(len(out.counters) - c0))
	if env.changed {
		c.dirty.Store(true)
	}
	if err != nil {
		return fmt.Errorf("flow datagram from %s: %w", from, err)
	}
	return nil
}

// Exporters lists every exporter seen (or whose templates were loaded),
// sorted by address.
func (c *Collector) Exporters() []ExporterInfo {
	c.mu.RLock()
	es := slices.Collect(maps.Values(c.exporters))
	c.mu.RUnlock()
	out := make([]ExporterInfo, 0, len(es))
	for _, e := range es {
		e.mu.Lock()
		out = append(out, e.info())
		e.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b ExporterInfo) int {
		x, _ := netip.ParseAddr(a.Address)
		y, _ := netip.ParseAddr(b.Address)
		return x.Compare(y)
	})
	return out
}

// Counters returns the latest sFlow interface counters of every exporter
// and interface, sorted by exporter and ifIndex.
func (c *Collector) Counters() []InterfaceCounters {
	c.mu.RLock()
	es := slices.Collect(maps.Values(c.exporters))
	c.mu.RUnlock()
	var out []InterfaceCounters
	for _, e := range es {
		e.mu.Lock()
		out = slices.AppendSeq(out, maps.Values(e.counters))
		e.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b InterfaceCounters) int {
		if d := a.Exporter.Compare(b.Exporter); d != 0 {
			return d
		}
		return int(int64(a.IfIndex) - int64(b.IfIndex))
	})
	return out
}

// housekeeping drops held data sets whose template never came, forgets
// templates not announced for TemplateMaxAge and saves changed templates.
func (c *Collector) housekeeping(ctx context.Context) {
	defer close(c.hkDone)
	every := time.Second
	if c.cfg.TemplateFile != "" {
		every = min(every, c.cfg.TemplateSaveInterval)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	lastSave := c.deps.Now()
	for {
		select {
		case <-c.housekeep:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := c.deps.Now()
		c.sweep(now)
		if c.cfg.TemplateFile != "" && now.Sub(lastSave) >= c.cfg.TemplateSaveInterval {
			lastSave = now
			if err := c.saveIfDirty(); err != nil {
				c.log.Warn("flow templates not saved", "err", err)
			}
		}
	}
}

func (c *Collector) sweep(now time.Time) {
	c.mu.RLock()
	es := slices.Collect(maps.Values(c.exporters))
	c.mu.RUnlock()
	for _, e := range es {
		e.mu.Lock()
		if c.cfg.PendingTTL > 0 {
			e.stats.pendingDropped += uint64(e.pending.expire(now.Add(-c.cfg.PendingTTL)))
		}
		if c.cfg.TemplateMaxAge > 0 && e.forgetTemplatesBefore(now.Add(-c.cfg.TemplateMaxAge)) {
			c.dirty.Store(true)
		}
		e.mu.Unlock()
	}
}
