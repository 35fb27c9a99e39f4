package flowstore

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
)

// Builder merges flow records into bidirectional sessions. It implements
// flow.Sink: Records only updates memory under a lock, never waits for the
// store. Run expires sessions and writes finished ones to a Writer.
type Builder struct {
	cfg BuilderConfig
	log *slog.Logger

	mu   sync.Mutex
	seed maphash.Seed
	// hashKey is maphash over the packed key; tests make it collide.
	hashKey func(packedKey) uint64
	// open is keyed by a hash of the packed key, colliding sessions chained
	// through openSession.next: a uint64 key takes the map's fast path,
	// where comparing 53-byte keys was a fifth of the time per record.
	open    map[uint64]*openSession
	nOpen   int
	owner   map[packedTuple]*openSession // the session totals count, per 5-tuple
	idle    idleList                     // open sessions, least recently seen first
	pending []Session
	stats   BuilderStats
}

// BuilderStats counts what the builder did, for /metrics and the about
// page.
type BuilderStats struct {
	Records    uint64 `json:"records"`      // records received
	Sessions   uint64 `json:"sessions"`     // sessions (and pieces) finished
	Duplicates uint64 `json:"duplicates"`   // of those, reported first by another exporter
	Evicted    uint64 `json:"evicted"`      // stored early because MaxOpen was reached
	Dropped    uint64 `json:"dropped"`      // finished but dropped: MaxPending reached
	WriteErrs  uint64 `json:"write_errors"` // batches the store refused
	Open       int    `json:"open"`         // sessions open now
}

// Writer stores finished sessions; Store implements it.
type Writer interface {
	Insert(ctx context.Context, sessions []Session) error
}

type openKey struct {
	exporter netip.Addr
	t        tuple
}

// openSession accumulates one exporter's view of a session, in the
// tuple's a/b orientation; roles are decided when it is finished.
type openSession struct {
	key        openKey
	packed     packedKey
	hash       uint64
	next       *openSession // same hash
	start, end int64        // milliseconds
	lastSeen   int64        // Unix nanoseconds
	bytesAB    uint64
	pktsAB     uint64
	bytesBA    uint64
	pktsBA     uint64
	ifA, ifB   [2]uint32 // in, out ifIndex of records sent by a, by b
	hasA, hasB bool
	flows      uint32
	sampling   uint32
	syn, first side
	dup, cont  bool
	inOpen     bool
	older      *openSession // idle list neighbours
	newer      *openSession
}

// NewBuilder returns a builder; a nil logger discards.
func NewBuilder(cfg BuilderConfig, logger *slog.Logger) (*Builder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("flow session builder: %w", err)
	}
	if cfg.Ports.names == nil {
		cfg.Ports = DefaultPorts()
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Builder{
		cfg:   cfg,
		log:   logger,
		seed:  maphash.MakeSeed(),
		open:  make(map[uint64]*openSession),
		owner: make(map[packedTuple]*openSession),
	}, nil
}

// Records merges a batch (flow.Sink).
func (b *Builder) Records(batch []flow.Record) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range batch {
		b.add(&batch[i])
	}
}

// Latency is how long traffic may wait in the builder before it is
// stored: the longer of the inactive timeout and the piece length, plus
// one flush.
func (b *Builder) Latency() time.Duration {
	return max(b.cfg.Inactive, b.cfg.Active) + b.cfg.FlushInterval
}

// Stats returns the counters.
func (b *Builder) Stats() BuilderStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.Open = b.nOpen
	return s
}

func (b *Builder) add(r *flow.Record) {
	b.stats.Records++
	if !r.SrcAddr.IsValid() || !r.DstAddr.IsValid() {
		return
	}
	t, src := makeTuple(endpoint{r.SrcAddr.Unmap(), r.SrcPort}, endpoint{r.DstAddr.Unmap(), r.DstPort}, r.Proto)
	key := openKey{exporter: r.Exporter.Unmap(), t: t}
	start, end := r.Start.UnixMilli(), r.End.UnixMilli()
	if end < start {
		start, end = end, start
	}
	seen := r.Received
	if seen.IsZero() {
		seen = time.Now()
	}
	inactive := b.cfg.Inactive.Milliseconds()

	pk := key.pack()
	h := b.hash(&pk)
	s := b.lookup(h, &pk)
	if s != nil && (start > s.end+inactive || end < s.start-inactive) {
		// Far from the open session in time (a late or replayed record):
		// a session of its own, leaving the open one alone.
		o := b.newSession(key, start, end, src)
		o.merge(r, src, start, end)
		b.finish(o)
		return
	}
	if s == nil {
		if b.nOpen >= b.cfg.MaxOpen {
			b.evictOldest()
		}
		s = b.newSession(key, start, end, src)
		s.packed, s.hash = pk, h
		b.insert(s)
		if pt := t.pack(); b.owner[pt] == nil && !s.dup {
			b.owner[pt] = s
		}
	} else if end-s.start >= b.cfg.Active.Milliseconds() && s.flows > 0 {
		// A long session: store what it has so far as one piece and go on
		// with the next, contiguous piece.
		b.emit(s)
		s.start, s.cont = s.end, true
		s.bytesAB, s.pktsAB, s.bytesBA, s.pktsBA, s.flows = 0, 0, 0, 0, 0
	}
	s.merge(r, src, max(start, s.startFloor()), end)
	if ns := seen.UnixNano(); ns > s.lastSeen {
		s.lastSeen = ns
	}
	b.idle.moveToBack(s)
}

