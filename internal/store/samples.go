package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// samplesPruneChunk is how many points one delete statement removes at most, so
// that pruning a year's backlog holds the write lock only briefly at a
// time and the recorder's batches slip in between.
const samplesPruneChunk = 2000

// samplesLastEvery is how far (in sample time) a series' catalogued last-sample
// time may lag before Write updates it: updating it with every sample
// would add a statement per sample, and Datasets reads the newest raw
// point anyway.
const samplesLastEvery = int64(time.Hour / time.Second)

// Samples is the embedded chart.Backend: datasets and their roll-ups in
// the server's SQLite database. Points are keyed by series and Unix
// second, so Write is idempotent: a raw point already stored is skipped
// together with its share of the roll-ups.
type Samples struct {
	db *sql.DB
	// writeMu keeps our own writers (recorder batches, prune chunks) from
	// contending for SQLite's single write lock.
	writeMu sync.Mutex

	mu  sync.Mutex
	ids map[chart.Series]samplesSeries
}

// samplesSeries caches a catalogue row so that a batch needs no lookups.
type samplesSeries struct {
	id                  int64
	label, units, iface string
	lastSaved           int64
}

// NewSamples uses db as opened by Open (its migrations create the tables).
func NewSamples(db *sql.DB) *Samples {
	return &Samples{db: db, ids: map[chart.Series]samplesSeries{}}
}

var _ chart.Backend = (*Samples)(nil)

// samplesRollupTable names the roll-up table of a resolution.
func samplesRollupTable(r chart.Resolution) (string, bool) {
	switch r {
	case chart.FiveMinutes:
		return "chart_5m", true
	case chart.Hour:
		return "chart_1h", true
	case chart.Day:
		return "chart_1d", true
	}
	return "", false
}

// samplesTable names the table of any resolution.
func samplesTable(r chart.Resolution) (string, error) {
	if r == chart.Raw {
		return "chart_raw", nil
	}
	if t, ok := samplesRollupTable(r); ok {
		return t, nil
	}
	return "", fmt.Errorf("invalid resolution %d", int(r))
}

// samplesBucket is one roll-up row touched by a batch.
type samplesBucket struct {
	r  chart.Resolution
	id int64
	t  int64
}

type samplesAgg struct {
	min, max, sum float64
	count         int64
}

