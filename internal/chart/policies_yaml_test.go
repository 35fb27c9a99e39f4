package chart

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

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
	if p.Raw.Std() != 72*time.Hour || p.FiveMinutes.Std() != 90*day || p.Hour.Std() != year || p.Day != 0 {
		t.Errorf("policy = %+v", p.Policy)
	}
	if len(p.Rules) != 2 || p.Rules[0].Raw == nil || p.Rules[0].Raw.Std() != 7*day || p.Rules[0].Hour != nil ||
		p.Rules[1].Hour.Std() != 2*year || p.Rules[1].Day == nil || *p.Rules[1].Day != 0 {
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
		{"raw: 90x", "line 1: invalid duration \"90x\": unknown unit"},
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
