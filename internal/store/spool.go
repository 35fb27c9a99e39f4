package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// BatchWriter is where a Forwarder sends samples: a *Central, or anything
// else that stores a batch atomically and idempotently (a replayed batch must
// change nothing).
type BatchWriter interface {
	Write(ctx context.Context, samples []chart.Sample) error
}

// pinger is implemented by writers that can check their link without
// writing (Central.Ping); the Forwarder uses it to keep Status current
// while there is nothing to write.
type pinger interface {
	Ping(ctx context.Context) error
}

// ErrSpoolFull is returned by Forwarder.Write when the central database is
// unreachable and the spool has reached its size bound: the batch is
// dropped. The Forwarder has already counted and logged it.
var ErrSpoolFull = errors.New("spool full")

// ForwarderOptions tune a Forwarder; zero values take the defaults.
type ForwarderOptions struct {
	// MaxSpoolBytes bounds the spool file (default 1 GiB). Beyond it new
	// batches are dropped, counted and logged, so a long outage cannot
	// fill the disk the server needs for everything else.
	MaxSpoolBytes int64
	// WriteTimeout is how long Write waits for the central database before
	// spooling instead (default 5s): monitoring must not stall on a dead
	// database.
	WriteTimeout time.Duration
	// ReplayTimeout bounds one replay batch (default 60s).
	ReplayTimeout time.Duration
	// MinBackoff and MaxBackoff bound the exponential back-off between
	// reconnection attempts (defaults 500ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// ReplayBatchRows is about how many rows one replay transaction carries
	// (default 5000; whole spool records are never split).
	ReplayBatchRows int
	// HealthInterval is how often an idle Forwarder pings the central
	// database so Status stays true (default 30s; needs a Ping method).
	HealthInterval time.Duration
}

