package expr

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// clockEnv is a MapEnv with a fixed clock.
type clockEnv struct {
	MapEnv
	now time.Time
}

func (c clockEnv) Now() time.Time { return c.now }

// testNow is 2007-02-06 11:19:24 in UTC-05:00, the doc's strftime("%c")
// example time (03 §6).
var testNow = time.Date(2007, 2, 6, 11, 19, 24, 0, time.FixedZone("EST", -5*3600))

// newEnv returns the variables the tables use, with a fixed clock.
func newEnv() clockEnv {
	return clockEnv{now: testNow, MapEnv: MapEnv{
		"x":                Number(3),
		"zero":             Number(0),
		"pi":               Number(3.14159265),
		"neg":              Number(-7),
		"half":             Number(0.5),
		"s":                String("abc"),
		"empty":            String(""),
		"numstr":           String("12"),
		"fred":             String("78Fred"),
		"sysContact":       String("Barney Rubble"),
		"sysDescr":         String("FW 2.1.3, 5.8GHz, Internal antenna"),
		"ifDescr":          String("eth0"),
		"lcpu.avgBusy1":    Number(91),
		"CPU Busy - Alarm": String("90"),
		"outCode":          Number(3),
		"batUnits":         String("°C"),
		"unitsC":           String("°C"),
		"unitsF":           String("°F"),
	}}
}

// evalCase is one row of an evaluation table.
type evalCase struct {
	src  string
	want Value
}

// sameValue compares values; numbers to 1e-12 relative, NaN equal to NaN.
func sameValue(a, b Value) bool {
	if a.k != b.k {
		return false
	}
	if a.k == kindNum {
		if math.IsNaN(a.n) || math.IsNaN(b.n) {
			return math.IsNaN(a.n) && math.IsNaN(b.n)
		}
		if a.n == b.n {
			return true
		}
		return math.Abs(a.n-b.n) <= 1e-12*math.Max(math.Abs(a.n), math.Abs(b.n))
	}
	return a.s == b.s
}

// runEval checks each case against a fresh newEnv.
func runEval(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			t.Helper()
			e, err := Parse(c.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.src, err)
			}
			got, err := e.Eval(newEnv())
			if err != nil {
				t.Fatalf("Eval(%q): %v", c.src, err)
			}
			if !sameValue(got, c.want) {
				t.Errorf("Eval(%q) = %v, want %v", c.src, got, c.want)
			}
		})
	}
}

// errCase is one row of an error table: the error text, and the cause.
type errCase struct {
	src   string
	want  string
	cause error
}

// runErrors checks Parse errors (and Eval errors when Parse succeeds).
func runErrors(t *testing.T, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			t.Helper()
			e, err := Parse(c.src)
			if err == nil {
				_, err = e.Eval(newEnv())
			}
			if err == nil {
				t.Fatalf("%q: no error, want %q", c.src, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%q: error %q, want %q", c.src, err, c.want)
			}
			if c.cause != nil && !errors.Is(err, c.cause) {
				t.Errorf("%q: error %v does not wrap %v", c.src, err, c.cause)
			}
		})
	}
}

// N and S shorten the tables.
func N(f float64) Value { return Number(f) }
func S(s string) Value  { return String(s) }
