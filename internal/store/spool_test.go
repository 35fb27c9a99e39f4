package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// logBuffer collects log output for assertions; slog handlers may write
// from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func bufferLogger() (*slog.Logger, *logBuffer) {
	var b logBuffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// quietLogger sends logs to the test log, shown only when a test fails or
// with -v.
func quietLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newTestForwarder(t *testing.T, w BatchWriter, path string, opts ForwarderOptions) *Forwarder {
	t.Helper()
	return newTestForwarderLog(t, w, path, opts, quietLogger(t))
}

func newTestForwarderLog(t *testing.T, w BatchWriter, path string, opts ForwarderOptions, log *slog.Logger) *Forwarder {
	t.Helper()
	f, err := NewForwarder(w, path, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// runForwarder runs f.Run until the test ends.
func runForwarder(t *testing.T, f *Forwarder) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline (a hung replay, not a slow machine, should trip it).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// memWriter is an in-memory central database: idempotent by series and
// second like Central, and able to go down or refuse samples.
type memWriter struct {
	mu     sync.Mutex
	down   bool
	hang   bool                    // block until the context ends
	reject func(chart.Sample) bool // refuse batches holding such a sample
	seen   map[memKey]bool
	got    []chart.Sample // new samples in arrival order
	calls  int
}

type memKey struct {
	s chart.Series
	t int64
}

func (m *memWriter) setDown(d bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.down = d
}

func (m *memWriter) Write(ctx context.Context, samples []chart.Sample) error {
	m.mu.Lock()
	hang := m.hang
	m.mu.Unlock()
	if hang {
		<-ctx.Done()
		return ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.down {
		return errors.New("dial tcp 127.0.0.1:5432: connection refused")
	}
	for _, s := range samples {
		if m.reject != nil && m.reject(s) {
			return fmt.Errorf("write: %w: bad value", ErrRejected)
		}
	}
	if m.seen == nil {
		m.seen = make(map[memKey]bool)
	}
	for _, s := range samples {
		k := memKey{s.Series, s.Time.Unix()}
		if !m.seen[k] {
			m.seen[k] = true
			m.got = append(m.got, s)
		}
	}
	return nil
}

func (m *memWriter) samples() []chart.Sample {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]chart.Sample(nil), m.got...)
}

// batchOf makes n samples of one series starting at second first.
func batchOf(first, n int) []chart.Sample {
	out := make([]chart.Sample, n)
	for i := range out {
		out[i] = sample("a", "gw", "rtt", base.Add(time.Duration(first+i)*time.Second), float64(first+i))
	}
	return out
}

// checkSequence checks that got holds the samples 0..n-1 of batchOf, in order.
func checkSequence(t *testing.T, got []chart.Sample, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d samples, want %d", len(got), n)
	}
	for i, s := range got {
		if s.Value != float64(i) || !s.Time.Equal(base.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("sample %d = %v at %v: out of order or changed", i, s.Value, s.Time)
		}
	}
}

func TestForwarderDirectWrites(t *testing.T) {
	var m memWriter
	f := newTestForwarder(t, &m, filepath.Join(t.TempDir(), "spool"), ForwarderOptions{})
	if err := f.Write(context.Background(), batchOf(0, 10)); err != nil {
		t.Fatal(err)
	}
	st := f.Status()
	if !st.Connected || st.Written != 10 || st.SpooledRows != 0 || st.SpoolBytes != 0 {
		t.Errorf("status = %+v", st)
	}
	if fi, err := os.Stat(f.Path()); err != nil || fi.Size() != 0 {
		t.Errorf("spool file after direct writes: %v, %v", fi, err)
	}
}

