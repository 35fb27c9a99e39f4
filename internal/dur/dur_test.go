package dur

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"", 0, false}, {"0", 0, false}, {"90s", 90 * time.Second, false}, {"1h30m", 90 * time.Minute, false},
		{"3d", 72 * time.Hour, false}, {"2w", 14 * 24 * time.Hour, false},
		{"d", 0, true}, {"-1d", 0, true}, {"1.5d", 0, true}, {"5", 0, true}, {"abc", 0, true}, {"99999999999d", 0, true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestJSON(t *testing.T) {
	var v struct{ D Duration }
	for in, want := range map[string]time.Duration{`{"D":"5m"}`: 5 * time.Minute, `{"D":30}`: 30 * time.Second, `{"D":"2d"}`: 48 * time.Hour} {
		if err := json.Unmarshal([]byte(in), &v); err != nil || time.Duration(v.D) != want {
			t.Errorf("%s: %v %v", in, v.D, err)
		}
	}
	for _, in := range []string{`{"D":true}`, `{"D":"x"}`, `{"D":[1]}`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
	b, _ := json.Marshal(struct{ D Duration }{Duration(48 * time.Hour)})
	if string(b) != `{"D":"2d"}` {
		t.Errorf("marshal: %s", b)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"5m", "3d", "", "1w", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err == nil {
			if _, err := Parse(Duration(d).String()); err != nil {
				t.Fatalf("%q → %v does not parse back: %v", s, d, err)
			}
		}
	})
}
