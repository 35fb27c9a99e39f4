package flowstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marcboeker/go-duckdb"
)

// Duck is the embedded store: one DuckDB file per UTC day in the flows
// folder (sessions-YYYYMMDD.duckdb), attached to an in-memory database.
// A day is the partition: dropping the oldest is detaching it and removing
// its file, which frees its space at once (a DELETE would leave the file
// at its largest size until a rewrite). Queries read the days their range
// touches, plus the day before for sessions reaching into it.
type Duck struct {
	dir  string
	opts Options
	log  *slog.Logger
	conn *duckdb.Connector
	db   *sql.DB

	mu       sync.Mutex   // guards days, the ingest connection and progress
	queries  sync.RWMutex // held by queries; dropping a day waits for them
	days     map[string]bool
	built    map[int64]bool   // hours (ms) with roll-ups
	dayBuilt map[string]bool  // days with a day roll-up
	maxDur   map[string]int64 // the longest session of each day, ms
	ingest   *sql.Conn
	progress Progress
	lastMnt  time.Time
	loaded   chan struct{}
}

// duckSchema is the sessions table of a day file. DuckDB picks each
// column's compression (bit-packing, constants, dictionary) at checkpoint.
const duckSchema = `CREATE TABLE IF NOT EXISTS %s.sessions (
	start BIGINT, dur UINTEGER,
	c_hi UBIGINT, c_lo UBIGINT, s_hi UBIGINT, s_lo UBIGINT,
	cport USMALLINT, sport USMALLINT, proto UTINYINT,
	bcs UBIGINT, bsc UBIGINT, pcs UBIGINT, psc UBIGINT,
	exporter VARCHAR, in_if UINTEGER, out_if UINTEGER,
	flows UINTEGER, sampling UINTEGER, dup UTINYINT, cont UTINYINT)`

// duckMeta is remembered between runs to estimate the reload.
type duckMeta struct {
	BytesPerSession float64 `json:"bytes_per_session"`
}

const (
	dayFilePrefix = "sessions-"
	dayFileSuffix = ".duckdb"
	metaFile      = "meta.json"
)

// OpenDuck opens (creating) the store in dir, normally DIR/flows of the
// settings folder. The day files already there are attached in the
// background, newest first, with Progress and the log reporting sessions
// found against the number estimated; queries meanwhile see the days
// attached so far. Loaded tells when it is done.
func OpenDuck(dir string, opts Options) (*Duck, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("flow store %s: %w", dir, err)
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("flow store: %w", err)
	}
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("flow store %s: open DuckDB: %w", dir, err)
	}
	d := &Duck{
		dir: dir, opts: opts, log: opts.Logger, conn: conn, db: sql.OpenDB(conn),
		days: make(map[string]bool), built: make(map[int64]bool), dayBuilt: make(map[string]bool), maxDur: make(map[string]int64), loaded: make(chan struct{}),
	}
	ingest, err := d.db.Conn(context.Background())
	if err != nil {
		d.db.Close()
		return nil, fmt.Errorf("flow store %s: %w", dir, err)
	}
	d.ingest = ingest
	files, err := d.dayFiles()
	if err != nil {
		d.Close()
		return nil, err
	}
	d.progress = Progress{Loading: len(files) > 0, Estimated: d.estimate(files)}
	if len(files) == 0 {
		close(d.loaded)
		return d, nil
	}
	d.log.Info("reloading flow sessions", "dir", dir, "days", len(files), "estimated", d.progress.Estimated)
	go d.reload(files)
	return d, nil
}

// Loaded is closed once the days on disk are all attached.
func (d *Duck) Loaded() <-chan struct{} { return d.loaded }

// Progress reports the reload.
func (d *Duck) Progress() Progress {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.progress
	p.Partitions = len(d.days)
	return p
}

// dayFiles lists the day names with a file, oldest first.
func (d *Duck) dayFiles() ([]string, error) {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("flow store %s: %w", d.dir, err)
	}
	var days []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, dayFilePrefix) && strings.HasSuffix(n, dayFileSuffix) {
			day := strings.TrimSuffix(strings.TrimPrefix(n, dayFilePrefix), dayFileSuffix)
			if _, err := time.Parse("20060102", day); err == nil {
				days = append(days, day)
			}
		}
	}
	slices.Sort(days)
	return days, nil
}

