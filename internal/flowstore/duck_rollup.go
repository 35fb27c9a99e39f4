package flowstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hourly host roll-ups. Ranking hosts over a day reads tens of millions of
// sessions; each day file also keeps, per finished hour, every host's
// share of that hour's volume (as a client and as a server) and the
// sessions it started then. A host, client or server ranking without
// filters other than inside networks then reads the roll-ups for the whole
// hours of its range and the sessions only at the edges. Shares add up
// over adjacent intervals, so the answer is the same as from the sessions
// alone. Roll-ups skip duplicates, like the totals they serve.

const hourMS = int64(time.Hour / time.Millisecond)

// rollupDelay is how long after an hour ends its roll-up is built, leaving
// time for the builder's timeouts; a session stored later into a built hour
// removes that hour's roll-up, which is built again.
const rollupDelay = 10 * time.Minute

// A day whose 24 hours are rolled up gets a day roll-up too (host_day,
// marked in rollup_day), the sum of its hours.
const duckRollupSchema = `CREATE TABLE IF NOT EXISTS %[1]s.host_hour (
	hour BIGINT, hi UBIGINT, lo UBIGINT, role UTINYINT, vb DOUBLE, vp DOUBLE, n BIGINT);
CREATE TABLE IF NOT EXISTS %[1]s.rollup_hours (hour BIGINT);
CREATE TABLE IF NOT EXISTS %[1]s.host_day (hi UBIGINT, lo UBIGINT, role UTINYINT, vb DOUBLE, vp DOUBLE, n BIGINT);
CREATE TABLE IF NOT EXISTS %[1]s.rollup_day (done BOOLEAN)`

// loadRollupsLocked reads which hours of a day are rolled up.
func (d *Duck) loadRollupsLocked(ctx context.Context, day string) error {
	a := alias(day)
	if _, err := d.db.ExecContext(ctx, fmt.Sprintf(duckRollupSchema, a)); err != nil {
		return fmt.Errorf("flow store day %s: roll-up tables: %w", day, err)
	}
	var n int64
	if err := d.db.QueryRowContext(ctx, "SELECT count(*) FROM "+a+".rollup_day").Scan(&n); err != nil {
		return fmt.Errorf("flow store day %s: roll-up tables: %w", day, err)
	}
	d.dayBuilt[day] = n > 0
	return d.query(ctx, "SELECT hour FROM "+a+".rollup_hours", func(v []string) error {
		var h int64
		if _, err := fmt.Sscan(v[0], &h); err != nil {
			return err
		}
		d.built[h] = true
		return nil
	})
}

func dayOfMS(ms int64) string { return time.UnixMilli(ms).UTC().Format("20060102") }

// unrollLocked drops the roll-ups of the hours the sessions touch, to be
// built again with them.
func (d *Duck) unrollLocked(ctx context.Context, ss []*Session) error {
	var stale []int64
	for _, s := range ss {
		start, dur := storedTimes(s)
		for h := start - start%hourMS; h <= start+int64(dur); h += hourMS {
			if d.built[h] && !slices.Contains(stale, h) {
				stale = append(stale, h)
			}
		}
	}
	for _, h := range stale {
		day := dayOfMS(h)
		a := alias(day)
		if !d.days[day] {
			delete(d.built, h)
			continue
		}
		for _, q := range []string{
			fmt.Sprintf("DELETE FROM %s.host_hour WHERE hour = %d", a, h),
			fmt.Sprintf("DELETE FROM %s.rollup_hours WHERE hour = %d", a, h),
			fmt.Sprintf("DELETE FROM %s.host_day", a),
			fmt.Sprintf("DELETE FROM %s.rollup_day", a),
		} {
			if _, err := d.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("flow store: drop roll-up of hour %s: %w", time.UnixMilli(h).UTC().Format(time.RFC3339), err)
			}
		}
		delete(d.built, h)
		d.dayBuilt[day] = false
	}
	return nil
}