func (o ForwarderOptions) withDefaults() ForwarderOptions {
	if o.MaxSpoolBytes <= 0 {
		o.MaxSpoolBytes = 1 << 30
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.ReplayTimeout <= 0 {
		o.ReplayTimeout = 60 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	if o.ReplayBatchRows <= 0 {
		o.ReplayBatchRows = 5000
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 30 * time.Second
	}
	return o
}

// ForwarderStatus is the state of the link to the central database, as
// GET /api/v1/server shows it.
type ForwarderStatus struct {
	// Connected is whether the last attempt to reach the database worked.
	Connected bool `json:"connected"`
	// SpooledRows is how many samples wait in the spool for replay.
	SpooledRows int64 `json:"spooled_rows"`
	// SpoolBytes is the size of the spool file on disk (bounded by
	// MaxSpoolBytes); it goes back to 0 once everything is replayed.
	SpoolBytes int64 `json:"spool_bytes"`
	// LastError and LastErrorTime describe the most recent failure.
	LastError     string    `json:"last_error,omitempty"`
	LastErrorTime time.Time `json:"last_error_time,omitzero"`
	// Written counts samples written directly, Replayed those written
	// from the spool.
	Written  int64 `json:"written_rows"`
	Replayed int64 `json:"replayed_rows"`
	// DroppedRows counts samples lost because the spool was full;
	// RejectedRows those the database refused for their content. Both are
	// also logged at error level.
	DroppedRows  int64 `json:"dropped_rows"`
	RejectedRows int64 `json:"rejected_rows"`
}

// Forwarder writes samples to the central database and, while it is
// unreachable, to a local spool file that Run replays in order when the
// database is back: nothing is lost (within the spool bound) and, because
// the central Write is idempotent, nothing is doubled, even when a batch
// whose commit acknowledgement was lost is replayed.
//
// The spool is append-only: records of [magic, length, CRC-32C, payload].
// A torn record at the end (a crash mid-append) or a damaged one in the
// middle is skipped with a log line. The replay position lives in a small
// side file (spool path + ".pos") updated after each committed replay
// batch; when the spool is drained both are reset to empty.
type Forwarder struct {
	w       BatchWriter
	log     *slog.Logger
	opts    ForwarderOptions
	path    string
	posPath string

	// mu serialises writers and guards the spool file and positions; it is
	// held during a direct write so that samples keep their order.
	mu      sync.Mutex
	file    *os.File // append handle
	reader  *os.File // replay handle
	posFile *os.File
	size    int64 // bytes in the spool (always at a record boundary)
	pos     int64 // replay position
	pending int64 // rows in [pos, size)
	closed  bool

	wake chan struct{}

	// stMu guards st, so Status never waits for a slow database write.
	stMu        sync.Mutex
	st          ForwarderStatus
	downLogged  bool // an outage has been logged and the link not up since
	lastDropLog time.Time
	dropsToLog  int64
}

// NewForwarder opens (creating if needed) the spool at spoolPath in front
// of w. An existing spool from an earlier run is checked: a torn tail is cut
// off (and logged) and its rows wait for Run to replay them.
func NewForwarder(w BatchWriter, spoolPath string, logger *slog.Logger, opts ForwarderOptions) (*Forwarder, error) {
	if logger == nil {
		logger = slog.Default()
	}
	f := &Forwarder{
		w:       w,
		log:     logger.With("component", "central-forwarder"),
		opts:    opts.withDefaults(),
		path:    spoolPath,
		posPath: spoolPath + ".pos",
		wake:    make(chan struct{}, 1),
	}
	if err := os.MkdirAll(filepath.Dir(spoolPath), 0o755); err != nil {
		return nil, fmt.Errorf("spool folder: %w", err)
	}
	if err := f.open(); err != nil {
		f.closeFiles()
		return nil, fmt.Errorf("spool %s: %w", spoolPath, err)
	}
	f.publishLocked()
	return f, nil
}

func (f *Forwarder) open() error {
	var err error
	if f.file, err = os.OpenFile(f.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return err
	}
	if f.reader, err = os.Open(f.path); err != nil {
		return err
	}
	if f.posFile, err = os.OpenFile(f.posPath, os.O_CREATE|os.O_RDWR, 0o600); err != nil {
		return err
	}
	fi, err := f.file.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	f.pos = f.readPos()
	if f.pos > size {
		f.log.Warn("spool position beyond the end of the spool; replaying it all (the central database ignores what it already has)",
			"position", f.pos, "size", size)
		f.pos = 0
	}
	var rows int64
	_, lastGood, gaps, err := scanSpool(f.reader, f.pos, size, func(p []byte) bool {
		n, _ := spoolPayloadRows(p)
		rows += int64(n)
		return true
	})
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	for _, g := range gaps {
		if g.end == size && g.start == lastGood {
			continue // the torn tail, reported below
		}
		f.log.Error("spool: damaged record skipped; its samples are lost", "offset", g.start, "bytes", g.end-g.start)
	}
	if lastGood < size && lastGood >= f.pos {
		f.log.Warn("spool: torn record at the end (a crash while spooling?) cut off; samples spooled before it are kept",
			"offset", lastGood, "bytes", size-lastGood)
		if err := f.file.Truncate(lastGood); err != nil {
			return fmt.Errorf("cut torn tail: %w", err)
		}
		size = lastGood
	}
	f.size = size
	f.pending = rows
	if rows > 0 {
		f.log.Info("spool: samples from an earlier run wait for the central database", "rows", rows, "bytes", size-f.pos)
	}
	return nil
}

// Path is the spool file's path.
func (f *Forwarder) Path() string { return f.path }

// Write sends samples to the central database or, when it is unreachable
// or older samples still wait in the spool, appends them to the spool. It
// waits for the database at most WriteTimeout, and once spooling only for
// the local disk. A nil error means the samples are stored or safely
// spooled; ErrSpoolFull and ErrRejected mean they are dropped (and counted
// and logged).
func (f *Forwarder) Write(ctx context.Context, samples []chart.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errors.New("forwarder closed")
	}
	if f.size == 0 {
		wctx, cancel := context.WithTimeout(ctx, f.opts.WriteTimeout)
		err := f.w.Write(wctx, samples)
		cancel()
		if err == nil {
			f.setConnected()
			f.stMu.Lock()
			f.st.Written += int64(len(samples))
			f.stMu.Unlock()
			return nil
		}
		if errors.Is(err, ErrRejected) {
			f.reject(len(samples), err)
			return err
		}
		if f.setFailed(err) {
			f.log.Warn("central database unreachable: spooling samples until it is back", "spool", f.path, "err", err)
		}
	}
	return f.appendLocked(samples)
}

// appendLocked appends one record; f.mu is held.
func (f *Forwarder) appendLocked(samples []chart.Sample) error {
	rec := appendSpoolRecord(nil, samples)
	if f.size+int64(len(rec)) > f.opts.MaxSpoolBytes {
		f.drop(len(samples))
		return fmt.Errorf("%d samples dropped: %w (%d of %d bytes)", len(samples), ErrSpoolFull, f.size, f.opts.MaxSpoolBytes)
	}
	if _, err := f.file.Write(rec); err != nil {
		// Leave no partial record behind for the next append to follow.
		if terr := f.file.Truncate(f.size); terr != nil {
			f.log.Error("spool: cannot cut a failed append", "err", terr)
		}
		f.drop(len(samples))
		return fmt.Errorf("spool %d samples: %w", len(samples), err)
	}
	// A spooled batch must survive a power cut, not only a crash: the
	// database may have been away for hours.
	if err := f.file.Sync(); err != nil {
		f.log.Warn("spool: fsync failed", "err", err)
	}
	f.size += int64(len(rec))
	f.pending += int64(len(samples))
	f.publishLocked()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return nil
}

// drop counts and logs samples lost for want of spool space. The log is
// rate-limited to a line every 10 seconds, each with the count since the
// previous line, so nothing goes unreported and the log is not flooded.
func (f *Forwarder) drop(n int) {
	f.stMu.Lock()
	f.st.DroppedRows += int64(n)
	total := f.st.DroppedRows
	f.dropsToLog += int64(n)
	now := time.Now()
	logIt := f.lastDropLog.IsZero() || now.Sub(f.lastDropLog) >= 10*time.Second
	var count int64
	if logIt {
		count = f.dropsToLog
		f.dropsToLog = 0
		f.lastDropLog = now
	}
	f.stMu.Unlock()
	if logIt {
		f.log.Error("SPOOL FULL: central database samples dropped", "dropped", count, "dropped_total", total,
			"spool", f.path, "max_bytes", f.opts.MaxSpoolBytes)
	}
}

func (f *Forwarder) reject(n int, err error) {
	f.stMu.Lock()
	f.st.RejectedRows += int64(n)
	f.st.LastError = err.Error()
	f.st.LastErrorTime = time.Now()
	f.stMu.Unlock()
	f.log.Error("central database refused samples; they are dropped", "rows", n, "err", err)
}

// setFailed records a failed attempt and reports whether it is the first
// since the link was last up (so an outage is logged once, not at every
// retry).
func (f *Forwarder) setFailed(err error) bool {
	f.stMu.Lock()
	defer f.stMu.Unlock()
	first := !f.downLogged
	f.downLogged = true
	f.st.Connected = false
	f.st.LastError = err.Error()
	f.st.LastErrorTime = time.Now()
	return first
}

// setConnected records a successful attempt.
func (f *Forwarder) setConnected() {
	f.stMu.Lock()
	defer f.stMu.Unlock()
	f.st.Connected = true
	f.downLogged = false
}

// publishLocked copies the spool counters into the status; f.mu is held.
func (f *Forwarder) publishLocked() {
	f.stMu.Lock()
	f.st.SpooledRows = f.pending
	f.st.SpoolBytes = f.size
	f.stMu.Unlock()
}

// Status returns the state of the link and the spool.
func (f *Forwarder) Status() ForwarderStatus {
	f.stMu.Lock()
	defer f.stMu.Unlock()
	return f.st
}

// Run replays the spool whenever it holds samples, retrying with
// exponential back-off (with jitter) while the database is away, until ctx
// ends. It returns nil when ctx is done; samples still spooled stay on disk
// for the next run.
func (f *Forwarder) Run(ctx context.Context) error {
	backoff := f.opts.MinBackoff
	health := time.NewTicker(f.opts.HealthInterval)
	defer health.Stop()
	f.ping(ctx)
	for {
		if f.hasPending() {
			err := f.replay(ctx)
			if err == nil {
				backoff = f.opts.MinBackoff
				continue
			}
			if ctx.Err() != nil {
				return nil
			}
			if f.setFailed(err) {
				f.log.Warn("central database unreachable: replay paused", "err", err)
			} else {
				f.log.Debug("central database still unreachable", "err", err, "retry_in", backoff)
			}
			wait := backoff/2 + rand.N(backoff/2+1)
			backoff = min(backoff*2, f.opts.MaxBackoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-health.C:
			f.ping(ctx)
		}
	}
}

// ping refreshes Connected while there is nothing to write.
func (f *Forwarder) ping(ctx context.Context) {
	p, ok := f.w.(pinger)
	if !ok || f.hasPending() {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, f.opts.WriteTimeout)
	err := p.Ping(pctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		if f.setFailed(err) {
			f.log.Warn("central database unreachable", "err", err)
		}
		return
	}
	f.setConnected()
}

func (f *Forwarder) hasPending() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.closed && f.size > 0
}

// replay writes the spool to the database oldest first, a batch per
// transaction, moving the replay position after each commit, until the
// spool is empty; then it resets the spool so Write goes direct again.
func (f *Forwarder) replay(ctx context.Context) error {
	started, total := time.Now(), int64(0)
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return errors.New("forwarder closed")
		}
		pos, end := f.pos, f.size
		if pos >= end {
			err := f.resetLocked()
			f.mu.Unlock()
			if err != nil {
				return err
			}
			f.setConnected()
			if total > 0 {
				el := time.Since(started)
				f.log.Info("spool replayed to the central database", "rows", total, "took", el.Round(time.Millisecond),
					"rows_per_second", int64(float64(total)/max(el.Seconds(), 1e-3)))
			}
			return nil
		}
		f.mu.Unlock()

		// Only the replay goroutine moves pos or shrinks the file, and
		// [pos, end) is complete, so it is read without the lock.
		var batch []chart.Sample
		var records [][]chart.Sample
		next, _, gaps, err := scanSpool(f.reader, pos, end, func(p []byte) bool {
			s, derr := decodeSpoolPayload(p)
			if derr != nil { // cannot happen after scanSpool's check; be safe
				f.log.Error("spool: undecodable record skipped", "err", derr)
				return true
			}
			records = append(records, s)
			batch = append(batch, s...)
			return len(batch) < f.opts.ReplayBatchRows
		})
		if err != nil {
			return fmt.Errorf("read spool: %w", err)
		}
		for _, g := range gaps {
			f.log.Error("spool: damaged record skipped; its samples are lost", "offset", g.start, "bytes", g.end-g.start)
		}
		rejected, err := f.writeReplay(ctx, batch, records)
		if err != nil {
			return err
		}
		f.mu.Lock()
		f.pos = next
		f.pending = max(0, f.pending-int64(len(batch)))
		perr := f.writePos(next)
		f.publishLocked()
		f.mu.Unlock()
		if perr != nil {
			// Not fatal: at worst a restart replays this batch again, which
			// the database ignores.
			f.log.Warn("spool: cannot save the replay position", "err", perr)
		}
		total += int64(len(batch) - rejected)
		f.stMu.Lock()
		f.st.Replayed += int64(len(batch) - rejected)
		f.stMu.Unlock()
		f.setConnected()
	}
}