func (b *Builder) hash(pk *packedKey) uint64 {
	if b.hashKey != nil {
		return b.hashKey(*pk)
	}
	return maphash.Bytes(b.seed, pk[:])
}

// lookup finds the open session with packed key pk and hash h.
func (b *Builder) lookup(h uint64, pk *packedKey) *openSession {
	for s := b.open[h]; s != nil; s = s.next {
		if s.packed == *pk {
			return s
		}
	}
	return nil
}

// insert opens s (its packed key and hash set) as the newest session.
func (b *Builder) insert(s *openSession) {
	s.next = b.open[s.hash]
	b.open[s.hash] = s
	s.inOpen = true
	b.nOpen++
	b.idle.pushBack(s)
}

// remove forgets an open session.
func (b *Builder) remove(s *openSession) {
	if !s.inOpen {
		return
	}
	s.inOpen = false
	b.nOpen--
	b.idle.remove(s)
	head := b.open[s.hash]
	if head == s {
		if s.next == nil {
			delete(b.open, s.hash)
		} else {
			b.open[s.hash] = s.next
		}
	} else {
		for p := head; p != nil; p = p.next {
			if p.next == s {
				p.next = s.next
				break
			}
		}
	}
	s.next = nil
}

// idleList orders the open sessions by when they were last seen, the
// least recent first; its links live in the sessions, so moving one is a
// few pointer writes and no allocation.
type idleList struct{ oldest, newest *openSession }

func (l *idleList) pushBack(s *openSession) {
	s.older, s.newer = l.newest, nil
	if l.newest != nil {
		l.newest.newer = s
	} else {
		l.oldest = s
	}
	l.newest = s
}

func (l *idleList) remove(s *openSession) {
	if s.older != nil {
		s.older.newer = s.newer
	} else {
		l.oldest = s.newer
	}
	if s.newer != nil {
		s.newer.older = s.older
	} else {
		l.newest = s.older
	}
	s.older, s.newer = nil, nil
}

func (l *idleList) moveToBack(s *openSession) {
	if l.newest == s {
		return
	}
	l.remove(s)
	l.pushBack(s)
}

// newSession starts a session and decides whether it is a duplicate: it is
// when another exporter's session for the same 5-tuple is open and
// overlaps it in time.
func (b *Builder) newSession(key openKey, start, end int64, src side) *openSession {
	s := &openSession{key: key, start: start, end: end, first: src}
	if o := b.owner[key.t.pack()]; o != nil && o.key.exporter != key.exporter {
		inactive := b.cfg.Inactive.Milliseconds()
		s.dup = start <= o.end+inactive && end >= o.start-inactive
	}
	return s
}

// startFloor is the earliest time a record may move a session's start to:
// pieces after the first stay contiguous with the previous piece.
func (s *openSession) startFloor() int64 {
	if s.cont {
		return s.start
	}
	return -1 << 62
}

func (s *openSession) merge(r *flow.Record, src side, start, end int64) {
	if s.flows == 0 && !s.cont {
		s.start, s.end = start, end
	}
	s.start = min(s.start, start)
	s.end = max(s.end, end)
	fwdB, fwdP, revB, revP := r.Bytes, r.Packets, r.RevBytes, r.RevPackets
	if src == sideB {
		fwdB, fwdP, revB, revP = revB, revP, fwdB, fwdP
		if !s.hasB {
			s.ifB, s.hasB = [2]uint32{r.InIf, r.OutIf}, true
		}
	} else if !s.hasA {
		s.ifA, s.hasA = [2]uint32{r.InIf, r.OutIf}, true
	}
	s.bytesAB += fwdB
	s.pktsAB += fwdP
	s.bytesBA += revB
	s.pktsBA += revP
	s.flows++
	s.sampling = max(s.sampling, r.SamplingRate, 1)
	if s.syn == sideNone && isClientSYN(r.Proto, r.TCPFlags) {
		s.syn = src
	}
}