// Rollup builds the missing roll-ups of the hours that ended before until.
// Maintain runs it for the hours ended ten minutes ago; tools and tests
// call it directly.
func (d *Duck) Rollup(ctx context.Context, until time.Time) error {
	<-d.loaded
	d.mu.Lock()
	days := make([]string, 0, len(d.days))
	for day := range d.days {
		days = append(days, day)
	}
	d.mu.Unlock()
	slices.Sort(days)
	for _, day := range days {
		t, err := time.Parse("20060102", day)
		if err != nil {
			continue
		}
		for h := t.UnixMilli(); h < t.UnixMilli()+24*hourMS && h+hourMS <= until.UnixMilli(); h += hourMS {
			if err := d.rollupHour(ctx, day, h); err != nil {
				return err
			}
		}
		if err := d.rollupDay(ctx, day, t.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// rollupDay sums a day's hour roll-ups once all 24 are built.
func (d *Duck) rollupDay(ctx context.Context, day string, start int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dayBuilt[day] || !d.days[day] || d.db == nil {
		return nil
	}
	for h := start; h < start+24*hourMS; h += hourMS {
		if !d.built[h] {
			return nil
		}
	}
	a := alias(day)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("flow store: roll-up of day %s: %w", day, err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		fmt.Sprintf("INSERT INTO %s.host_day SELECT hi, lo, role, sum(vb), sum(vp), sum(n) FROM %s.host_hour GROUP BY hi, lo, role", a, a),
		fmt.Sprintf("INSERT INTO %s.rollup_day VALUES (true)", a),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("flow store: roll-up of day %s: %w", day, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("flow store: roll-up of day %s: %w", day, err)
	}
	d.dayBuilt[day] = true
	return nil
}

func (d *Duck) rollupHour(ctx context.Context, day string, h int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.built[h] || !d.days[day] || d.db == nil {
		return nil
	}
	hq := Query{From: time.UnixMilli(h), To: time.UnixMilli(h + hourMS)}
	var parts []string
	for _, dd := range []string{dayOfMS(h - 24*hourMS), day} {
		if d.days[dd] {
			parts = append(parts, d.daySQL(dd, h, h+hourMS))
		}
	}
	inner := fmt.Sprintf("SELECT c_hi, c_lo, s_hi, s_lo, bcs + bsc AS b, pcs + psc AS p, %s AS w, "+
		"CASE WHEN cont = 0 AND start >= %d THEN 1 ELSE 0 END AS n FROM (%s) AS src WHERE %s",
		weightSQL(msRange(hq), duckDialect{}), h, strings.Join(parts, " UNION ALL "), whereSQL(hq))
	a := alias(day)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("flow store: roll-up: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s.host_hour SELECT %d, hi, lo, role, sum(b * w), sum(p * w), sum(n) FROM "+
		"(SELECT c_hi AS hi, c_lo AS lo, 0 AS role, b, p, w, n FROM (%s) AS t1 UNION ALL SELECT s_hi, s_lo, 1, b, p, w, n FROM (%s) AS t2) AS t3 GROUP BY hi, lo, role",
		a, h, inner, inner)); err != nil {
		return fmt.Errorf("flow store: roll-up of hour %s: %w", hq.From.UTC().Format(time.RFC3339), err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s.rollup_hours VALUES (%d)", a, h)); err != nil {
		return fmt.Errorf("flow store: roll-up of hour %s: %w", hq.From.UTC().Format(time.RFC3339), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("flow store: roll-up of hour %s: %w", hq.From.UTC().Format(time.RFC3339), err)
	}
	d.built[h] = true
	return nil
}

// rollupSQL answers a host, client or server ranking from the roll-ups of
// the whole hours [h1, h2) and the sessions at the edges, or returns ""
// when the query cannot use them. The caller holds d.mu.
func (d *Duck) rollupSQL(q Query) string {
	if (q.By != ByHost && q.By != ByClient && q.By != ByServer) || q.countsDuplicates() ||
		q.Host.IsValid() || q.Subnet.IsValid() || q.Port != 0 || q.Proto != 0 {
		return ""
	}
	r := msRange(q)
	h1 := r.from + (hourMS-r.from%hourMS)%hourMS
	h2 := r.to - r.to%hourMS
	// Hours not rolled up at either end (the current hour, days with no
	// file) are read from the sessions with the edges.
	ready := func(h int64) bool { return d.built[h] && d.days[dayOfMS(h)] }
	for h1 < h2 && !ready(h1) {
		h1 += hourMS
	}
	for h2 > h1 && !ready(h2-hourMS) {
		h2 -= hourMS
	}
	if h2-h1 < hourMS {
		return ""
	}
	for h := h1; h < h2; h += hourMS {
		if !ready(h) {
			return ""
		}
	}
	// Sessions: those starting before h1 (counted by the usual rule) and
	// those reaching the right edge; their shares of both edges. Each part
	// bounds start so that DuckDB reads only the row groups at the edges.
	var src []string
	for day := range d.days {
		if day >= dayOfMS(r.from-24*hourMS) && day <= dayOfMS(r.to) {
			src = append(src, d.daySQL(day, r.from, h1),
				fmt.Sprintf("SELECT %s FROM %s.sessions WHERE start >= %d AND start >= %d AND start < %d AND (start + dur > %d OR start >= %d)",
					columns, alias(day), h1, h2-d.maxDur[day], r.to, h2, h2))
		}
	}
	slices.Sort(src)
	edgeShare := func(from, to int64) string {
		if to <= from {
			return "CAST(0 AS DOUBLE)"
		}
		return fmt.Sprintf("CASE WHEN dur = 0 THEN (CASE WHEN start >= %d AND start < %d THEN CAST(1 AS DOUBLE) ELSE CAST(0 AS DOUBLE) END) "+
			"ELSE CAST(greatest(0, least(start + dur, %d) - greatest(start, %d)) AS DOUBLE) / dur END", from, to, to, from)
	}
	inner := fmt.Sprintf("SELECT c_hi, c_lo, s_hi, s_lo, bcs + bsc AS b, pcs + psc AS p, (%s) + (%s) AS w, "+
		"CASE WHEN (start < %d OR start >= %d) AND (cont = 0 OR start <= %d) THEN 1 ELSE 0 END AS n FROM (%s) AS src "+
		"WHERE %s",
		edgeShare(r.from, h1), edgeShare(h2, r.to), h1, h2, r.from, strings.Join(src, " UNION ALL "), whereSQL(q))
	var sel []string
	role := ""
	switch q.By {
	case ByHost:
		sel = append(sel, "SELECT c_hi AS hi, c_lo AS lo, b * w AS vb, p * w AS vp, n FROM ("+inner+") AS t1",
			"SELECT s_hi AS hi, s_lo AS lo, b * w AS vb, p * w AS vp, n FROM ("+inner+") AS t2")
	case ByClient:
		sel, role = append(sel, "SELECT c_hi AS hi, c_lo AS lo, b * w AS vb, p * w AS vp, n FROM ("+inner+") AS t1"), " AND role = 0"
	case ByServer:
		sel, role = append(sel, "SELECT s_hi AS hi, s_lo AS lo, b * w AS vb, p * w AS vp, n FROM ("+inner+") AS t1"), " AND role = 1"
	}
	for day := dayOfMS(h1); day <= dayOfMS(h2-1); {
		t, _ := time.Parse("20060102", day)
		ds, de := t.UnixMilli(), t.UnixMilli()+24*hourMS
		if ds >= h1 && de <= h2 && d.dayBuilt[day] {
			sel = append(sel, fmt.Sprintf("SELECT hi, lo, vb, vp, n FROM %s.host_day WHERE true%s", alias(day), role))
		} else {
			sel = append(sel, fmt.Sprintf("SELECT hi, lo, vb, vp, n FROM %s.host_hour WHERE hour >= %d AND hour < %d%s", alias(day), max(h1, ds), min(h2, de), role))
		}
		day = t.Add(24 * time.Hour).Format("20060102")
	}
	where := ""
	if len(q.Inside) > 0 {
		where = " WHERE " + insideSQL(q.Inside)
	}
	order := map[Metric]string{MetricBytes: "vbytes", MetricPackets: "vpackets", MetricSessions: "vsessions"}[q.Metric]
	return fmt.Sprintf("SELECT hi, lo, sum(vb) AS vbytes, sum(vp) AS vpackets, CAST(sum(n) AS BIGINT) AS vsessions FROM (%s) AS u%s "+
		"GROUP BY hi, lo ORDER BY %s DESC, hi, lo LIMIT %d", strings.Join(sel, " UNION ALL "), where, order, q.Limit)
}
