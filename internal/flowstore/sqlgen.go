package flowstore

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// dialect is what differs between DuckDB's and ClickHouse's SQL; the rest
// of the generated SQL is written to run on both (ClickHouse back to 18.16):
// least, greatest, floor, CASE, UNION ALL in a subquery.
type dialect interface {
	// float converts a numeric expression to a 64-bit float.
	float(expr string) string
	// int converts a numeric expression to a signed 64-bit integer.
	int(expr string) string
	// expand yields one row per integer from first to last inclusive.
	expand(first, last string) string
	// i64 writes a signed 64-bit literal (ClickHouse reads large positive
	// literals as UInt64, which least and greatest will not mix with Int64).
	i64(n int64) string
}

// columns is the stored layout, the same in both stores. Times are
// milliseconds since 1970; addresses are halves (see addrHalves).
const columns = "start, dur, c_hi, c_lo, s_hi, s_lo, cport, sport, proto, bcs, bsc, pcs, psc, exporter, in_if, out_if, flows, sampling, dup, cont"

// rangeMS is a query range in milliseconds.
type rangeMS struct{ from, to int64 }

func msRange(q Query) rangeMS { return rangeMS{q.From.UnixMilli(), q.To.UnixMilli()} }

// whereSQL selects the sessions overlapping the range that pass the
// filters.
func whereSQL(q Query) string {
	r := msRange(q)
	c := []string{fmt.Sprintf("start < %d AND (start + dur > %d OR (dur = 0 AND start >= %d))", r.to, r.from, r.from)}
	if !q.countsDuplicates() {
		c = append(c, "dup = 0")
	}
	if q.Exporter.IsValid() {
		c = append(c, fmt.Sprintf("exporter = '%s'", q.Exporter.Unmap()))
	}
	if f := q.Interface; f != nil {
		switch f.Dir {
		case "in":
			c = append(c, fmt.Sprintf("in_if = %d", f.Index))
		case "out":
			c = append(c, fmt.Sprintf("out_if = %d", f.Index))
		default:
			c = append(c, fmt.Sprintf("(in_if = %d OR out_if = %d)", f.Index, f.Index))
		}
	}
	if q.Host.IsValid() {
		hi, lo := addrHalves(q.Host.Unmap())
		c = append(c, fmt.Sprintf("((c_hi = %d AND c_lo = %d) OR (s_hi = %d AND s_lo = %d))", hi, lo, hi, lo))
	}
	if q.Subnet.IsValid() {
		c = append(c, "("+inPrefixSQL("c_hi", "c_lo", q.Subnet)+" OR "+inPrefixSQL("s_hi", "s_lo", q.Subnet)+")")
	}
	if q.Port != 0 {
		c = append(c, fmt.Sprintf("(cport = %d OR sport = %d)", q.Port, q.Port))
	}
	if q.Proto != 0 {
		c = append(c, fmt.Sprintf("proto = %d", q.Proto))
	}
	return strings.Join(c, " AND ")
}

// inPrefixSQL tests an address held in two columns against a prefix.
func inPrefixSQL(hiCol, loCol string, p netip.Prefix) string {
	lh, ll, hh, hl := prefixRange(p)
	if lh == hh {
		return fmt.Sprintf("(%s = %d AND %s >= %d AND %s <= %d)", hiCol, lh, loCol, ll, loCol, hl)
	}
	return fmt.Sprintf("((%s > %d OR (%s = %d AND %s >= %d)) AND (%s < %d OR (%s = %d AND %s <= %d)))",
		hiCol, lh, hiCol, lh, loCol, ll, hiCol, hh, hiCol, hh, loCol, hl)
}

// insideSQL keeps host rows (columns hi, lo) inside any of the networks.
func insideSQL(nets []netip.Prefix) string {
	var c []string
	for _, p := range nets {
		c = append(c, inPrefixSQL("hi", "lo", p))
	}
	return "(" + strings.Join(c, " OR ") + ")"
}

// weightSQL is the share of a session's volume inside the range, as
// Session.Share computes it.
func weightSQL(r rangeMS, d dialect) string {
	return fmt.Sprintf("CASE WHEN start >= %d AND start + dur <= %d THEN %s ELSE %s / %s END",
		r.from, r.to, d.float("1"), d.float(fmt.Sprintf("least(start + dur, %s) - greatest(start, %s)", d.i64(r.to), d.i64(r.from))), d.float("dur"))
}

// keyColumns are the grouping columns a top-N answer starts with.
func keyColumns(by By) []string {
	switch by {
	case ByHost, ByClient, ByServer:
		return []string{"hi", "lo"}
	case ByConversation:
		return []string{"c_hi", "c_lo", "s_hi", "s_lo"}
	case ByProtocol:
		return []string{"proto"}
	case ByApplication:
		return []string{"proto", "sport"}
	case ByExporter:
		return []string{"exporter"}
	case ByInterface:
		return []string{"exporter", "ifindex"}
	}
	return nil
}