// Write stores a batch in one transaction: each new raw point, and its
// contribution to the three roll-ups, merged in memory per bucket first.
// Points already stored (a replayed batch) change nothing. Samples with
// NaN or infinite values are skipped.
func (s *Samples) Write(ctx context.Context, samples []chart.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("samples: begin: %w", err)
	}
	defer tx.Rollback()
	cat, err := s.catalogue(ctx, tx, samples)
	if err != nil {
		return err
	}
	raw, err := tx.PrepareContext(ctx, `INSERT INTO chart_raw (series_id, t, v) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("samples: prepare: %w", err)
	}
	defer raw.Close()
	// Inserting in key order walks each B-tree once instead of jumping
	// about between series.
	sorted := slices.Clone(samples)
	slices.SortStableFunc(sorted, func(a, b chart.Sample) int {
		return cmp.Or(cmp.Compare(cat[a.Series].id, cat[b.Series].id), a.Time.Compare(b.Time))
	})
	aggs := make(map[samplesBucket]*samplesAgg, len(samples))
	order := make([]samplesBucket, 0, len(samples))
	for _, smp := range sorted {
		if math.IsNaN(smp.Value) || math.IsInf(smp.Value, 0) {
			continue
		}
		id, t := cat[smp.Series].id, smp.Time.Unix()
		res, err := raw.ExecContext(ctx, id, t, smp.Value)
		if err != nil {
			return fmt.Errorf("samples: insert %s/%s: %w", smp.Device, smp.Dataset, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue // already stored: its roll-up share is too
		}
		for _, r := range []chart.Resolution{chart.FiveMinutes, chart.Hour, chart.Day} {
			k := samplesBucket{r, id, r.BucketUnix(t)}
			a := aggs[k]
			if a == nil {
				aggs[k] = &samplesAgg{min: smp.Value, max: smp.Value, sum: smp.Value, count: 1}
				order = append(order, k)
				continue
			}
			a.min, a.max = math.Min(a.min, smp.Value), math.Max(a.max, smp.Value)
			a.sum += smp.Value
			a.count++
		}
	}
	if err := upsertRollups(ctx, tx, aggs, order); err != nil {
		return err
	}
	saved, err := s.saveLast(ctx, tx, samples, cat)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("samples: commit: %w", err)
	}
	s.mu.Lock()
	for se, info := range cat {
		if t, ok := saved[se]; ok {
			info.lastSaved = t
		}
		s.ids[se] = info
	}
	s.mu.Unlock()
	return nil
}

// upsertRollups merges the batch's buckets into the roll-up tables.
func upsertRollups(ctx context.Context, tx *sql.Tx, aggs map[samplesBucket]*samplesAgg, order []samplesBucket) error {
	stmts := map[chart.Resolution]*sql.Stmt{}
	for _, r := range []chart.Resolution{chart.FiveMinutes, chart.Hour, chart.Day} {
		tbl, _ := samplesRollupTable(r)
		st, err := tx.PrepareContext(ctx, `INSERT INTO `+tbl+` (series_id, t, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (series_id, t) DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max),
			sum = sum + excluded.sum, count = count + excluded.count`)
		if err != nil {
			return fmt.Errorf("samples: prepare %s: %w", tbl, err)
		}
		defer st.Close()
		stmts[r] = st
	}
	for _, k := range order {
		a := aggs[k]
		if _, err := stmts[k.r].ExecContext(ctx, k.id, k.t, a.min, a.max, a.sum, a.count); err != nil {
			return fmt.Errorf("samples: roll-up %s: %w", k.r, err)
		}
	}
	return nil
}

// catalogue finds or creates the series of a batch, updating labels,
// units and interface names that changed. The cache is only updated by
// the caller after commit, so a rolled-back batch leaves no stale ids.
func (s *Samples) catalogue(ctx context.Context, tx *sql.Tx, samples []chart.Sample) (map[chart.Series]samplesSeries, error) {
	out := map[chart.Series]samplesSeries{}
	var upsert *sql.Stmt
	defer func() {
		if upsert != nil {
			upsert.Close()
		}
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, smp := range samples {
		if _, ok := out[smp.Series]; ok {
			continue
		}
		info, ok := s.ids[smp.Series]
		if ok && !metaChanged(info, smp) {
			out[smp.Series] = info
			continue
		}
		if upsert == nil {
			var err error
			upsert, err = tx.PrepareContext(ctx, `INSERT INTO chart_series (server, map, device, dataset, label, units, interface, last)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (server, map, device, dataset) DO UPDATE SET
				label = CASE WHEN excluded.label <> '' THEN excluded.label ELSE label END,
				units = CASE WHEN excluded.units <> '' THEN excluded.units ELSE units END,
				interface = CASE WHEN excluded.interface <> '' THEN excluded.interface ELSE interface END,
				last = max(last, excluded.last)
				RETURNING id, label, units, interface, last`)
			if err != nil {
				return nil, fmt.Errorf("samples: prepare catalogue: %w", err)
			}
		}
		se := smp.Series
		err := upsert.QueryRowContext(ctx, se.Server, se.Map, se.Device, se.Dataset, smp.Label, smp.Units, smp.Interface, smp.Time.Unix()).
			Scan(&info.id, &info.label, &info.units, &info.iface, &info.lastSaved)
		if err != nil {
			return nil, fmt.Errorf("samples: catalogue %s/%s/%s: %w", se.Map, se.Device, se.Dataset, err)
		}
		out[se] = info
	}
	return out, nil
}

func metaChanged(info samplesSeries, smp chart.Sample) bool {
	return smp.Label != "" && smp.Label != info.label || smp.Units != "" && smp.Units != info.units ||
		smp.Interface != "" && smp.Interface != info.iface
}

// saveLast moves the catalogue's last-sample time of series that got
// well ahead of it; it returns the times saved.
func (s *Samples) saveLast(ctx context.Context, tx *sql.Tx, samples []chart.Sample, cat map[chart.Series]samplesSeries) (map[chart.Series]int64, error) {
	newest := map[chart.Series]int64{}
	for _, smp := range samples {
		if t := smp.Time.Unix(); t > newest[smp.Series] {
			newest[smp.Series] = t
		}
	}
	var st *sql.Stmt
	saved := map[chart.Series]int64{}
	for se, t := range newest {
		info := cat[se]
		if t < info.lastSaved+samplesLastEvery {
			continue
		}
		if st == nil {
			var err error
			if st, err = tx.PrepareContext(ctx, `UPDATE chart_series SET last = max(last, ?) WHERE id = ?`); err != nil {
				return nil, fmt.Errorf("samples: prepare last: %w", err)
			}
			defer st.Close()
		}
		if _, err := st.ExecContext(ctx, t, info.id); err != nil {
			return nil, fmt.Errorf("samples: last of %s/%s: %w", se.Device, se.Dataset, err)
		}
		saved[se] = t
	}
	return saved, nil
}

// seriesID finds a series' id; ok is false when it was never recorded.
func (s *Samples) seriesID(ctx context.Context, se chart.Series) (int64, bool, error) {
	s.mu.Lock()
	info, ok := s.ids[se]
	s.mu.Unlock()
	if ok {
		return info.id, true, nil
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM chart_series WHERE server = ? AND map = ? AND device = ? AND dataset = ?`,
		se.Server, se.Map, se.Device, se.Dataset).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("samples: find %s/%s/%s: %w", se.Map, se.Device, se.Dataset, err)
	}
	return id, true, nil
}

