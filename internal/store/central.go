package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// ErrRejected marks a write the central database refused for its content
// (a data or constraint error), as opposed to a failure of the link. Such a
// batch will never succeed however often it is retried, so a Forwarder logs
// and counts it instead of spooling it for ever.
var ErrRejected = errors.New("rejected by the central database")

// centralMigrations build the central PostgreSQL schema. They are applied in
// order, each once, under an advisory lock so that several servers starting
// at once against one database do not race; append, never edit.
//
// Times are unix seconds. Every resolution has the same shape (min, max,
// sum, count) so one query serves them all; a raw point has
// min = max = sum = value and count 1.
var centralMigrations = []string{
	`CREATE TABLE chart_series (
		id bigserial PRIMARY KEY,
		server text NOT NULL,
		map text NOT NULL,
		device text NOT NULL,
		dataset text NOT NULL,
		label text NOT NULL DEFAULT '',
		units text NOT NULL DEFAULT '',
		interface text NOT NULL DEFAULT '',
		last bigint NOT NULL DEFAULT 0,
		UNIQUE (server, map, device, dataset)
	);
	CREATE TABLE chart_raw (
		series_id bigint NOT NULL REFERENCES chart_series(id) ON DELETE CASCADE,
		t bigint NOT NULL,
		min double precision NOT NULL,
		max double precision NOT NULL,
		sum double precision NOT NULL,
		count bigint NOT NULL,
		PRIMARY KEY (series_id, t)
	);
	CREATE TABLE chart_5m (LIKE chart_raw INCLUDING ALL);
	ALTER TABLE chart_5m ADD FOREIGN KEY (series_id) REFERENCES chart_series(id) ON DELETE CASCADE;
	CREATE TABLE chart_hour (LIKE chart_raw INCLUDING ALL);
	ALTER TABLE chart_hour ADD FOREIGN KEY (series_id) REFERENCES chart_series(id) ON DELETE CASCADE;
	CREATE TABLE chart_day (LIKE chart_raw INCLUDING ALL);
	ALTER TABLE chart_day ADD FOREIGN KEY (series_id) REFERENCES chart_series(id) ON DELETE CASCADE;`,
}

// centralLockKey is the pg_advisory_xact_lock key that serialises schema
// migration between servers sharing a database ("vantage" in ASCII).
const centralLockKey int64 = 0x76616e74616765

// centralTables maps a resolution to its table; the names are constants, so
// building SQL from them is safe.
var centralTables = [...]string{
	chart.Raw:         "chart_raw",
	chart.FiveMinutes: "chart_5m",
	chart.Hour:        "chart_hour",
	chart.Day:         "chart_day",
}

// centralWriteSQL inserts a batch of raw points given as three parallel
// arrays (series id, unix seconds, value) and, for the raw rows that were
// new, adds them to the 5-minute, hourly and daily roll-ups. A raw row that
// already exists is left alone and contributes nothing, which is what makes
// a replayed batch harmless. Within a batch the first sample of a series and
// second wins, as it would across batches.
const centralWriteSQL = `
WITH input AS (
	SELECT DISTINCT ON (series_id, t) series_id, t, v
	FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) WITH ORDINALITY AS x(series_id, t, v, n)
	ORDER BY series_id, t, n
), fresh AS (
	INSERT INTO chart_raw (series_id, t, min, max, sum, count)
	SELECT series_id, t, v, v, v, 1 FROM input ORDER BY series_id, t
	ON CONFLICT (series_id, t) DO NOTHING
	RETURNING series_id, t, sum AS v
), m5 AS (
	INSERT INTO chart_5m AS p (series_id, t, min, max, sum, count)
	SELECT series_id, t - ((t % 300) + 300) % 300, min(v), max(v), sum(v), count(*)
	FROM fresh GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (series_id, t) DO UPDATE SET min = LEAST(p.min, EXCLUDED.min), max = GREATEST(p.max, EXCLUDED.max),
		sum = p.sum + EXCLUDED.sum, count = p.count + EXCLUDED.count
	RETURNING 1
), h AS (
	INSERT INTO chart_hour AS p (series_id, t, min, max, sum, count)
	SELECT series_id, t - ((t % 3600) + 3600) % 3600, min(v), max(v), sum(v), count(*)
	FROM fresh GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (series_id, t) DO UPDATE SET min = LEAST(p.min, EXCLUDED.min), max = GREATEST(p.max, EXCLUDED.max),
		sum = p.sum + EXCLUDED.sum, count = p.count + EXCLUDED.count
	RETURNING 1
), d AS (
	INSERT INTO chart_day AS p (series_id, t, min, max, sum, count)
	SELECT series_id, t - ((t % 86400) + 86400) % 86400, min(v), max(v), sum(v), count(*)
	FROM fresh GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (series_id, t) DO UPDATE SET min = LEAST(p.min, EXCLUDED.min), max = GREATEST(p.max, EXCLUDED.max),
		sum = p.sum + EXCLUDED.sum, count = p.count + EXCLUDED.count
	RETURNING 1
)
SELECT (SELECT count(*) FROM fresh)`