func TestForwarderSpoolsThenReplaysInOrder(t *testing.T) {
	m := memWriter{down: true}
	f := newTestForwarder(t, &m, filepath.Join(t.TempDir(), "spool"), ForwarderOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, ReplayBatchRows: 7})
	ctx := context.Background()
	for i := 0; i < 100; i += 10 {
		if err := f.Write(ctx, batchOf(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	st := f.Status()
	if st.Connected || st.SpooledRows != 100 || st.SpoolBytes == 0 || !strings.Contains(st.LastError, "connection refused") || st.LastErrorTime.IsZero() {
		t.Errorf("status while down = %+v", st)
	}
	// Only the first write tried the database; the rest went straight to
	// the spool, behind it.
	if m.calls != 1 {
		t.Errorf("database calls while spooling = %d, want 1", m.calls)
	}
	runForwarder(t, f)
	m.setDown(false)
	// Writes while the replay runs queue behind the spool.
	for i := 100; i < 200; i += 10 {
		if err := f.Write(ctx, batchOf(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "replay", func() bool { st := f.Status(); return st.SpooledRows == 0 && st.SpoolBytes == 0 })
	checkSequence(t, m.samples(), 200)
	st = f.Status()
	if st.Written+st.Replayed != 200 || !st.Connected {
		t.Errorf("status after replay = %+v", st)
	}
	// Direct again.
	if err := f.Write(ctx, batchOf(200, 1)); err != nil {
		t.Fatal(err)
	}
	if st2 := f.Status(); st2.SpooledRows != 0 || st2.Written != st.Written+1 {
		t.Errorf("status = %+v", st2)
	}
	checkSequence(t, m.samples(), 201)
}

// A Write to a database that hangs (a black-holed link) spools after
// WriteTimeout instead of stalling monitoring.
func TestForwarderWriteDoesNotHang(t *testing.T) {
	m := memWriter{hang: true}
	f := newTestForwarder(t, &m, filepath.Join(t.TempDir(), "spool"), ForwarderOptions{WriteTimeout: 20 * time.Millisecond})
	if err := f.Write(context.Background(), batchOf(0, 3)); err != nil {
		t.Fatal(err)
	}
	if err := f.Write(context.Background(), batchOf(3, 3)); err != nil {
		t.Fatal(err)
	}
	if st := f.Status(); st.SpooledRows != 6 || !strings.Contains(st.LastError, "deadline") {
		t.Errorf("status = %+v", st)
	}
}

// kill -9 while spooling or replaying: a new Forwarder on the same spool
// finds what was spooled and replays it; a replay position saved before the
// crash is honoured, and a batch replayed but not yet marked is harmlessly
// written twice.
func TestForwarderSpoolSurvivesCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	down := memWriter{down: true}
	f1, err := NewForwarder(&down, path, quietLogger(t), ForwarderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i += 10 {
		if err := f1.Write(context.Background(), batchOf(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	// Pretend the first two records were replayed before the crash.
	rec := int64(len(appendSpoolRecord(nil, batchOf(0, 10))))
	if err := f1.writePos(2 * rec); err != nil {
		t.Fatal(err)
	}
	// The crash: f1 is never closed.

	var m memWriter
	f2 := newTestForwarder(t, &m, path, ForwarderOptions{})
	if st := f2.Status(); st.SpooledRows != 30 {
		t.Fatalf("after restart: %d rows spooled, want 30", st.SpooledRows)
	}
	runForwarder(t, f2)
	waitFor(t, "replay", func() bool { return f2.Status().SpooledRows == 0 })
	got := m.samples()
	if len(got) != 30 || got[0].Value != 20 || got[29].Value != 49 {
		t.Errorf("replayed %d samples, first %v", len(got), got)
	}
}

// A record torn by a crash mid-append is cut off with a log line, the
// records before it are replayed and new ones follow normally.
func TestForwarderTornSpoolTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	var img []byte
	img = appendSpoolRecord(img, batchOf(0, 10))
	img = appendSpoolRecord(img, batchOf(10, 10))
	torn := appendSpoolRecord(nil, batchOf(20, 10))
	img = append(img, torn[:len(torn)/2]...)
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	log, logs := bufferLogger()
	m := memWriter{down: true}
	f := newTestForwarderLog(t, &m, path, ForwarderOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}, log)
	if !strings.Contains(logs.String(), "torn record") {
		t.Errorf("no log line about the torn record:\n%s", logs)
	}
	if st := f.Status(); st.SpooledRows != 20 {
		t.Errorf("spooled rows = %d, want 20", st.SpooledRows)
	}
	// The new batch goes after the intact records, not after the garbage.
	if err := f.Write(context.Background(), batchOf(20, 10)); err != nil {
		t.Fatal(err)
	}
	runForwarder(t, f)
	m.setDown(false)
	waitFor(t, "replay", func() bool { return f.Status().SpooledRows == 0 })
	checkSequence(t, m.samples(), 30)
	if strings.Contains(logs.String(), "damaged record") {
		t.Errorf("a clean cut should leave no damaged record:\n%s", logs)
	}
}

// Damage in the middle of the spool loses only the damaged record.
func TestForwarderDamagedRecordSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	var img []byte
	img = appendSpoolRecord(img, batchOf(0, 10))
	mid := len(img)
	img = appendSpoolRecord(img, batchOf(10, 10))
	img = appendSpoolRecord(img, batchOf(20, 10))
	img[mid+30] ^= 0xff
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	log, logs := bufferLogger()
	var m memWriter
	f := newTestForwarderLog(t, &m, path, ForwarderOptions{}, log)
	runForwarder(t, f)
	waitFor(t, "replay", func() bool { return f.Status().SpooledRows == 0 })
	got := m.samples()
	if len(got) != 20 || got[9].Value != 9 || got[10].Value != 20 {
		t.Errorf("replayed %d samples: %v", len(got), got)
	}
	if !strings.Contains(logs.String(), "damaged record skipped") {
		t.Errorf("no log line about the damaged record:\n%s", logs)
	}
}

func TestForwarderSpoolBound(t *testing.T) {
	rec := len(appendSpoolRecord(nil, batchOf(0, 10)))
	log, logs := bufferLogger()
	m := memWriter{down: true}
	f := newTestForwarderLog(t, &m, filepath.Join(t.TempDir(), "spool"), ForwarderOptions{
		MaxSpoolBytes: int64(3*rec + rec/2), MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	}, log)
	ctx := context.Background()
	var full int
	for i := 0; i < 60; i += 10 {
		if err := f.Write(ctx, batchOf(i, 10)); errors.Is(err, ErrSpoolFull) {
			full++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	st := f.Status()
	if full != 3 || st.DroppedRows != 30 || st.SpooledRows != 30 || st.SpoolBytes > int64(3*rec+rec/2) {
		t.Errorf("spool full %d times, status %+v", full, st)
	}
	if !strings.Contains(logs.String(), "SPOOL FULL") || !strings.Contains(logs.String(), "dropped=10") {
		t.Errorf("dropping was not logged loudly:\n%s", logs)
	}
	runForwarder(t, f)
	m.setDown(false)
	waitFor(t, "replay", func() bool { return f.Status().SpooledRows == 0 })
	checkSequence(t, m.samples(), 30)
}

// Samples the database refuses for their content are dropped and counted,
// not retried for ever: directly, and one record at a time in a replay.
func TestForwarderRejectedSamples(t *testing.T) {
	m := memWriter{down: true, reject: func(s chart.Sample) bool { return math.IsNaN(s.Value) }}
	f := newTestForwarder(t, &m, filepath.Join(t.TempDir(), "spool"), ForwarderOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	ctx := context.Background()
	bad := batchOf(10, 10)
	bad[3].Value = math.NaN()
	for _, b := range [][]chart.Sample{batchOf(0, 10), bad, batchOf(20, 10)} {
		if err := f.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	runForwarder(t, f)
	m.setDown(false)
	waitFor(t, "replay", func() bool { return f.Status().SpooledRows == 0 })
	got := m.samples()
	if len(got) != 20 || got[10].Value != 20 {
		t.Errorf("replayed %d samples", len(got))
	}
	if st := f.Status(); st.RejectedRows != 10 || st.Replayed != 20 {
		t.Errorf("status = %+v", st)
	}
	if err := f.Write(ctx, bad); !errors.Is(err, ErrRejected) {
		t.Errorf("direct write of a refused batch: %v", err)
	}
	if st := f.Status(); st.RejectedRows != 20 || st.SpooledRows != 0 {
		t.Errorf("status = %+v", st)
	}
}

func TestSpoolPositionFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool")
	img := appendSpoolRecord(nil, batchOf(0, 5))
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, pos := range map[string][]byte{
		"garbage":  []byte("not a position file"),
		"bad crc":  append([]byte(spoolPosMagic), make([]byte, 12)...),
		"too big":  validPos(1 << 40),
		"negative": validPos(-5),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path+".pos", pos, 0o600); err != nil {
				t.Fatal(err)
			}
			f := newTestForwarder(t, &memWriter{}, path, ForwarderOptions{})
			if f.pos != 0 || f.Status().SpooledRows != 5 {
				t.Errorf("pos %d, %d rows: want the whole spool", f.pos, f.Status().SpooledRows)
			}
			f.Close()
		})
	}
}

func validPos(off int64) []byte {
	b := make([]byte, 16)
	copy(b, spoolPosMagic)
	binary.BigEndian.PutUint64(b[4:12], uint64(off))
	binary.BigEndian.PutUint32(b[12:], crc32.Checksum(b[:12], spoolCRC))
	return b
}

func TestSpoolRecordRoundTrip(t *testing.T) {
	in := []chart.Sample{
		{Series: chart.Series{Server: "a", Map: "m", Device: "d", Dataset: "ds"}, Label: "L", Units: "ms", Interface: "eth0",
			Time: time.Unix(1700000000, 123456789), Value: 1.5},
		{Time: time.Unix(-5, 0), Value: math.Inf(-1)},
		{Series: chart.Series{Device: strings.Repeat("x", 300)}, Time: time.Unix(0, 999999999), Value: -0.0},
	}
	batches, gaps := decodeSpool(appendSpoolRecord(nil, in))
	if len(gaps) != 0 || len(batches) != 1 || len(batches[0]) != len(in) {
		t.Fatalf("decoded %v, gaps %v", batches, gaps)
	}
	for i, s := range batches[0] {
		if s.Series != in[i].Series || s.Label != in[i].Label || s.Units != in[i].Units || s.Interface != in[i].Interface ||
			!s.Time.Equal(in[i].Time) || math.Float64bits(s.Value) != math.Float64bits(in[i].Value) {
			t.Errorf("sample %d = %+v, want %+v", i, s, in[i])
		}
	}
}

// record builds a record around an arbitrary payload with a valid
// checksum, to reach the payload checks.
func record(payload []byte) []byte {
	b := []byte(spoolMagic)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	crc := crc32.Update(0, spoolCRC, b[4:8])
	b = binary.BigEndian.AppendUint32(b, crc32.Update(crc, spoolCRC, payload))
	return append(b, payload...)
}

func TestSpoolDecodeMalformed(t *testing.T) {
	good := appendSpoolRecord(nil, batchOf(0, 2))
	good2 := appendSpoolRecord(nil, batchOf(2, 1))
	payload := good[spoolHeaderLen:]
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 0x01; return c }
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	for _, tc := range []struct {
		name    string
		in      []byte
		batches int // valid records found
		gaps    int
	}{
		{"empty", nil, 0, 0},
		{"two good records", cat(good, good2), 2, 0},
		{"magic only", []byte(spoolMagic), 0, 1},
		{"short header", good[:spoolHeaderLen-1], 0, 1},
		{"header only", good[:spoolHeaderLen], 0, 1},
		{"torn payload", good[:len(good)-1], 0, 1},
		{"torn after good", cat(good, good2[:len(good2)-3]), 1, 1},
		{"bad magic", flip(good, 0), 0, 1},
		{"bad length", flip(good, 7), 0, 1},
		{"huge length", cat([]byte(spoolMagic), []byte{0xff, 0xff, 0xff, 0xff}, good[8:]), 0, 1},
		{"bad checksum", flip(good, 9), 0, 1},
		{"flipped payload", flip(good, len(good)-2), 0, 1},
		{"damage in the middle resyncs", cat(good, flip(good, 20), good2), 2, 1},
		{"garbage before", cat([]byte("garbage"), good), 1, 1},
		{"magic inside garbage", cat([]byte("xxVSP1VSP1yy"), good2), 1, 1},
		{"count too large", record([]byte{0x7f}), 0, 1},
		{"count overflows", record([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), 0, 1},
		{"bad count varint", record([]byte{0x80}), 0, 1},
		{"trailing bytes", record(append(bytes.Clone(payload), 0)), 0, 1},
		{"string past end", record(append([]byte{1, 0x7f}, make([]byte, 20)...)), 0, 1},
		{"nanoseconds out of range", record(append(append([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0}, binary.AppendUvarint(nil, 1e9)...), make([]byte, 8)...)), 0, 1},
		{"value cut short", record([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7}), 0, 1},
		{"empty record", record([]byte{0}), 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batches, gaps := decodeSpool(tc.in)
			if len(batches) != tc.batches || len(gaps) != tc.gaps {
				t.Errorf("%d records, gaps %v; want %d records, %d gaps", len(batches), gaps, tc.batches, tc.gaps)
			}
			var covered int64
			for _, g := range gaps {
				if g.start < 0 || g.end > int64(len(tc.in)) || g.start >= g.end {
					t.Errorf("bad gap %v in %d bytes", g, len(tc.in))
				}
				covered += g.end - g.start
			}
			if covered > int64(len(tc.in)) {
				t.Errorf("gaps cover %d of %d bytes", covered, len(tc.in))
			}
		})
	}
}

// FuzzSpoolDecode feeds arbitrary bytes to the spool reader: it must never
// panic or over-allocate, and whatever it accepts must encode back to
// records that decode to the same samples.
func FuzzSpoolDecode(f *testing.F) {
	good := appendSpoolRecord(nil, batchOf(0, 3))
	f.Add(good)
	f.Add(append(bytes.Clone(good), good[:7]...))
	f.Add(appendSpoolRecord(bytes.Clone(good), []chart.Sample{{Time: time.Unix(-1, 5), Value: math.NaN()}}))
	f.Add([]byte("VSP1\x00\x00\x00\x01\x00\x00\x00\x00\x00"))
	f.Add(record([]byte{0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		batches, gaps := decodeSpool(b)
		var n int64
		for _, g := range gaps {
			if g.start >= g.end || g.end > int64(len(b)) {
				t.Fatalf("bad gap %v", g)
			}
			n += g.end - g.start
		}
		var re []byte
		for _, batch := range batches {
			re = appendSpoolRecord(re, batch)
		}
		again, gaps2 := decodeSpool(re)
		if len(gaps2) != 0 || len(again) != len(batches) {
			t.Fatalf("re-encoded: %d records, gaps %v; want %d", len(again), gaps2, len(batches))
		}
		for i := range batches {
			if len(again[i]) != len(batches[i]) {
				t.Fatalf("record %d: %d samples, want %d", i, len(again[i]), len(batches[i]))
			}
			for j := range batches[i] {
				a, b := again[i][j], batches[i][j]
				if a.Series != b.Series || a.Label != b.Label || a.Units != b.Units || a.Interface != b.Interface ||
					!a.Time.Equal(b.Time) || math.Float64bits(a.Value) != math.Float64bits(b.Value) {
					t.Fatalf("record %d sample %d: %+v != %+v", i, j, a, b)
				}
			}
		}
	})
}
