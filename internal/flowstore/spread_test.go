package flowstore

import (
	"context"
	"math"
	"net/netip"
	"testing"
	"time"
)

func TestShare(t *testing.T) {
	cases := []struct {
		name                 string
		start, dur, from, to int64
		want                 float64
	}{
		{"inside", 10, 5, 0, 100, 1},
		{"straddles the start", 0, 100, 50, 150, 0.5},
		{"straddles the end", 90, 40, 0, 100, 0.25},
		{"covers the range", 0, 1000, 100, 200, 0.1},
		{"ends at the start", 0, 50, 50, 100, 0},
		{"starts at the end", 100, 50, 50, 100, 0},
		{"instant inside", 50, 0, 50, 100, 1},
		{"instant at the end", 100, 0, 50, 100, 0},
	}
	for _, c := range cases {
		if got := share(c.start, c.dur, c.from, c.to); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: share %v, want %v", c.name, got, c.want)
		}
	}
}

// TestZoomMakesPeaksTaller is the seed's chart question: a one-minute
// burst in a one-day chart is spread over a ~7-minute bucket; zooming into
// an hour, ~18-second buckets show its true rate.
func TestZoomMakesPeaksTaller(t *testing.T) {
	d := openDuck(t, t.TempDir(), DefaultOptions())
	ctx := context.Background()
	day := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	burst := Session{
		Start: day.Add(12*time.Hour + 3*time.Minute), End: day.Add(12*time.Hour + 4*time.Minute),
		Client: netip.MustParseAddr("10.0.0.1"), Server: netip.MustParseAddr("10.0.0.2"), ServerPort: 443, Proto: 6,
		BytesSC: 60_000_000, PacketsSC: 40_000, Exporter: netip.MustParseAddr("192.0.2.1"), Flows: 1, Sampling: 1,
	}
	if err := d.Insert(ctx, []Session{burst}); err != nil {
		t.Fatal(err)
	}
	peak := func(from, to time.Time) (float64, uint64) {
		c, err := d.TimeChart(ctx, Query{From: from, To: to}, 200)
		if err != nil {
			t.Fatal(err)
		}
		var top float64
		var total uint64
		for _, b := range c.Buckets {
			top = max(top, b.BitsPerSec)
			total += b.Bytes
		}
		return top, total
	}
	dayPeak, dayTotal := peak(day, day.Add(24*time.Hour))
	hourPeak, hourTotal := peak(day.Add(12*time.Hour), day.Add(13*time.Hour))
	// 60 MB in one minute is 8 Mbit/s; a 432-second bucket shows 60 MB
	// over 432 s.
	if want := 60e6 * 8 / 432; math.Abs(dayPeak-want) > 1 {
		t.Errorf("day chart peak %.0f bit/s, want %.0f", dayPeak, want)
	}
	if want := 60e6 * 8 / 60; math.Abs(hourPeak-want) > 1 {
		t.Errorf("hour chart peak %.0f bit/s, want %.0f", hourPeak, want)
	}
	if dayTotal != 60_000_000 || hourTotal != 60_000_000 {
		t.Errorf("the chart totals %d and %d bytes, want all 60 MB in both", dayTotal, hourTotal)
	}
}
