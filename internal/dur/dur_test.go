package dur

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 0, ""}, {"forever", 0, ""}, {" Forever ", 0, ""},
		{"30", 30 * time.Second, ""}, {"30s", 30 * time.Second, ""}, {"48h", 48 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""}, {"90d", 90 * Day, ""}, {"2w", 14 * Day, ""}, {"1y", Year, ""},
		{"1y30d", 395 * Day, ""}, {"1.5d", 36 * time.Hour, ""}, {".5h", 30 * time.Minute, ""},
		{"250ms", 250 * time.Millisecond, ""}, {"+3d", 3 * Day, ""},
		{"", 0, "empty"}, {"   ", 0, "empty"}, {"-1d", 0, "negative"}, {"-5", 0, "negative"},
		{"d", 0, "expected a number"}, {"3x", 0, "unknown unit"}, {"30 s", 0, "unknown unit"},
		{"1..5d", 0, "bad number"}, {".d", 0, "bad number"}, {"1e3h", 0, "unknown unit"},
		{"99999999999999999999y", 0, "bad number"}, {"99999999999999999999", 0, "out of range"},
		{"300y", 0, "too long"}, {"200y200y", 0, "too long"}, {"NaNh", 0, "expected a number"},
	} {
		got, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got.Std() != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got.Std(), err, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {2 * Day, "2d"}, {Year, "1y"}, {730 * Day, "2y"}, {366 * Day, "366d"}, {90 * time.Minute, "1h30m0s"},
	} {
		if got := Duration(tc.d).String(); got != tc.want {
			t.Errorf("String(%v) = %q, want %q", tc.d, got, tc.want)
		}
		if back, err := Parse(Duration(tc.d).String()); err != nil || back.Std() != tc.d {
			t.Errorf("round trip of %v = %v, %v", tc.d, back, err)
		}
	}
}

func TestJSON(t *testing.T) {
	var v struct{ D Duration }
	for in, want := range map[string]time.Duration{`{"D":"5m"}`: 5 * time.Minute, `{"D":30}`: 30 * time.Second, `{"D":"2d"}`: 48 * time.Hour, `{"D":""}`: 0} {
		v.D = 7
		if err := json.Unmarshal([]byte(in), &v); err != nil || v.D.Std() != want {
			t.Errorf("%s: %v %v", in, v.D, err)
		}
	}
	for _, in := range []string{`{"D":true}`, `{"D":"x"}`, `{"D":[1]}`, `{"D":-3}`, `{"D":1e300}`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
	if b, _ := json.Marshal(struct{ D Duration }{Duration(48 * time.Hour)}); string(b) != `{"D":"2d"}` {
		t.Errorf("marshal: %s", b)
	}
}

func TestYAML(t *testing.T) {
	var v struct {
		A Duration `yaml:"a"`
		B Duration `yaml:"b"`
	}
	if err := yaml.Unmarshal([]byte("a: 90\nb: 1y\n"), &v); err != nil || v.A.Std() != 90*time.Second || v.B.Std() != Year {
		t.Fatalf("%+v %v", v, err)
	}
	if err := yaml.Unmarshal([]byte("a: [1]\n"), &v); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("sequence: %v", err)
	}
	if err := yaml.Unmarshal([]byte("a: 1\nb: soon\n"), &v); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad value: %v", err)
	}
	v.A = Duration(90 * time.Second)
	out, _ := yaml.Marshal(v)
	if !strings.Contains(string(out), "a: 1m30s") {
		t.Errorf("marshal: %s", out)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"5m", "3d", "", "1w", "x", "1y30d", "90", ".5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("Parse(%q) = %d: negative", s, d)
		}
		back, err := Parse(d.String())
		if err != nil || back != d {
			t.Fatalf("Parse(%q) = %v; String %q parses to %v, %v", s, d.Std(), d.String(), back.Std(), err)
		}
	})
}
