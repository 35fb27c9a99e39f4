package flowstore

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var suiteFrom = time.Date(2026, 2, 27, 22, 30, 0, 0, time.UTC)

const suiteSpan = 30 * time.Hour // crosses two day boundaries

// suiteSessions are the sessions every store is loaded with.
func suiteSessions() []Session {
	return randomSessions(rand.New(rand.NewPCG(7, 11)), 6000, suiteFrom, suiteSpan)
}

// runQuerySuite checks a store loaded with suiteSessions against the brute
// force: every query of querySuite, and time charts.
func runQuerySuite(t *testing.T, st Store) {
	ctx := context.Background()
	sessions := suiteSessions()
	ports := DefaultPorts()
	names := make([]string, 0)
	qs := querySuite(suiteFrom, suiteSpan)
	for n := range qs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		q := qs[name]
		got, err := st.Top(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checkTop(t, name, got, q, ports, sessions)
	}
	charts := map[string]Query{
		"whole":  {From: suiteFrom, To: suiteFrom.Add(suiteSpan)},
		"zoomed": {From: suiteFrom.Add(5 * time.Hour), To: suiteFrom.Add(5*time.Hour + 17*time.Minute)},
		"udp":    {From: suiteFrom.Add(-time.Hour), To: suiteFrom.Add(3 * time.Hour), Proto: 17},
	}
	for name, q := range charts {
		for _, n := range []int{200, 7} {
			c, err := st.TimeChart(ctx, q, n)
			if err != nil {
				t.Errorf("chart %s: %v", name, err)
				continue
			}
			want := bruteChart(q, n, sessions)
			if len(c.Buckets) != n {
				t.Errorf("chart %s: %d buckets, want %d", name, len(c.Buckets), n)
				continue
			}
			for i, b := range c.Buckets {
				if !near(b.Bytes, want[i]) {
					t.Errorf("chart %s/%d bucket %d: %d bytes, want %d", name, n, i, b.Bytes, want[i])
				}
			}
		}
	}
}
