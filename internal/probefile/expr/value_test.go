package expr

import (
	"math"
	"testing"
)

func TestValue(t *testing.T) {
	if Undefined().IsDefined() || (Value{}).IsDefined() {
		t.Error("undefined is defined")
	}
	if !Number(0).IsDefined() || !String("").IsDefined() {
		t.Error("defined values are undefined")
	}
	if !Number(1).IsNumber() || Number(1).IsString() || !String("1").IsString() || String("1").IsNumber() {
		t.Error("IsNumber/IsString")
	}
	for _, c := range []struct {
		v       Value
		num     float64
		numeric bool
		str     string
		truth   bool
	}{
		{Number(42), 42, true, "42", true},
		{Number(0), 0, true, "0", false},
		{Number(math.Copysign(0, -1)), 0, true, "0", false},
		{Number(-2.5), -2.5, true, "-2.5", true},
		{Number(0.1 + 0.2), 0.1 + 0.2, true, "0.3", true},
		{Number(1.0 / 3), 1.0 / 3, true, "0.333333333333333", true},
		{Number(1e20), 1e20, true, "100000000000000000000", true},
		{Number(18446744073709551615), 18446744073709551615, true, "18446744073709552000", true}, // shortest form
		{Number(1e21), 1e21, true, "1e+21", true},
		{Number(1e-7), 1e-7, true, "1e-07", true},
		{Number(math.NaN()), math.NaN(), true, "NaN", false},
		{Number(math.Inf(1)), math.Inf(1), true, "Inf", true},
		{Number(math.Inf(-1)), math.Inf(-1), true, "-Inf", true},
		{String("12"), 12, true, "12", true},
		{String(" -1.5e3 "), -1500, true, " -1.5e3 ", true},
		{String("0x1F"), 31, true, "0x1F", true},
		{String("0"), 0, true, "0", false},
		{String("0.0"), 0, true, "0.0", false},
		{String("78Fred"), 78, false, "78Fred", true},
		{String("Fred"), 0, false, "Fred", true},
		{String(""), 0, false, "", false},
		{String("inf"), 0, false, "inf", true},
		{String("1e"), 1, false, "1e", true},
		{String("."), 0, false, ".", true},
		{String("-"), 0, false, "-", true},
		{Undefined(), 0, false, "", false},
	} {
		n, ok := c.v.Num()
		if !(n == c.num || (math.IsNaN(n) && math.IsNaN(c.num))) || ok != c.numeric {
			t.Errorf("%v.Num() = %v, %v; want %v, %v", c.v, n, ok, c.num, c.numeric)
		}
		if s := c.v.Str(); s != c.str {
			t.Errorf("%v.Str() = %q, want %q", c.v, s, c.str)
		}
		if b := c.v.Bool(); b != c.truth {
			t.Errorf("%v.Bool() = %v, want %v", c.v, b, c.truth)
		}
	}
	for v, want := range map[Value]string{Number(1.5): "1.5", String(`a"b`): `"a\"b"`, Undefined(): "undefined"} {
		if got := v.String(); got != want {
			t.Errorf("String() = %s, want %s", got, want)
		}
	}
}

func TestMapEnv(t *testing.T) {
	m := MapEnv{"ifSpeed": Number(10)}
	if v, ok := m.Get("IFSPEED"); !ok || v.num() != 10 {
		t.Errorf("case-insensitive Get = %v, %v", v, ok)
	}
	m.Set("IfSpeed", Number(20))
	if len(m) != 1 || m["ifSpeed"].num() != 20 {
		t.Errorf("case-insensitive Set: %v", m)
	}
	m.Set("new", String("x"))
	if _, ok := m.Get("missing"); ok {
		t.Error("missing variable found")
	}
	m.Set("gone", Undefined())
	if _, ok := m.Get("gone"); ok {
		t.Error("undefined value reported as defined")
	}
	// A nil Env evaluates as an empty one.
	e, _ := Parse("1 + 1")
	if v, err := e.Eval(nil); err != nil || v.num() != 2 {
		t.Errorf("Eval(nil) = %v, %v", v, err)
	}
}
