package tcpscript

import (
	"maps"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile/expr"
)

// evaluate runs an expression (EVAL, ${eval:...}) with Options.Eval, or
// else the probe expression language; pre is the expression parsed in
// advance, if any. Assignments become script variables and regexp groups
// set by "=~" become ${1}, ${2}, ….
func (r *runner) evaluate(src string, pre *expr.Expr) (string, error) {
	vars := maps.Clone(r.vals)
	for i, g := range r.groups {
		vars[strconv.Itoa(i+1)] = g
	}
	var out string
	var err error
	if r.o.Eval != nil {
		out, err = r.o.Eval(src, vars)
	} else {
		e := pre
		if e == nil {
			e, err = expr.Parse(src)
		}
		if err == nil {
			var v expr.Value
			v, err = e.Eval(stringEnv(vars))
			out = v.Str()
		}
	}
	var groups []string
	for n := 1; ; n++ {
		g, ok := vars[strconv.Itoa(n)]
		if !ok {
			break
		}
		groups = append(groups, g)
	}
	r.groups = groups
	for k, v := range vars {
		if _, num := strconv.Atoi(k); num == nil {
			continue
		}
		if old, ok := r.vals[strings.ToLower(k)]; !ok || old != v {
			r.set(k, v)
		}
	}
	return out, err
}

// stringEnv gives the expression language the script's variables, which
// are all text, by lower-case name.
type stringEnv map[string]string

// Get implements expr.Env.
func (m stringEnv) Get(name string) (expr.Value, bool) {
	v, ok := m[strings.ToLower(name)]
	return expr.String(v), ok
}

// Set implements expr.Env.
func (m stringEnv) Set(name string, v expr.Value) { m[strings.ToLower(name)] = v.Str() }
