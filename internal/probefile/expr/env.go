package expr

import (
	"strings"
	"time"
)

// Env supplies variables to an expression and keeps the ones it sets.
//
// Names are passed without the "$" and without braces, as written in the
// probe file ("ifInOctets", "Latency Alarm Threshold", "lcpu.avgBusy1",
// "Test[Equal,NotEqual]"); regular-expression captures are "1", "2", ….
// Variable names are case-insensitive in InterMapper (01 §8), so an Env
// should match them case-insensitively. Persistent variables are simply the
// ones the Env keeps between polls.
type Env interface {
	// Get returns the variable's value and whether it is defined. A defined
	// result holding the undefined Value counts as undefined.
	Get(name string) (Value, bool)
	// Set stores a variable: the target of ":=" and regular-expression
	// captures.
	Set(name string, v Value)
}

// Clock is implemented by an Env that wants to control time() and the zone
// of strftime() and strptime() (tests, replays). Without it the functions
// use time.Now() and the server's local zone.
type Clock interface {
	Now() time.Time
}

// MapEnv is a simple Env over a map, for tests and simple callers. Lookups
// try the exact name first, then a case-insensitive match; Set replaces a
// case-insensitive match in place.
type MapEnv map[string]Value

// Get implements Env.
func (m MapEnv) Get(name string) (Value, bool) {
	if v, ok := m[name]; ok {
		return v, v.IsDefined()
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, v.IsDefined()
		}
	}
	return Value{}, false
}

// Set implements Env.
func (m MapEnv) Set(name string, v Value) {
	if _, ok := m[name]; !ok {
		for k := range m {
			if strings.EqualFold(k, name) {
				name = k
				break
			}
		}
	}
	m[name] = v
}

// now returns the Env's time if it is a Clock, else the current time.
func now(env Env) time.Time {
	if c, ok := env.(Clock); ok {
		return c.Now()
	}
	return time.Now()
}

// zone returns the location strftime and strptime work in.
func zone(env Env) *time.Location {
	if c, ok := env.(Clock); ok {
		return c.Now().Location()
	}
	return time.Local
}
