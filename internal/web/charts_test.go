package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseChartQuery(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		query      string
		from, to   time.Time
		points     int
		wantErrSub string
	}{
		{query: "", from: now.Add(-24 * time.Hour), to: now},
		{query: "from=7d", from: now.Add(-7 * 24 * time.Hour), to: now},
		{query: "from=-2h&points=100", from: now.Add(-2 * time.Hour), to: now, points: 100},
		{query: "from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", from: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
		{query: "from=1700000000&to=1700003600", from: time.Unix(1700000000, 0), to: time.Unix(1700003600, 0)},
		{query: "from=yesterday", wantErrSub: "from:"},
		{query: "to=1h&from=30m", wantErrSub: "must be before"},
		{query: "points=0", wantErrSub: "points"},
		{query: "points=999999", wantErrSub: "points"},
		{query: "points=x", wantErrSub: "points"},
	} {
		r := httptest.NewRequest("GET", "/api/v1/charts?"+tc.query, nil)
		q, err := parseChartQuery(r, now)
		if tc.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
				t.Errorf("%q: error %v, want one with %q", tc.query, err, tc.wantErrSub)
			}
			continue
		}
		if err != nil || !q.from.Equal(tc.from) || !q.to.Equal(tc.to) || q.points != tc.points {
			t.Errorf("%q: got %v..%v %d %v", tc.query, q.from, q.to, q.points, err)
		}
	}
}