// writeReplay writes one replay batch. When the database refuses it for
// its content, the records are tried one by one so that only the bad ones
// are dropped; it returns how many rows were.
func (f *Forwarder) writeReplay(ctx context.Context, batch []chart.Sample, records [][]chart.Sample) (rejected int, err error) {
	if len(batch) == 0 {
		return 0, nil
	}
	wctx, cancel := context.WithTimeout(ctx, f.opts.ReplayTimeout)
	defer cancel()
	err = f.w.Write(wctx, batch)
	if err == nil || !errors.Is(err, ErrRejected) {
		return 0, err
	}
	for _, r := range records {
		if err := f.w.Write(wctx, r); err != nil {
			if !errors.Is(err, ErrRejected) {
				return 0, err
			}
			f.reject(len(r), err)
			rejected += len(r)
		}
	}
	return rejected, nil
}

// resetLocked empties a fully replayed spool. The position is zeroed
// before the file is cut: a crash in between replays the spool once more
// (harmless), whereas the other order could skip later samples.
func (f *Forwarder) resetLocked() error {
	if f.size == 0 && f.pos == 0 {
		return nil
	}
	if err := f.writePos(0); err != nil {
		return fmt.Errorf("reset spool position: %w", err)
	}
	if err := f.file.Truncate(0); err != nil {
		return fmt.Errorf("empty spool: %w", err)
	}
	f.size, f.pos, f.pending = 0, 0, 0
	f.publishLocked()
	return nil
}