// Query returns s's points at resolution r with times in [from, to],
// oldest first; roll-up points are buckets starting at their time, with
// Avg = sum/count. A series never recorded has no points.
func (s *Samples) Query(ctx context.Context, se chart.Series, r chart.Resolution, from, to time.Time) ([]chart.Point, error) {
	tbl, err := samplesTable(r)
	if err != nil {
		return nil, fmt.Errorf("samples: query: %w", err)
	}
	id, ok, err := s.seriesID(ctx, se)
	if err != nil || !ok {
		return nil, err
	}
	cols := "t, v, v, v, 1"
	if r != chart.Raw {
		cols = "t, min, max, sum, count"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM `+tbl+` WHERE series_id = ? AND t >= ? AND t <= ? ORDER BY t`,
		id, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("samples: query %s/%s at %s: %w", se.Device, se.Dataset, r, err)
	}
	defer rows.Close()
	var out []chart.Point
	for rows.Next() {
		var t int64
		var p chart.Point
		var sum float64
		if err := rows.Scan(&t, &p.Min, &p.Max, &sum, &p.Count); err != nil {
			return nil, fmt.Errorf("samples: read %s/%s: %w", se.Device, se.Dataset, err)
		}
		p.Time = time.Unix(t, 0).UTC()
		if p.Count > 0 {
			p.Avg = sum / float64(p.Count)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("samples: read %s/%s: %w", se.Device, se.Dataset, err)
	}
	return out, nil
}

// Datasets lists the catalogued datasets; an empty server, map or device
// matches any. Last is the newest raw point, or the catalogued time when
// raw points have expired.
func (s *Samples) Datasets(ctx context.Context, server, mapName, device string) ([]chart.Meta, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT server, map, device, dataset, label, units, interface,
		max(last, COALESCE((SELECT max(t) FROM chart_raw r WHERE r.series_id = s.id), 0))
		FROM chart_series s
		WHERE (?1 = '' OR server = ?1) AND (?2 = '' OR map = ?2) AND (?3 = '' OR device = ?3)
		ORDER BY server, map, device, dataset`, server, mapName, device)
	if err != nil {
		return nil, fmt.Errorf("samples: datasets: %w", err)
	}
	defer rows.Close()
	var out []chart.Meta
	for rows.Next() {
		var m chart.Meta
		var last int64
		if err := rows.Scan(&m.Server, &m.Map, &m.Device, &m.Dataset, &m.Label, &m.Units, &m.Interface, &last); err != nil {
			return nil, fmt.Errorf("samples: datasets: %w", err)
		}
		if last != 0 {
			m.Last = time.Unix(last, 0).UTC()
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("samples: datasets: %w", err)
	}
	return out, nil
}

// AllSeries lists every catalogued series, for retention.
func (s *Samples) AllSeries(ctx context.Context) ([]chart.Series, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT server, map, device, dataset FROM chart_series ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("samples: list series: %w", err)
	}
	defer rows.Close()
	var out []chart.Series
	for rows.Next() {
		var se chart.Series
		if err := rows.Scan(&se.Server, &se.Map, &se.Device, &se.Dataset); err != nil {
			return nil, fmt.Errorf("samples: list series: %w", err)
		}
		out = append(out, se)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("samples: list series: %w", err)
	}
	return out, nil
}

// Prune deletes se's points at resolution r older than before, in chunks
// of samplesPruneChunk points, each its own short write, so a large backlog never
// holds up the recorder for long.
func (s *Samples) Prune(ctx context.Context, se chart.Series, r chart.Resolution, before time.Time) (int64, error) {
	tbl, err := samplesTable(r)
	if err != nil {
		return 0, fmt.Errorf("samples: prune: %w", err)
	}
	id, ok, err := s.seriesID(ctx, se)
	if err != nil || !ok {
		return 0, err
	}
	cut := before.Unix()
	var total int64
	for {
		n, more, err := s.pruneChunk(ctx, tbl, id, cut)
		total += n
		if err != nil {
			return total, fmt.Errorf("samples: prune %s/%s at %s: %w", se.Device, se.Dataset, r, err)
		}
		if !more {
			return total, nil
		}
	}
}

// pruneChunk deletes up to samplesPruneChunk of the oldest points before cut;
// more reports that there may be others.
func (s *Samples) pruneChunk(ctx context.Context, tbl string, id, cut int64) (n int64, more bool, err error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var edge int64
	err = s.db.QueryRowContext(ctx, `SELECT t FROM `+tbl+` WHERE series_id = ? AND t < ? ORDER BY t LIMIT 1 OFFSET ?`,
		id, cut, samplesPruneChunk-1).Scan(&edge)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		edge, more = cut-1, false
	case err != nil:
		return 0, false, err
	default:
		more = true
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+tbl+` WHERE series_id = ? AND t <= ?`, id, edge)
	if err != nil {
		return 0, false, err
	}
	n, err = res.RowsAffected()
	return n, more && n > 0, err
}
