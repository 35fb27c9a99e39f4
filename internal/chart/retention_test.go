package chart

import (
	"strings"
	"testing"
	"time"
)

func dp(d time.Duration) *Duration { v := Duration(d); return &v }

func TestPoliciesFor(t *testing.T) {
	ps := Policies{
		Policy: DefaultPolicy(),
		Rules: []Rule{
			{Map: "Campus", Raw: dp(7 * day), Hour: dp(2 * year)},
			{Device: "core-*", Raw: dp(14 * day)},
			{Dataset: "if.*", Raw: dp(3 * day)},
			{Device: "core-1", Dataset: "if.*", Raw: dp(30 * day)},
			{Map: "Campus", Raw: dp(1 * day)}, // same specificity as the first: first listed wins
			{Map: "[", Raw: dp(1 * day)},      // malformed: matches nothing
		},
	}
	for _, tc := range []struct {
		s       Series
		raw, hr time.Duration
		why     string
	}{
		{Series{Map: "Other", Device: "x", Dataset: "rtt"}, 2 * day, year, "server default"},
		{Series{Map: "Campus", Device: "x", Dataset: "rtt"}, 7 * day, 2 * year, "map rule"},
		{Series{Map: "Campus", Device: "core-2", Dataset: "rtt"}, 14 * day, 2 * year, "device beats map; hour still from map"},
		{Series{Map: "Campus", Device: "core-2", Dataset: "if.1.in_bps"}, 3 * day, 2 * year, "dataset beats device"},
		{Series{Map: "Campus", Device: "core-1", Dataset: "if.1.in_bps"}, 30 * day, 2 * year, "dataset and device beat dataset"},
		{Series{Map: "Other", Device: "edge", Dataset: "if.2.out_bps"}, 3 * day, year, "dataset rule alone"},
	} {
		p := ps.For(tc.s)
		if p.Raw.Std() != tc.raw || p.Hour.Std() != tc.hr || p.FiveMinutes.Std() != 90*day || p.Day != 0 {
			t.Errorf("%s: For(%v) = raw %v hour %v (%+v); want raw %v hour %v", tc.why, tc.s, p.Raw, p.Hour, p, Duration(tc.raw), Duration(tc.hr))
		}
	}
}

func TestPolicyCutoff(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 34, 56, 0, time.UTC)
	p := DefaultPolicy()
	for _, tc := range []struct {
		r    Resolution
		want time.Time
		ok   bool
	}{
		{Raw, time.Date(2025, 5, 30, 12, 34, 56, 0, time.UTC), true},
		{FiveMinutes, time.Date(2025, 3, 3, 12, 30, 0, 0, time.UTC), true},
		{Hour, time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), true},
		{Day, time.Time{}, false},
	} {
		got, ok := p.Cutoff(tc.r, now)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("Cutoff(%s) = %v, %v; want %v, %v", tc.r, got, ok, tc.want, tc.ok)
		}
	}
	if !p.Covers(Day, time.Unix(0, 0), now) || p.Covers(Raw, now.Add(-49*time.Hour), now) || !p.Covers(Raw, now.Add(-47*time.Hour), now) {
		t.Error("Covers is wrong")
	}
}

func TestPoliciesValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Policies
		want []string // substrings; none means valid
	}{
		{"default", DefaultPolicies(), nil},
		{"all forever", Policies{}, nil},
		{"negative", Policies{Policy: Policy{Raw: -1}}, []string{"raw: -1ns is negative"}},
		{"shorter than bucket", Policies{Policy: Policy{Raw: Duration(day), FiveMinutes: Duration(day), Hour: Duration(30 * time.Minute), Day: 0}},
			[]string{"hour: 30m0s is shorter than one 1h bucket", "hour (30m0s) is kept for less time than five_minutes (1d)"}},
		{"coarse shorter than fine", Policies{Policy: Policy{Raw: 0, FiveMinutes: Duration(90 * day)}},
			[]string{"five_minutes (90d) is kept for less time than raw (0)"}},
		{"rule problems", Policies{Policy: DefaultPolicy(), Rules: []Rule{
			{Raw: dp(day)},
			{Device: "[a-", Raw: dp(day)},
			{Map: "m"},
			{Dataset: "rtt", Hour: dp(day), Day: dp(time.Hour)},
			{Dataset: "ok", Day: dp(0)},
		}}, []string{
			"retention rule 1: needs a map, device or dataset pattern",
			`retention rule 2: device pattern "[a-": syntax error in pattern`,
			"retention rule 3: sets no period",
			"retention rule 4: day: 1h0m0s is shorter than one 1d bucket",
			"retention rule 4: day (1h0m0s) is kept for less time than hour (1d)",
		}},
	} {
		err := tc.p.Validate()
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "rule 5") {
			t.Errorf("%s: valid rule 5 reported: %v", tc.name, err)
		}
	}
}
