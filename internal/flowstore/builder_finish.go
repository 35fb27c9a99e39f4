package flowstore

import (
	"context"
	"time"
)

// emit turns an open session (or the piece it has so far) into a Session
// on the pending list.
func (b *Builder) emit(s *openSession) {
	if s.flows == 0 {
		return
	}
	if len(b.pending) >= b.cfg.MaxPending {
		b.stats.Dropped++
		return
	}
	t := s.key.t
	out := Session{
		Start:     time.UnixMilli(s.start).UTC(),
		End:       time.UnixMilli(s.end).UTC(),
		Proto:     t.proto,
		Exporter:  s.key.exporter,
		Flows:     s.flows,
		Sampling:  s.sampling,
		Duplicate: s.dup,
		Continued: s.cont,
	}
	client, server := t.a, t.b
	bcs, pcs, bsc, psc := s.bytesAB, s.pktsAB, s.bytesBA, s.pktsBA
	ifc, hasC, ifs, hasS := s.ifA, s.hasA, s.ifB, s.hasB
	if clientSide(t, s.syn, s.first, b.cfg.Ports) == sideB {
		client, server = server, client
		bcs, pcs, bsc, psc = bsc, psc, bcs, pcs
		ifc, hasC, ifs, hasS = ifs, hasS, ifc, hasC
	}
	switch {
	case hasC:
		out.InIf, out.OutIf = ifc[0], ifc[1]
	case hasS:
		out.InIf, out.OutIf = ifs[1], ifs[0]
	}
	out.Client, out.ClientPort = client.addr, client.port
	out.Server, out.ServerPort = server.addr, server.port
	out.BytesCS, out.PacketsCS, out.BytesSC, out.PacketsSC = bcs, pcs, bsc, psc
	b.pending = append(b.pending, out)
	b.stats.Sessions++
	if s.dup {
		b.stats.Duplicates++
	}
}

// finish emits a session and forgets it.
func (b *Builder) finish(s *openSession) {
	b.emit(s)
	b.remove(s)
	if pt := s.key.t.pack(); b.owner[pt] == s {
		delete(b.owner, pt)
	}
}

func (b *Builder) evictOldest() {
	if s := b.idle.oldest; s != nil {
		b.stats.Evicted++
		b.finish(s)
	}
}

// Expire finishes the sessions not seen since now minus the inactive
// timeout.
func (b *Builder) Expire(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	limit := now.Add(-b.cfg.Inactive).UnixNano()
	for s := b.idle.oldest; s != nil; s = b.idle.oldest {
		if s.lastSeen > limit {
			break
		}
		b.finish(s)
	}
}

// FlushAll finishes every open session (at shutdown).
func (b *Builder) FlushAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := b.idle.oldest; s != nil; s = b.idle.oldest {
		b.finish(s)
	}
}

// Drain takes the finished sessions waiting for the store.
func (b *Builder) Drain() []Session {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.pending
	b.pending = nil
	return out
}

// Run expires sessions every FlushInterval and writes them to w until ctx
// ends; then it finishes every open session and writes them too (with a
// 30-second limit of its own).
func (b *Builder) Run(ctx context.Context, w Writer) {
	tick := time.NewTicker(b.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			b.FlushAll()
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			b.write(wctx, w)
			cancel()
			return
		case now := <-tick.C:
			b.Expire(now)
			b.write(ctx, w)
		}
	}
}

func (b *Builder) write(ctx context.Context, w Writer) {
	batch := b.Drain()
	if len(batch) == 0 {
		return
	}
	if err := w.Insert(ctx, batch); err != nil {
		b.mu.Lock()
		b.stats.WriteErrs++
		b.mu.Unlock()
		b.log.Warn("flow sessions not stored", "sessions", len(batch), "err", err)
	}
}
