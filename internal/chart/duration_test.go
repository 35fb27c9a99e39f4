package chart

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 0, ""},
		{"forever", 0, ""},
		{" Forever ", 0, ""},
		{"48h", 48 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"90d", 90 * day, ""},
		{"2w", 14 * day, ""},
		{"1y", 365 * day, ""},
		{"1y30d", 395 * day, ""},
		{"1.5d", 36 * time.Hour, ""},
		{".5h", 30 * time.Minute, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"+3d", 3 * day, ""},
		{"", 0, "empty"},
		{"   ", 0, "empty"},
		{"-1d", 0, "negative"},
		{"90", 0, "missing unit"},
		{"d", 0, "expected a number"},
		{"3x", 0, "unknown unit"},
		{"3 d", 0, "unknown unit"},
		{"1..5d", 0, "bad number"},
		{".d", 0, "bad number"},
		{"1e3h", 0, "unknown unit"},
		{"99999999999999999999y", 0, "bad number"},
		{"300y", 0, "too long"},
		{"200y200y", 0, "too long"},
		{"NaNh", 0, "expected a number"},
	} {
		got, err := ParseDuration(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDuration(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got.D() != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got.D(), err, tc.want)
		}
	}
}

func TestDurationString(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {2 * day, "2d"}, {year, "1y"}, {730 * day, "2y"}, {366 * day, "366d"}, {90 * time.Minute, "1h30m0s"},
	} {
		if got := Duration(tc.d).String(); got != tc.want {
			t.Errorf("String(%v) = %q, want %q", tc.d, got, tc.want)
		}
		back, err := ParseDuration(Duration(tc.d).String())
		if err != nil || back.D() != tc.d {
			t.Errorf("round trip of %v = %v, %v", tc.d, back, err)
		}
	}
}

// TestPoliciesYAML decodes a retention section the way config.yaml is
// read: onto the defaults, strictly.
func TestPoliciesYAML(t *testing.T) {
	src := `
raw: 72h
day: 0
rules:
  - map: Campus
    device: core-*
    raw: 7d
  - dataset: "if.*.in_bps"
    hour: 2y
    day: forever
`
	p := DefaultPolicies()
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Raw.D() != 72*time.Hour || p.FiveMinutes.D() != 90*day || p.Hour.D() != year || p.Day != 0 {
		t.Errorf("policy = %+v", p.Policy)
	}
	if len(p.Rules) != 2 || p.Rules[0].Raw == nil || p.Rules[0].Raw.D() != 7*day || p.Rules[0].Hour != nil ||
		p.Rules[1].Hour.D() != 2*year || p.Rules[1].Day == nil || *p.Rules[1].Day != 0 {
		t.Errorf("rules = %+v", p.Rules)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	out, err := yaml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Policies
	if err := yaml.Unmarshal(out, &back); err != nil || back.Raw != p.Raw || len(back.Rules) != 2 {
		t.Errorf("round trip:\n%s\n%+v %v", out, back, err)
	}
	j, err := json.Marshal(p)
	if err != nil || !strings.Contains(string(j), `"raw":"3d"`) {
		t.Errorf("json = %s, %v", j, err)
	}

	for _, bad := range []struct{ src, want string }{
		{"raw: 90", "line 1: duration \"90\": missing unit"},
		{"raw: [1d]", "line 1: a duration must be a single value"},
		{"rules:\n  - map: x\n    hour: soon", "line 3"},
		{"raws: 1d", "field raws not found"},
	} {
		p := DefaultPolicies()
		dec := yaml.NewDecoder(strings.NewReader(bad.src))
		dec.KnownFields(true)
		if err := dec.Decode(&p); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("decode %q: %v; want %q", bad.src, err, bad.want)
		}
	}
}

// FuzzParseDuration: malformed input is an error, never a panic, and
// whatever parses prints back to the same duration.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"0", "48h", "90d", "1y30d", "1.5w", "-1d", "1e9y", "..", "5µs", "9223372036854775807ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %d: negative", s, d)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDuration(%q) = %v; String %q parses to %v, %v", s, d.D(), d.String(), back.D(), err)
		}
	})
}