// topSQL ranks the sessions of src (a table or subquery) for a normalised
// query. Its answer's columns are keyColumns, then bytes, packets and
// sessions (bytes and packets as floats, rounded by the caller).
func topSQL(q Query, src string, d dialect) string {
	r := msRange(q)
	inner := fmt.Sprintf("SELECT c_hi, c_lo, s_hi, s_lo, proto, sport, exporter, in_if, out_if, "+
		"bcs + bsc AS b, pcs + psc AS p, %s AS w, CASE WHEN cont = 0 OR start <= %d THEN 1 ELSE 0 END AS n FROM %s WHERE %s",
		weightSQL(r, d), r.from, src, whereSQL(q))
	from := "(" + inner + ") AS t1"
	keys := keyColumns(q.By)
	where := ""
	switch q.By {
	case ByHost:
		from = fmt.Sprintf("(SELECT c_hi AS hi, c_lo AS lo, b, p, w, n FROM %s UNION ALL SELECT s_hi AS hi, s_lo AS lo, b, p, w, n FROM %s) AS t2", from, from)
	case ByClient:
		from = fmt.Sprintf("(SELECT c_hi AS hi, c_lo AS lo, b, p, w, n FROM %s) AS t2", from)
	case ByServer:
		from = fmt.Sprintf("(SELECT s_hi AS hi, s_lo AS lo, b, p, w, n FROM %s) AS t2", from)
	case ByInterface:
		from = fmt.Sprintf("(SELECT exporter, in_if AS ifindex, b, p, w, n FROM %s UNION ALL SELECT exporter, out_if AS ifindex, b, p, w, n FROM %s) AS t2", from, from)
	}
	if len(q.Inside) > 0 && (q.By == ByHost || q.By == ByClient || q.By == ByServer) {
		where = " WHERE " + insideSQL(q.Inside)
	}
	order := map[Metric]string{MetricBytes: "vbytes", MetricPackets: "vpackets", MetricSessions: "vsessions"}[q.Metric]
	k := strings.Join(keys, ", ")
	return fmt.Sprintf("SELECT %s, sum(b * w) AS vbytes, sum(p * w) AS vpackets, %s AS vsessions FROM %s%s GROUP BY %s ORDER BY %s DESC, %s LIMIT %d",
		k, d.int("sum(n)"), from, where, k, order, k, q.Limit)
}

// chartSQL spreads the volume of the sessions of src over n equal buckets
// of the range without visiting each bucket a session spans: a session is
// a constant rate (volume/duration) from its start to its end, so it adds
// its rate at its start, takes it away at its end, and a bucket holds the
// rate running at its start times its width plus what starts and ends
// inside it did there. Each event contributes rate × (bucket end − t) to
// its own bucket and its rate to the running rate of those after; the
// caller adds them up (Chart.fromEvents). Sessions without duration put
// their whole volume in their bucket. The answer's columns are the bucket
// index, then for bytes and for packets: the summed rate, the in-bucket
// part, and the volume of sessions without duration.
func chartSQL(q Query, src string, n int, d dialect) string {
	r := msRange(q)
	w := float64(r.to-r.from) / float64(n)
	ws := strconv.FormatFloat(w, 'f', -1, 64)
	// Typed as a float: DuckDB reads 1.5 as a DECIMAL, slow to compute with.
	ws = d.float(ws)
	zero := d.float("0")
	where := whereSQL(q)
	starts := fmt.Sprintf("SELECT %s AS t, %s / %s AS rb, %s / %s AS rp, %s AS zb, %s AS zp FROM %s WHERE %s AND dur > 0",
		d.float(fmt.Sprintf("greatest(start, %s)", d.i64(r.from))), d.float("bcs + bsc"), d.float("dur"), d.float("pcs + psc"), d.float("dur"), zero, zero, src, where)
	ends := fmt.Sprintf("SELECT %s AS t, -%s / %s AS rb, -%s / %s AS rp, %s AS zb, %s AS zp FROM %s WHERE %s AND dur > 0 AND start + dur < %d",
		d.float("start + dur"), d.float("bcs + bsc"), d.float("dur"), d.float("pcs + psc"), d.float("dur"), zero, zero, src, where, r.to)
	zeros := fmt.Sprintf("SELECT %s AS t, %s AS rb, %s AS rp, %s AS zb, %s AS zp FROM %s WHERE %s AND dur = 0",
		d.float("start"), zero, zero, d.float("bcs + bsc"), d.float("pcs + psc"), src, where)
	bucket := fmt.Sprintf("SELECT %s AS i, t, rb, rp, zb, zp FROM (%s UNION ALL %s UNION ALL %s) AS t1",
		d.int(fmt.Sprintf("floor((t - %d) / %s)", r.from, ws)), starts, ends, zeros)
	left := fmt.Sprintf("(%d + (i + 1) * %s - t)", r.from, ws)
	return fmt.Sprintf("SELECT i, sum(rb) AS srb, sum(rb * %s) AS crb, sum(zb) AS szb, sum(rp) AS srp, sum(rp * %s) AS crp, sum(zp) AS szp "+
		"FROM (%s) AS t2 GROUP BY i ORDER BY i", left, left, bucket)
}