// centralSeriesSQL adds a series to the catalogue or refreshes its
// description, and returns its id. last only moves forward, so a replayed
// old batch does not make a live dataset look stale.
const centralSeriesSQL = `
INSERT INTO chart_series AS s (server, map, device, dataset, label, units, interface, last)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (server, map, device, dataset) DO UPDATE SET
	label = CASE WHEN EXCLUDED.last >= s.last THEN EXCLUDED.label ELSE s.label END,
	units = CASE WHEN EXCLUDED.last >= s.last THEN EXCLUDED.units ELSE s.units END,
	interface = CASE WHEN EXCLUDED.last >= s.last THEN EXCLUDED.interface ELSE s.interface END,
	last = GREATEST(s.last, EXCLUDED.last)
RETURNING id`

// Central is the central PostgreSQL chart backend: several Vantage servers
// write to one database, each one's series labelled by its server name.
//
// The connection follows the URL's sslmode, as libpq does:
//
//	postgres://user:pass@db.example:5432/vantage?sslmode=require
//	postgres://user:pass@db.example:5432/vantage?sslmode=verify-full&sslrootcert=/etc/vantage/db-ca.pem
//
// require encrypts but trusts any certificate (unless sslrootcert is given,
// when it also checks the chain); verify-full also checks the host name.
// With the default (prefer) TLS is used when the server offers it.
// require against a server without TLS fails with "server refused TLS
// connection".
//
// NewCentral does not need the database to be up: the schema is created on
// the first successful use, so a server can start (and spool) while the
// central database is away.
type Central struct {
	pool *pgxpool.Pool
	log  *slog.Logger

	schemaMu sync.Mutex
	schemaOK bool
}

// NewCentral prepares a connection pool to the PostgreSQL database at url
// (postgres://… or key=value form). Only a malformed URL is an error here;
// an unreachable database shows up on use.
func NewCentral(url string, logger *slog.Logger) (*Central, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can quote the URL, password included.
		return nil, fmt.Errorf("central database URL: %s", redactPassword(err.Error(), url))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "vantage"
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 4
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("central database: %w", err)
	}
	return &Central{pool: pool, log: logger}, nil
}

// OpenCentral is NewCentral that also connects and creates the schema now,
// for callers that want a bad URL or password reported at start-up.
func OpenCentral(ctx context.Context, url string, logger *slog.Logger) (*Central, error) {
	c, err := NewCentral(url, logger)
	if err != nil {
		return nil, err
	}
	if err := c.ensureSchema(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// redactPassword keeps a password in the URL out of error messages and logs.
func redactPassword(msg, url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		rest := url[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if colon := strings.Index(rest[:at], ":"); colon >= 0 {
				if pw := rest[colon+1 : at]; pw != "" {
					msg = strings.ReplaceAll(msg, pw, "xxxxx")
				}
			}
		}
	}
	return msg
}

// Close closes every connection; in-flight calls fail.
func (c *Central) Close() { c.pool.Close() }

// Ping checks that the database answers and that the schema is in place.
func (c *Central) Ping(ctx context.Context) error {
	if err := c.ensureSchema(ctx); err != nil {
		return err
	}
	if err := c.pool.Ping(ctx); err != nil {
		return fmt.Errorf("central database: %w", err)
	}
	return nil
}

// ensureSchema applies missing migrations once per Central. The advisory
// lock is transaction-scoped, so a server that dies mid-migration releases
// it with its connection and leaves no half-applied schema behind
// (PostgreSQL DDL is transactional).
func (c *Central) ensureSchema(ctx context.Context) error {
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	if c.schemaOK {
		return nil
	}
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, centralLockKey); err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS chart_schema_version (version integer NOT NULL)`); err != nil {
			return fmt.Errorf("create chart_schema_version: %w", err)
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM chart_schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > len(centralMigrations) {
			return fmt.Errorf("schema version %d is newer than this Vantage knows (%d): downgrade is not supported", v, len(centralMigrations))
		}
		for i := v; i < len(centralMigrations); i++ {
			if _, err := tx.Exec(ctx, centralMigrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO chart_schema_version (version) VALUES ($1)`, i+1); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			c.log.Info("central database: schema migrated", "version", i+1)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("central database schema: %w", err)
	}
	c.schemaOK = true
	return nil
}