// estimate guesses how many sessions the files hold from their size and
// the bytes per session measured when the store last closed.
func (d *Duck) estimate(days []string) int64 {
	bps := 24.0
	if b, err := os.ReadFile(filepath.Join(d.dir, metaFile)); err == nil {
		var m duckMeta
		if json.Unmarshal(b, &m) == nil && m.BytesPerSession > 0 {
			bps = m.BytesPerSession
		}
	}
	var size int64
	for _, day := range days {
		size += fileSize(d.dayPath(day))
	}
	return int64(float64(size) / bps)
}

func (d *Duck) reload(days []string) {
	defer close(d.loaded)
	ctx := context.Background()
	for i := len(days) - 1; i >= 0; i-- {
		day := days[i]
		d.mu.Lock()
		err := d.attachLocked(ctx, day, false)
		var n int64
		if err == nil {
			err = d.db.QueryRowContext(ctx, "SELECT count(*) FROM "+alias(day)+".sessions").Scan(&n)
		}
		d.progress.Loaded += n
		p := d.progress
		d.mu.Unlock()
		if err != nil {
			d.log.Error("flow sessions of a day not reloaded", "day", day, "err", err)
			continue
		}
		d.log.Info("flow sessions reloaded", "day", day, "loaded", p.Loaded, "estimated", p.Estimated)
	}
	d.mu.Lock()
	d.progress.Loading = false
	d.mu.Unlock()
}

func alias(day string) string { return "d" + day }

// daySQL reads the sessions of a day that may overlap [from, to): those
// starting in it, or before it by no more than the day's longest session.
// The start bounds let DuckDB skip row groups by their min/max.
func (d *Duck) daySQL(day string, from, to int64) string {
	return fmt.Sprintf("SELECT %s FROM %s.sessions WHERE start >= %d AND start < %d", columns, alias(day), from-d.maxDur[day], to)
}

func (d *Duck) dayPath(day string) string {
	return filepath.Join(d.dir, dayFilePrefix+day+dayFileSuffix)
}

// attachLocked attaches a day's file, creating it when create is set.
func (d *Duck) attachLocked(ctx context.Context, day string, create bool) error {
	if d.days[day] {
		return nil
	}
	path := d.dayPath(day)
	if !create {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("flow store day %s: %w", day, err)
		}
	}
	if _, err := d.db.ExecContext(ctx, fmt.Sprintf("ATTACH '%s' AS %s", strings.ReplaceAll(path, "'", "''"), alias(day))); err != nil {
		return fmt.Errorf("flow store: attach %s: %w", path, err)
	}
	if _, err := d.db.ExecContext(ctx, fmt.Sprintf(duckSchema, alias(day))); err != nil {
		return fmt.Errorf("flow store: create table in %s: %w", path, err)
	}
	if err := d.loadRollupsLocked(ctx, day); err != nil {
		return err
	}
	var longest sql.NullInt64
	if err := d.db.QueryRowContext(ctx, "SELECT max(dur) FROM "+alias(day)+".sessions").Scan(&longest); err != nil {
		return fmt.Errorf("flow store day %s: %w", day, err)
	}
	d.maxDur[day] = longest.Int64
	d.days[day] = true
	return nil
}

// Close detaches every day (writing their last changes into the files),
// remembers the bytes per session for the next reload's estimate and
// closes DuckDB.
func (d *Duck) Close() error {
	<-d.loaded
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.db == nil {
		return nil
	}
	ctx := context.Background()
	var rows int64
	for day := range d.days {
		var n int64
		if d.db.QueryRowContext(ctx, "SELECT count(*) FROM "+alias(day)+".sessions").Scan(&n) == nil {
			rows += n
		}
	}
	if d.ingest != nil {
		d.ingest.Close()
	}
	for day := range d.days {
		if _, err := d.db.ExecContext(ctx, "DETACH "+alias(day)); err != nil {
			d.log.Warn("flow store: detach", "day", day, "err", err)
		}
	}
	if size := d.sizeLocked(); rows > 0 {
		b, _ := json.Marshal(duckMeta{BytesPerSession: float64(size) / float64(rows)})
		if err := os.WriteFile(filepath.Join(d.dir, metaFile), b, 0o640); err != nil {
			d.log.Warn("flow store: remember bytes per session", "err", err)
		}
	}
	err := d.db.Close()
	d.conn.Close()
	d.db = nil
	if err != nil {
		return fmt.Errorf("flow store %s: close: %w", d.dir, err)
	}
	return nil
}

func fileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + ".wal"} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}