// The position file holds "VPOS", the offset and a CRC-32C of both, so a
// torn update reads as "start from the beginning", which is safe.
const spoolPosMagic = "VPOS"

func (f *Forwarder) writePos(off int64) error {
	var b [16]byte
	copy(b[:4], spoolPosMagic)
	binary.BigEndian.PutUint64(b[4:12], uint64(off))
	binary.BigEndian.PutUint32(b[12:], crc32.Checksum(b[:12], spoolCRC))
	if _, err := f.posFile.WriteAt(b[:], 0); err != nil {
		return err
	}
	return f.posFile.Sync()
}

func (f *Forwarder) readPos() int64 {
	var b [16]byte
	if _, err := f.posFile.ReadAt(b[:], 0); err != nil {
		return 0
	}
	if string(b[:4]) != spoolPosMagic || binary.BigEndian.Uint32(b[12:]) != crc32.Checksum(b[:12], spoolCRC) {
		return 0
	}
	off := int64(binary.BigEndian.Uint64(b[4:12]))
	if off < 0 {
		return 0
	}
	return off
}

// Close closes the spool files; call it after Run has returned. Spooled
// samples stay on disk for the next NewForwarder.
func (f *Forwarder) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	return f.closeFiles()
}

func (f *Forwarder) closeFiles() error {
	var errs []error
	for _, c := range []*os.File{f.file, f.reader, f.posFile} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// Spool record format:
//
//	"VSP1" | payload length uint32 BE | CRC-32C(length bytes, payload) uint32 BE | payload
//
// payload: uvarint sample count, then per sample seven uvarint-length
// strings (server, map, device, dataset, label, units, interface), varint
// unix seconds, uvarint nanoseconds, float64 bits little-endian.
const (
	spoolMagic      = "VSP1"
	spoolHeaderLen  = 12
	spoolMaxPayload = 64 << 20
	// spoolMinSample is the smallest encoded sample: seven empty strings,
	// one-byte seconds and nanoseconds, eight value bytes.
	spoolMinSample = 7 + 1 + 1 + 8
)

var spoolCRC = crc32.MakeTable(crc32.Castagnoli)

// appendSpoolRecord appends the record for samples to dst.
func appendSpoolRecord(dst []byte, samples []chart.Sample) []byte {
	start := len(dst)
	dst = append(dst, spoolMagic...)
	dst = append(dst, make([]byte, 8)...)
	dst = binary.AppendUvarint(dst, uint64(len(samples)))
	for _, s := range samples {
		for _, str := range [...]string{s.Server, s.Map, s.Device, s.Dataset, s.Label, s.Units, s.Interface} {
			dst = binary.AppendUvarint(dst, uint64(len(str)))
			dst = append(dst, str...)
		}
		dst = binary.AppendVarint(dst, s.Time.Unix())
		dst = binary.AppendUvarint(dst, uint64(s.Time.Nanosecond()))
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(s.Value))
	}
	n := len(dst) - start - spoolHeaderLen
	binary.BigEndian.PutUint32(dst[start+4:], uint32(n))
	crc := crc32.Update(0, spoolCRC, dst[start+4:start+8])
	crc = crc32.Update(crc, spoolCRC, dst[start+spoolHeaderLen:])
	binary.BigEndian.PutUint32(dst[start+8:], crc)
	return dst
}