// centralKey is a series' catalogue key in a batch.
type centralKey struct{ server, mapName, device, dataset string }

// cleanText makes a string acceptable to a PostgreSQL text column, which
// refuses NUL bytes and invalid UTF-8; refusing the whole batch for a stray
// byte in a device name would lose data.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}

// Write stores samples and updates the roll-ups, in one transaction. It is
// idempotent by series and second: a sample whose raw point is already
// stored changes nothing, so replaying a batch (after a lost commit
// acknowledgement, say) does not double the roll-ups. Raw points are kept at
// one-second resolution; of two samples of one series in the same second
// the first one stored wins.
func (c *Central) Write(ctx context.Context, samples []chart.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	if err := c.ensureSchema(ctx); err != nil {
		return err
	}
	// The catalogue rows are locked in one order by every writer, so two
	// servers (or a replay and a direct write) cannot deadlock on them.
	type desc struct {
		label, units, iface string
		last                int64
	}
	descs := make(map[centralKey]*desc)
	for _, s := range samples {
		k := centralKey{cleanText(s.Server), cleanText(s.Map), cleanText(s.Device), cleanText(s.Dataset)}
		t := s.Time.Unix()
		if d := descs[k]; d == nil || t >= d.last {
			descs[k] = &desc{cleanText(s.Label), cleanText(s.Units), cleanText(s.Interface), t}
		}
	}
	keys := make([]centralKey, 0, len(descs))
	for k := range descs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b centralKey) int {
		return strings.Compare(a.server+"\x00"+a.mapName+"\x00"+a.device+"\x00"+a.dataset,
			b.server+"\x00"+b.mapName+"\x00"+b.device+"\x00"+b.dataset)
	})

	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
			ids := make(map[centralKey]int64, len(keys))
			var b pgx.Batch
			for _, k := range keys {
				d := descs[k]
				b.Queue(centralSeriesSQL, k.server, k.mapName, k.device, k.dataset, d.label, d.units, d.iface, d.last).
					QueryRow(func(row pgx.Row) error {
						var id int64
						if err := row.Scan(&id); err != nil {
							return err
						}
						ids[k] = id
						return nil
					})
			}
			if err := tx.SendBatch(ctx, &b).Close(); err != nil {
				return fmt.Errorf("series catalogue: %w", err)
			}
			sid := make([]int64, len(samples))
			ts := make([]int64, len(samples))
			vs := make([]float64, len(samples))
			for i, s := range samples {
				sid[i] = ids[centralKey{cleanText(s.Server), cleanText(s.Map), cleanText(s.Device), cleanText(s.Dataset)}]
				ts[i] = s.Time.Unix()
				vs[i] = s.Value
			}
			var fresh int64
			if err := tx.QueryRow(ctx, centralWriteSQL, sid, ts, vs).Scan(&fresh); err != nil {
				return fmt.Errorf("points: %w", err)
			}
			return nil
		})
		if err == nil || !retryable(err) {
			break
		}
	}
	if err != nil {
		c.forgetSchemaIfGone(err)
		if permanent(err) {
			return fmt.Errorf("central database write of %d samples: %w: %w", len(samples), ErrRejected, err)
		}
		return fmt.Errorf("central database write of %d samples: %w", len(samples), err)
	}
	return nil
}

// forgetSchemaIfGone makes the next call check the schema again when a
// table is missing: the database was recreated or restored from an older
// backup while this server ran.
func (c *Central) forgetSchemaIfGone(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		c.schemaMu.Lock()
		c.schemaOK = false
		c.schemaMu.Unlock()
		c.log.Warn("central database: chart tables missing; they will be created again", "err", err)
	}
}

// retryable reports a transaction that lost a race (deadlock, serialisation
// failure) and may simply be run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code[:2] == "40"
}

