package flowstore

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// randomSessions makes n sessions over [from, from+span): hosts from a
// small skewed set so rankings have heavy hitters, a few IPv6 hosts, three
// exporters with duplicates, pieces of long sessions, zero-length sessions.
func randomSessions(rng *rand.Rand, n int, from time.Time, span time.Duration) []Session {
	hosts := make([]netip.Addr, 60)
	for i := range hosts {
		if i%10 == 9 {
			hosts[i] = netip.MustParseAddr(fmt.Sprintf("2001:db8:%x::%x", i, i*7))
		} else {
			hosts[i] = netip.AddrFrom4([4]byte{10, byte(i % 3), byte(i), byte(1 + i*3)})
		}
	}
	pick := func() netip.Addr { return hosts[int(float64(len(hosts))*math.Pow(rng.Float64(), 2.5))] }
	exporters := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8:ffff::1")}
	ports := []uint16{443, 80, 53, 22, 3306, 8080, 5000}
	protos := []uint8{6, 6, 6, 17, 17, 1}
	out := make([]Session, 0, n)
	for len(out) < n {
		start := from.Add(time.Duration(rng.Int64N(int64(span/time.Millisecond))) * time.Millisecond)
		dur := time.Duration(rng.Int64N(300_000)) * time.Millisecond
		if rng.IntN(10) == 0 {
			dur = 0
		}
		s := Session{
			Start: start, End: start.Add(dur), Client: pick(), Server: pick(),
			ClientPort: uint16(1024 + rng.IntN(60000)), ServerPort: ports[rng.IntN(len(ports))], Proto: protos[rng.IntN(len(protos))],
			BytesCS: uint64(rng.ExpFloat64() * 5000), BytesSC: uint64(rng.ExpFloat64() * 50000),
			Exporter: exporters[rng.IntN(len(exporters))], InIf: uint32(1 + rng.IntN(4)), OutIf: uint32(1 + rng.IntN(4)),
			Flows: 1, Sampling: 1,
		}
		if s.Proto == 1 {
			s.ClientPort, s.ServerPort = 0, 0
		}
		s.PacketsCS, s.PacketsSC = s.BytesCS/500+1, s.BytesSC/1000+1
		out = append(out, s)
		if rng.IntN(8) == 0 { // the same session from another exporter
			d := s
			d.Exporter, d.Duplicate, d.InIf = exporters[(slices.Index(exporters, s.Exporter)+1)%3], true, 9
			out = append(out, d)
		}
		if rng.IntN(8) == 0 && dur > 0 { // the next piece of a long session
			c := s
			c.Start, c.End, c.Continued = s.End, s.End.Add(dur), true
			out = append(out, c)
		}
	}
	return out
}