var errSpoolPayload = errors.New("malformed spool payload")

// spoolPayloadRows checks a payload's structure without allocating and
// returns its sample count.
func spoolPayloadRows(p []byte) (int, error) {
	n, err := walkSpoolPayload(p, nil)
	return n, err
}

// decodeSpoolPayload decodes a record payload.
func decodeSpoolPayload(p []byte) ([]chart.Sample, error) {
	var out []chart.Sample
	_, err := walkSpoolPayload(p, func(s chart.Sample) {
		out = append(out, s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// walkSpoolPayload parses p, handing each sample to emit when it is not
// nil. Every length is checked against what is left, so hostile input
// costs no more memory than its own size.
func walkSpoolPayload(p []byte, emit func(chart.Sample)) (int, error) {
	count, k := binary.Uvarint(p)
	if k <= 0 {
		return 0, fmt.Errorf("%w: sample count", errSpoolPayload)
	}
	p = p[k:]
	if count > uint64(len(p)/spoolMinSample) {
		return 0, fmt.Errorf("%w: %d samples cannot fit in %d bytes", errSpoolPayload, count, len(p))
	}
	for i := uint64(0); i < count; i++ {
		var strs [7]string
		for j := range strs {
			l, k := binary.Uvarint(p)
			if k <= 0 || l > uint64(len(p)-k) {
				return 0, fmt.Errorf("%w: sample %d: string %d", errSpoolPayload, i, j)
			}
			if emit != nil {
				strs[j] = string(p[k : k+int(l)])
			}
			p = p[k+int(l):]
		}
		sec, k := binary.Varint(p)
		if k <= 0 {
			return 0, fmt.Errorf("%w: sample %d: time", errSpoolPayload, i)
		}
		p = p[k:]
		nsec, k := binary.Uvarint(p)
		if k <= 0 || nsec >= 1e9 {
			return 0, fmt.Errorf("%w: sample %d: time", errSpoolPayload, i)
		}
		p = p[k:]
		if len(p) < 8 {
			return 0, fmt.Errorf("%w: sample %d: value", errSpoolPayload, i)
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(p))
		p = p[8:]
		if emit != nil {
			emit(chart.Sample{
				Series: chart.Series{Server: strs[0], Map: strs[1], Device: strs[2], Dataset: strs[3]},
				Label:  strs[4], Units: strs[5], Interface: strs[6],
				Time:  time.Unix(sec, int64(nsec)),
				Value: v,
			})
		}
	}
	if len(p) != 0 {
		return 0, fmt.Errorf("%w: %d bytes after the last sample", errSpoolPayload, len(p))
	}
	return int(count), nil
}

// spoolGap is a damaged byte range [start, end) of a spool.
type spoolGap struct{ start, end int64 }

// readSpoolRecord reads the record at off (ending by end) and returns its
// payload and the offset after it; ok is false when no valid record starts
// there (wrong magic, impossible length, bad checksum, torn, malformed).
func readSpoolRecord(r io.ReaderAt, off, end int64) (payload []byte, next int64, ok bool, err error) {
	if end-off < spoolHeaderLen {
		return nil, 0, false, nil
	}
	var h [spoolHeaderLen]byte
	if _, err := r.ReadAt(h[:], off); err != nil {
		return nil, 0, false, err
	}
	if string(h[:4]) != spoolMagic {
		return nil, 0, false, nil
	}
	n := int64(binary.BigEndian.Uint32(h[4:8]))
	if n > spoolMaxPayload || n > end-off-spoolHeaderLen {
		return nil, 0, false, nil
	}
	payload = make([]byte, n)
	if _, err := r.ReadAt(payload, off+spoolHeaderLen); err != nil {
		return nil, 0, false, err
	}
	crc := crc32.Update(0, spoolCRC, h[4:8])
	if crc32.Update(crc, spoolCRC, payload) != binary.BigEndian.Uint32(h[8:]) {
		return nil, 0, false, nil
	}
	if _, err := spoolPayloadRows(payload); err != nil {
		return nil, 0, false, nil
	}
	return payload, off + spoolHeaderLen + n, true, nil
}

// scanSpool walks the valid records in [off, end) of r in order, calling
// visit with each payload until visit returns false. Damaged ranges are
// skipped by searching for the next valid record and returned as gaps.
// stop is where a later scan should resume; lastGood is the end of the last
// valid record seen (off when none), which tells a torn tail from damage in
// the middle. err is an I/O error only.
func scanSpool(r io.ReaderAt, off, end int64, visit func(payload []byte) bool) (stop, lastGood int64, gaps []spoolGap, err error) {
	lastGood = off
	for off < end {
		payload, next, ok, err := readSpoolRecord(r, off, end)
		if err != nil {
			return off, lastGood, gaps, err
		}
		if !ok {
			resync, err := findSpoolRecord(r, off+1, end)
			if err != nil {
				return off, lastGood, gaps, err
			}
			gaps = append(gaps, spoolGap{off, resync})
			off = resync
			continue
		}
		off, lastGood = next, next
		if !visit(payload) {
			break
		}
	}
	return off, lastGood, gaps, nil
}

// findSpoolRecord returns the offset of the first valid record at or after
// from, or end when there is none.
func findSpoolRecord(r io.ReaderAt, from, end int64) (int64, error) {
	const chunk = 64 << 10
	buf := make([]byte, chunk+len(spoolMagic)-1)
	for from < end {
		n := min(int64(len(buf)), end-from)
		if _, err := r.ReadAt(buf[:n], from); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(spoolMagic))
			if j < 0 {
				break
			}
			cand := from + int64(i+j)
			if _, _, ok, err := readSpoolRecord(r, cand, end); err != nil {
				return 0, err
			} else if ok {
				return cand, nil
			}
			i += j + 1
		}
		if n < int64(len(buf)) {
			break
		}
		from += chunk
	}
	return end, nil
}

// decodeSpool decodes a whole spool image, skipping damaged records; it is
// what NewForwarder and the replay do, on a byte slice (for tests and fuzzing).
func decodeSpool(b []byte) (batches [][]chart.Sample, gaps []spoolGap) {
	_, _, gaps, _ = scanSpool(bytes.NewReader(b), 0, int64(len(b)), func(p []byte) bool {
		s, err := decodeSpoolPayload(p)
		if err == nil {
			batches = append(batches, s)
		}
		return true
	})
	return batches, gaps
}