// permanent reports an error caused by the data rather than the link: class
// 22 (data exception) and 23 (integrity constraint violation).
func permanent(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || len(pe.Code) < 2 {
		return false
	}
	return pe.Code[:2] == "22" || pe.Code[:2] == "23"
}

// Query returns s's points at resolution r with from <= t <= to (bucket
// start times for roll-ups), oldest first.
func (c *Central) Query(ctx context.Context, s chart.Series, r chart.Resolution, from, to time.Time) ([]chart.Point, error) {
	table, err := centralTable(r)
	if err != nil {
		return nil, err
	}
	if err := c.ensureSchema(ctx); err != nil {
		return nil, err
	}
	rows, err := c.pool.Query(ctx, `SELECT p.t, p.min, p.max, p.sum, p.count FROM `+table+` p
		JOIN chart_series s ON s.id = p.series_id
		WHERE s.server = $1 AND s.map = $2 AND s.device = $3 AND s.dataset = $4 AND p.t >= $5 AND p.t <= $6
		ORDER BY p.t`, s.Server, s.Map, s.Device, s.Dataset, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("central query %s/%s/%s: %w", s.Map, s.Device, s.Dataset, err)
	}
	var out []chart.Point
	for rows.Next() {
		var t, n int64
		var lo, hi, sum float64
		if err := rows.Scan(&t, &lo, &hi, &sum, &n); err != nil {
			return nil, fmt.Errorf("central query: %w", err)
		}
		p := chart.Point{Time: time.Unix(t, 0).UTC(), Min: lo, Max: hi, Count: n}
		if n > 0 {
			p.Avg = sum / float64(n)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("central query: %w", err)
	}
	return out, nil
}

func centralTable(r chart.Resolution) (string, error) {
	if r < 0 || int(r) >= len(centralTables) {
		return "", fmt.Errorf("unknown chart resolution %d", r)
	}
	return centralTables[r], nil
}

// Datasets describes the stored datasets, filtered by server, map and
// device; an empty filter matches all.
func (c *Central) Datasets(ctx context.Context, server, mapName, device string) ([]chart.Meta, error) {
	if err := c.ensureSchema(ctx); err != nil {
		return nil, err
	}
	rows, err := c.pool.Query(ctx, `SELECT server, map, device, dataset, label, units, interface, last FROM chart_series
		WHERE ($1 = '' OR server = $1) AND ($2 = '' OR map = $2) AND ($3 = '' OR device = $3)
		ORDER BY server, map, device, dataset`, server, mapName, device)
	if err != nil {
		return nil, fmt.Errorf("central datasets: %w", err)
	}
	var out []chart.Meta
	for rows.Next() {
		var m chart.Meta
		var last int64
		if err := rows.Scan(&m.Server, &m.Map, &m.Device, &m.Dataset, &m.Label, &m.Units, &m.Interface, &last); err != nil {
			return nil, fmt.Errorf("central datasets: %w", err)
		}
		m.Last = time.Unix(last, 0).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("central datasets: %w", err)
	}
	return out, nil
}

// AllSeries lists every series of every server, for retention.
func (c *Central) AllSeries(ctx context.Context) ([]chart.Series, error) {
	if err := c.ensureSchema(ctx); err != nil {
		return nil, err
	}
	rows, err := c.pool.Query(ctx, `SELECT server, map, device, dataset FROM chart_series ORDER BY server, map, device, dataset`)
	if err != nil {
		return nil, fmt.Errorf("central series: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (chart.Series, error) {
		var s chart.Series
		err := row.Scan(&s.Server, &s.Map, &s.Device, &s.Dataset)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("central series: %w", err)
	}
	return out, nil
}

// Prune deletes s's points at resolution r that start before before, and
// reports how many went.
func (c *Central) Prune(ctx context.Context, s chart.Series, r chart.Resolution, before time.Time) (int64, error) {
	table, err := centralTable(r)
	if err != nil {
		return 0, err
	}
	if err := c.ensureSchema(ctx); err != nil {
		return 0, err
	}
	tag, err := c.pool.Exec(ctx, `DELETE FROM `+table+` WHERE series_id =
		(SELECT id FROM chart_series WHERE server = $1 AND map = $2 AND device = $3 AND dataset = $4) AND t < $5`,
		s.Server, s.Map, s.Device, s.Dataset, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("central prune %s/%s/%s: %w", s.Map, s.Device, s.Dataset, err)
	}
	return tag.RowsAffected(), nil
}

var _ chart.Backend = (*Central)(nil)