// bruteTop answers a query by looking at every session, written apart from
// the SQL so the two check each other.
func bruteTop(q Query, ports Ports, sessions []Session) []Row {
	q, err := q.normalize()
	if err != nil {
		panic(err)
	}
	type acc struct {
		row    Row
		b, p   float64
		n      uint64
		metric float64
	}
	groups := map[string]*acc{}
	add := func(key string, proto Row, b, p float64, n uint64) {
		a := groups[key]
		if a == nil {
			a = &acc{row: proto}
			groups[key] = a
		}
		a.b += b
		a.p += p
		a.n += n
	}
	inside := func(a netip.Addr) bool {
		if len(q.Inside) == 0 {
			return true
		}
		for _, p := range q.Inside {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	allDups := q.By == ByExporter || q.By == ByInterface || q.Exporter.IsValid() || q.Interface != nil
	for _, s := range sessions {
		if s.Duplicate && !allDups {
			continue
		}
		// The share of [Start, End] inside [From, To).
		var w float64
		st, en := s.Start.UnixMilli(), s.End.UnixMilli()
		f, t := q.From.UnixMilli(), q.To.UnixMilli()
		switch {
		case st >= t:
		case en == st:
			if st >= f {
				w = 1
			}
		case st >= f && en <= t:
			w = 1
		default:
			if ov := min(en, t) - max(st, f); ov > 0 {
				w = float64(ov) / float64(en-st)
			}
		}
		if w == 0 {
			continue
		}
		if q.Exporter.IsValid() && s.Exporter != q.Exporter {
			continue
		}
		if i := q.Interface; i != nil {
			in, out := s.InIf == i.Index, s.OutIf == i.Index
			if i.Dir == "in" && !in || i.Dir == "out" && !out || i.Dir == "" && !in && !out {
				continue
			}
		}
		if q.Host.IsValid() && s.Client != q.Host && s.Server != q.Host {
			continue
		}
		if q.Subnet.IsValid() && !q.Subnet.Contains(s.Client) && !q.Subnet.Contains(s.Server) {
			continue
		}
		if q.Port != 0 && s.ClientPort != q.Port && s.ServerPort != q.Port {
			continue
		}
		if q.Proto != 0 && s.Proto != q.Proto {
			continue
		}
		b, p := float64(s.Bytes())*w, float64(s.Packets())*w
		var n uint64
		if !s.Continued || st <= f {
			n = 1
		}
		switch q.By {
		case ByHost:
			for _, h := range []netip.Addr{s.Client, s.Server} {
				if inside(h) {
					add(h.String(), Row{Host: h.String()}, b, p, n)
				}
			}
		case ByClient:
			if inside(s.Client) {
				add(s.Client.String(), Row{Client: s.Client.String()}, b, p, n)
			}
		case ByServer:
			if inside(s.Server) {
				add(s.Server.String(), Row{Server: s.Server.String()}, b, p, n)
			}
		case ByConversation:
			add(s.Client.String()+" "+s.Server.String(), Row{Client: s.Client.String(), Server: s.Server.String()}, b, p, n)
		case ByProtocol:
			add(fmt.Sprint(s.Proto), Row{Proto: s.Proto, Protocol: ProtoName(s.Proto)}, b, p, n)
		case ByApplication:
			add(fmt.Sprint(s.Proto, s.ServerPort), Row{Proto: s.Proto, Port: s.ServerPort, Protocol: ProtoName(s.Proto), Application: ports.Application(s.Proto, s.ServerPort)}, b, p, n)
		case ByExporter:
			add(s.Exporter.String(), Row{Exporter: s.Exporter.String()}, b, p, n)
		case ByInterface:
			add(s.Exporter.String()+" "+fmt.Sprint(s.InIf), Row{Exporter: s.Exporter.String(), IfIndex: s.InIf}, b, p, n)
			add(s.Exporter.String()+" "+fmt.Sprint(s.OutIf), Row{Exporter: s.Exporter.String(), IfIndex: s.OutIf}, b, p, n)
		}
	}
	rows := make([]Row, 0, len(groups))
	for _, a := range groups {
		r := a.row
		r.Bytes, r.Packets, r.Sessions = uint64(math.Round(a.b)), uint64(math.Round(a.p)), a.n
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Compare(metricOf(b, q.Metric), metricOf(a, q.Metric)) })
	return rows
}

func metricOf(r Row, m Metric) uint64 {
	switch m {
	case MetricPackets:
		return r.Packets
	case MetricSessions:
		return r.Sessions
	}
	return r.Bytes
}

// rowKey is a row without its numbers.
func rowKey(r Row) Row { r.Bytes, r.Packets, r.Sessions = 0, 0, 0; return r }

func near(a, b uint64) bool { return max(a, b)-min(a, b) <= 1 }

// checkTop compares a store's answer with the brute-force one: the same
// ranking values, and each row's numbers those of its key. Ties may come
// in any order.
func checkTop(t *testing.T, name string, got []Row, q Query, ports Ports, sessions []Session) {
	t.Helper()
	want := bruteTop(q, ports, sessions)
	limit := cmp.Or(q.Limit, DefaultLimit)
	if len(want) > limit {
		want = want[:limit+1] // one more, in case of a tie at the cut
	}
	byKey := map[Row]Row{}
	for _, r := range bruteTop(q, ports, sessions) {
		byKey[rowKey(r)] = r
	}
	wantN := min(limit, len(want))
	if len(got) != wantN {
		t.Errorf("%s: %d rows, want %d\n got %v\nwant %v", name, len(got), wantN, got, want)
		return
	}
	var bad []string
	for i, r := range got {
		w, ok := byKey[rowKey(r)]
		if !ok {
			bad = append(bad, fmt.Sprintf("row %d %+v: no such key", i, r))
			continue
		}
		if !near(r.Bytes, w.Bytes) || !near(r.Packets, w.Packets) || r.Sessions != w.Sessions {
			bad = append(bad, fmt.Sprintf("row %d: got %+v want %+v", i, r, w))
		}
		if !near(metricOf(r, q.Metric), metricOf(want[i], q.Metric)) {
			bad = append(bad, fmt.Sprintf("row %d ranks %d, want %d", i, metricOf(r, q.Metric), metricOf(want[i], q.Metric)))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s:\n%s", name, strings.Join(bad, "\n"))
	}
}

// querySuite is the set of queries every store must answer like the brute
// force.
func querySuite(from time.Time, span time.Duration) map[string]Query {
	all := Query{From: from.Add(-time.Hour), To: from.Add(span + 2*time.Hour)}
	mid := Query{From: from.Add(span / 3), To: from.Add(span / 2)}
	with := func(q Query, f func(*Query)) Query { f(&q); return q }
	return map[string]Query{
		"host bytes all":       all,
		"host bytes middle":    mid,
		"host packets":         with(mid, func(q *Query) { q.Metric = MetricPackets; q.Limit = 5 }),
		"host sessions":        with(mid, func(q *Query) { q.Metric = MetricSessions; q.Limit = 20 }),
		"client":               with(mid, func(q *Query) { q.By = ByClient }),
		"server":               with(all, func(q *Query) { q.By = ByServer; q.Metric = MetricSessions }),
		"conversation":         with(mid, func(q *Query) { q.By = ByConversation; q.Limit = 15 }),
		"protocol":             with(all, func(q *Query) { q.By = ByProtocol }),
		"application":          with(mid, func(q *Query) { q.By = ByApplication }),
		"exporter":             with(mid, func(q *Query) { q.By = ByExporter; q.Metric = MetricSessions }),
		"interface":            with(all, func(q *Query) { q.By = ByInterface; q.Limit = 30 }),
		"filter exporter":      with(mid, func(q *Query) { q.Exporter = netip.MustParseAddr("192.0.2.2") }),
		"filter exporter v6":   with(mid, func(q *Query) { q.Exporter = netip.MustParseAddr("2001:db8:ffff::1"); q.By = ByServer }),
		"filter interface in":  with(mid, func(q *Query) { q.Interface = &Interface{Index: 2, Dir: "in"} }),
		"filter interface out": with(mid, func(q *Query) { q.Interface = &Interface{Index: 3, Dir: "out"}; q.By = ByProtocol }),
		"filter interface any": with(all, func(q *Query) { q.Interface = &Interface{Index: 9} }),
		"filter host":          with(mid, func(q *Query) { q.Host = netip.MustParseAddr("10.1.1.4") }),
		"filter host v6":       with(all, func(q *Query) { q.Host = netip.MustParseAddr("2001:db8:9::3f"); q.By = ByConversation }),
		"filter subnet":        with(mid, func(q *Query) { q.Subnet = netip.MustParsePrefix("10.1.0.0/16"); q.By = ByConversation }),
		"filter subnet v6":     with(all, func(q *Query) { q.Subnet = netip.MustParsePrefix("2001:db8::/32") }),
		"filter port":          with(mid, func(q *Query) { q.Port = 443; q.By = ByClient }),
		"filter proto":         with(mid, func(q *Query) { q.Proto = 17; q.By = ByApplication }),
		"inside networks": with(mid, func(q *Query) {
			q.Inside = []netip.Prefix{netip.MustParsePrefix("10.2.0.0/16"), netip.MustParsePrefix("2001:db8:13::/48")}
		}),
		"inside networks server": with(all, func(q *Query) { q.By = ByServer; q.Inside = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")} }),
		"hour-aligned sessions":  {From: time.Date(2026, 2, 28, 5, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC), Metric: MetricSessions, Limit: 30},
		"hour-aligned clients":   {From: time.Date(2026, 2, 28, 5, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC), By: ByClient},
		"empty range":            {From: from.Add(-48 * time.Hour), To: from.Add(-47 * time.Hour)},
	}
}

// bruteChart spreads sessions over n buckets as the charts must.
func bruteChart(q Query, n int, sessions []Session) []uint64 {
	f, t := float64(q.From.UnixMilli()), float64(q.To.UnixMilli())
	w := (t - f) / float64(n)
	out := make([]float64, n)
	for _, s := range sessions {
		if s.Duplicate && !q.Exporter.IsValid() && q.Interface == nil {
			continue
		}
		if q.Proto != 0 && s.Proto != q.Proto {
			continue
		}
		st, en := float64(s.Start.UnixMilli()), float64(s.End.UnixMilli())
		for i := range n {
			lo, hi := f+float64(i)*w, f+float64(i+1)*w
			if en == st {
				if st >= lo && st < hi {
					out[i] += float64(s.Bytes())
				}
				continue
			}
			if ov := min(en, hi) - max(st, lo); ov > 0 {
				out[i] += float64(s.Bytes()) * ov / (en - st)
			}
		}
	}
	res := make([]uint64, n)
	for i, v := range out {
		res[i] = uint64(math.Round(v))
	}
	return res
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
