package flowstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// duckDialect is DuckDB's side of the generated SQL.
type duckDialect struct{}

func (duckDialect) float(e string) string { return "CAST(" + e + " AS DOUBLE)" }
func (duckDialect) int(e string) string   { return "CAST(" + e + " AS BIGINT)" }
func (duckDialect) i64(n int64) string    { return strconv.FormatInt(n, 10) }
func (duckDialect) expand(first, last string) string {
	return fmt.Sprintf("unnest(range(%s, %s + 1))", first, last)
}

// source is the union of the days a range touches (from the day before
// its start), or "" when none is attached. The caller holds queries for
// reading until it has run the SQL.
func (d *Duck) source(q Query) (string, func()) {
	d.mu.Lock()
	d.queries.RLock()
	first := q.From.UTC().Add(-24 * time.Hour).Format("20060102")
	last := q.To.UTC().Format("20060102")
	var days []string
	for day := range d.days {
		if day >= first && day <= last {
			days = append(days, day)
		}
	}
	slices.Sort(days)
	r := msRange(q)
	parts := make([]string, len(days))
	for i, day := range days {
		parts[i] = d.daySQL(day, r.from, r.to)
	}
	d.mu.Unlock()
	if len(days) == 0 {
		return "", d.queries.RUnlock
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ")", d.queries.RUnlock
}

// Top ranks sessions (see Store).
func (d *Duck) Top(ctx context.Context, q Query) ([]Row, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, fmt.Errorf("flow query: %w", err)
	}
	src, done := d.source(q)
	defer done()
	if src == "" {
		return []Row{}, nil
	}
	d.mu.Lock()
	sql := d.rollupSQL(q)
	d.mu.Unlock()
	if sql == "" {
		sql = topSQL(q, src+" AS src", duckDialect{})
	}
	out := []Row{}
	err = d.query(ctx, sql, func(v []string) error {
		r, err := rowFromText(q.By, d.opts.Ports, v)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("flow query top %s by %s: %w", q.By, q.Metric, err)
	}
	return out, nil
}

// TimeChart spreads sessions over buckets (see Store).
func (d *Duck) TimeChart(ctx context.Context, q Query, buckets int) (Chart, error) {
	q.By, q.Metric, q.Limit = ByHost, MetricBytes, 1
	q, err := q.normalize()
	if err != nil {
		return Chart{}, fmt.Errorf("flow chart: %w", err)
	}
	n := chartBuckets(q, buckets)
	c := newChart(q, n)
	src, done := d.source(q)
	defer done()
	if src == "" {
		return c, nil
	}
	ev := newChartEvents(n)
	err = d.query(ctx, chartSQL(q, src+" AS src", n, duckDialect{}), ev.add)
	if err != nil {
		return Chart{}, fmt.Errorf("flow chart: %w", err)
	}
	ev.fill(&c)
	return c, nil
}

// query runs SQL and hands each answer line to fn as text.
func (d *Duck) query(ctx context.Context, q string, fn func([]string) error) error {
	rows, err := d.db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	text := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			text[i] = v.String
		}
		if err := fn(text); err != nil {
			return err
		}
	}
	return rows.Err()
}
