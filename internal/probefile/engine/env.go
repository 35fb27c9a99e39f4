package engine

import (
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/probefile/expr"
)

// vars holds a probe instance's variables by lower-case name. They persist
// between polls, which is what makes InterMapper's persistent-variable
// pattern ($oldInOctets) work.
type vars map[string]expr.Value

// env is the expr.Env of one evaluation: the probe's variables first, then
// its parameters (by the name as written and the display name), then the
// device's built-in names.
type env struct {
	vars    vars
	params  map[string]string // lower-case name → value
	address string
	now     func() time.Time
}

// newEnv builds the environment over v for a device and its parameter
// values (keyed as paramValues returns them).
func newEnv(v vars, address string, params map[string]string, now func() time.Time) *env {
	e := &env{vars: v, params: make(map[string]string, 2*len(params)), address: address, now: now}
	for k, val := range params {
		e.params[strings.ToLower(k)] = val
		// "Password*" and "Test[a,b]" are also read by their display name.
		if i := strings.IndexAny(k, "*["); i > 0 {
			if name := strings.ToLower(strings.TrimSpace(k[:i])); e.params[name] == "" {
				e.params[name] = val
			}
		}
	}
	return e
}

// Get implements expr.Env.
func (e *env) Get(name string) (expr.Value, bool) {
	k := strings.ToLower(name)
	if v, ok := e.vars[k]; ok && v.IsDefined() {
		return v, true
	}
	if v, ok := e.params[k]; ok {
		return expr.String(v), true
	}
	switch k {
	case "devicename", "deviceaddress", "address":
		if e.address != "" {
			return expr.String(e.address), true
		}
	}
	return expr.Value{}, false
}

// Set implements expr.Env.
func (e *env) Set(name string, v expr.Value) { e.vars[strings.ToLower(name)] = v }

// Now implements expr.Clock, so time() and strftime() follow the probe's
// clock.
func (e *env) Now() time.Time { return e.now() }

// selfZero reads an undefined variable name as 0: a CALCULATION that
// counts from its own previous value (`count, ($count + 4) % 360`) starts
// from zero, as InterMapper's "Delayed Okay" probe expects.
type selfZero struct {
	*env
	name string
}

// Get implements expr.Env.
func (s selfZero) Get(name string) (expr.Value, bool) {
	if v, ok := s.env.Get(name); ok {
		return v, true
	}
	if strings.EqualFold(name, s.name) {
		return expr.Number(0), true
	}
	return expr.Value{}, false
}

// plain returns a value as Values["vars"] shows it: a float64 for numbers,
// a string otherwise.
func plain(v expr.Value) any {
	if v.IsNumber() {
		n, _ := v.Num()
		return n
	}
	return v.Str()
}

// mapEnv is an expr.Env over string values, case-insensitive, for the
// tcp-script and cmd-line sections whose variables are text. Numbers read
// as numbers where the language needs them.
type mapEnv struct {
	vals map[string]expr.Value
	now  func() time.Time
}

func newMapEnv(now func() time.Time) *mapEnv {
	return &mapEnv{vals: map[string]expr.Value{}, now: now}
}

// setText stores a text variable, as a number when it reads entirely as
// one (so the display rounds it like InterMapper does).
func (m *mapEnv) setText(name, s string, numeric bool) {
	v := expr.String(s)
	if n, ok := v.Num(); ok && numeric && strings.TrimSpace(s) != "" {
		v = expr.Number(n)
	}
	m.vals[strings.ToLower(name)] = v
}

// Get implements expr.Env.
func (m *mapEnv) Get(name string) (expr.Value, bool) {
	v, ok := m.vals[strings.ToLower(name)]
	return v, ok && v.IsDefined()
}

// Set implements expr.Env.
func (m *mapEnv) Set(name string, v expr.Value) { m.vals[strings.ToLower(name)] = v }

// Now implements expr.Clock.
func (m *mapEnv) Now() time.Time { return m.now() }

// textVars returns text variables for Values["vars"], without the
// scripts' "^" temporaries.
func textVars(in map[string]string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		if !strings.HasPrefix(k, "^") {
			out[k] = v
		}
	}
	return out
}
