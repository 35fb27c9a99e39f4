package chart

import (
	"testing"
	"time"
)

func TestResolutionBuckets(t *testing.T) {
	at := time.Date(2025, 3, 14, 15, 9, 26, 535, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		r    Resolution
		step time.Duration
		want time.Time
		name string
	}{
		{Raw, 0, time.Date(2025, 3, 14, 14, 9, 26, 0, time.UTC), "raw"},
		{FiveMinutes, 5 * time.Minute, time.Date(2025, 3, 14, 14, 5, 0, 0, time.UTC), "5m"},
		{Hour, time.Hour, time.Date(2025, 3, 14, 14, 0, 0, 0, time.UTC), "1h"},
		{Day, 24 * time.Hour, time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), "1d"},
	} {
		if got := tc.r.Step(); got != tc.step {
			t.Errorf("%s.Step() = %v, want %v", tc.name, got, tc.step)
		}
		if got := tc.r.Bucket(at); !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%s.Bucket = %v, want %v", tc.name, got, tc.want)
		}
		if got := tc.r.BucketUnix(at.Unix()); got != tc.want.Unix() {
			t.Errorf("%s.BucketUnix = %d, want %d", tc.name, got, tc.want.Unix())
		}
		if tc.r.String() != tc.name {
			t.Errorf("String() = %q, want %q", tc.r.String(), tc.name)
		}
		if r, err := ParseResolution(tc.name); err != nil || r != tc.r {
			t.Errorf("ParseResolution(%q) = %v, %v", tc.name, r, err)
		}
	}
	// Before the epoch buckets still round down.
	if got := Hour.BucketUnix(-1); got != -3600 {
		t.Errorf("Hour.BucketUnix(-1) = %d, want -3600", got)
	}
	if _, err := ParseResolution("5min"); err == nil {
		t.Error("ParseResolution(5min) accepted")
	}
	if Resolution(9).Valid() || Resolution(-1).Valid() {
		t.Error("out-of-range resolution is valid")
	}
	var r Resolution
	if err := r.UnmarshalText([]byte("1h")); err != nil || r != Hour {
		t.Errorf("UnmarshalText = %v, %v", r, err)
	}
}
