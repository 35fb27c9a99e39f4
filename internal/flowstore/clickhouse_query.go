package flowstore

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// chDialect is ClickHouse's side of the generated SQL (functions that
// exist since before 18.16).
type chDialect struct{}

func (chDialect) float(e string) string { return "toFloat64(" + e + ")" }
func (chDialect) int(e string) string   { return "toInt64(" + e + ")" }
func (chDialect) i64(n int64) string    { return "toInt64(" + strconv.FormatInt(n, 10) + ")" }
func (chDialect) expand(first, last string) string {
	return fmt.Sprintf("%s + toInt64(arrayJoin(range(toUInt64(%s - %s + 1))))", first, last, first)
}

// source reads the days a range touches, from the day before its start:
// the day condition lets ClickHouse skip the other partitions.
func (c *ClickHouse) source(q Query) string {
	first := q.From.UTC().Add(-24 * time.Hour).Format("2006-01-02")
	last := q.To.UTC().Format("2006-01-02")
	return fmt.Sprintf("(SELECT %s FROM %s WHERE day >= toDate('%s') AND day <= toDate('%s')) AS src", columns, c.table, first, last)
}

// Top ranks sessions (see Store).
func (c *ClickHouse) Top(ctx context.Context, q Query) ([]Row, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, fmt.Errorf("flow query: %w", err)
	}
	out := []Row{}
	err = c.query(ctx, topSQL(q, c.source(q), chDialect{}), func(v []string) error {
		r, err := rowFromText(q.By, c.opts.Ports, v)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("flow query top %s by %s: %w", q.By, q.Metric, err)
	}
	return out, nil
}

// TimeChart spreads sessions over buckets (see Store).
func (c *ClickHouse) TimeChart(ctx context.Context, q Query, buckets int) (Chart, error) {
	q.By, q.Metric, q.Limit = ByHost, MetricBytes, 1
	q, err := q.normalize()
	if err != nil {
		return Chart{}, fmt.Errorf("flow chart: %w", err)
	}
	n := chartBuckets(q, buckets)
	ch := newChart(q, n)
	ev := newChartEvents(n)
	err = c.query(ctx, chartSQL(q, c.source(q), n, chDialect{}), ev.add)
	if err != nil {
		return Chart{}, fmt.Errorf("flow chart: %w", err)
	}
	ev.fill(&ch)
	return ch, nil
}

// partitions lists the table's day partitions, oldest first, with their
// bytes on disk.
func (c *ClickHouse) partitions(ctx context.Context) (days []string, sizes []int64, err error) {
	sql := fmt.Sprintf("SELECT partition, sum(bytes) FROM system.parts WHERE active AND database = '%s' AND table = '%s' GROUP BY partition ORDER BY partition",
		c.db, c.name)
	err = c.query(ctx, sql, func(v []string) error {
		if len(v) != 2 {
			return fmt.Errorf("answer has %d columns, want 2", len(v))
		}
		n, err := strconv.ParseInt(v[1], 10, 64)
		if err != nil {
			return fmt.Errorf("partition size %q: %w", v[1], err)
		}
		days, sizes = append(days, v[0]), append(sizes, n)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("flow store ClickHouse: partitions: %w", err)
	}
	return days, sizes, nil
}

// Size is the bytes on disk of the table's active parts.
func (c *ClickHouse) Size(ctx context.Context) (int64, error) {
	_, sizes, err := c.partitions(ctx)
	var n int64
	for _, s := range sizes {
		n += s
	}
	return n, err
}

// Maintain enforces the size cap and age limit by dropping the oldest day
// partitions (never the newest), as the DuckDB store does. Insert runs it
// every 30 seconds when a cap or age limit is set.
func (c *ClickHouse) Maintain(ctx context.Context) error {
	days, sizes, err := c.partitions(ctx)
	if err != nil {
		return err
	}
	var total int64
	for _, s := range sizes {
		total += s
	}
	c.mu.Lock()
	maxBytes, maxAge := c.opts.MaxBytes, c.opts.MaxAge
	c.mu.Unlock()
	for i := 0; i < len(days)-1; i++ {
		t, _ := time.Parse("20060102", days[i])
		tooBig := maxBytes > 0 && total > maxBytes
		tooOld := maxAge > 0 && time.Since(t.Add(24*time.Hour)) > maxAge
		if !tooBig && !tooOld {
			break
		}
		if _, err := strconv.Atoi(days[i]); err != nil {
			return fmt.Errorf("flow store ClickHouse: unexpected partition %q", days[i])
		}
		if err := c.exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP PARTITION %s", c.table, days[i]), nil); err != nil {
			return fmt.Errorf("flow store ClickHouse: drop day %s: %w", days[i], err)
		}
		total -= sizes[i]
		c.log.Info("flow store: oldest day dropped", "day", days[i], "size", total+sizes[i], "max_bytes", maxBytes, "too_old", tooOld)
	}
	return nil
}
