package engine

import (
	"errors"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/status"
)

// AlarmPoint is the state of one alarm point after a poll, as listed in
// Values["alarm_points"] (underscore points only when not clear).
type AlarmPoint struct {
	Name string `json:"name"`
	// Severity is clear, minor, major, critical or down.
	Severity string `json:"severity"`
	// Condition is the triggering line's condition string, expanded.
	Condition string `json:"condition,omitempty"`
}

// DatasetValue is one <datasets> variable's value after a poll, as listed
// in Values["datasets"] for charts; only numeric values are listed.
type DatasetValue struct {
	Variable string  `json:"variable"`
	Tag      string  `json:"tag"`
	Units    string  `json:"units,omitempty"`
	Legend   string  `json:"legend,omitempty"`
	Record   bool    `json:"record"`
	Value    float64 `json:"value"`
}

// evaluate computes the CALCULATIONs, thresholds and alarm points over the
// current variables and renders the display; p.mu held.
func (p *snmpProbe) evaluate(e *env) status.Result {
	errs := append([]string(nil), p.spec.errors...)
	errs = append(errs, p.calculate(e)...)
	level, reason, terrs := p.thresholds(e)
	errs = append(errs, terrs...)
	points, reset, perrs := p.alarmPoints(e)
	errs = append(errs, perrs...)
	if reset != nil {
		level, reason = status.Unknown, *reset
	} else {
		var worst *AlarmPoint
		for i := range points {
			if l := pointLevel(points[i].Severity); l > level && (worst == nil || l > pointLevel(worst.Severity)) {
				worst = &points[i]
			}
		}
		if worst != nil {
			level, reason = pointLevel(worst.Severity), worst.Name+": "+worst.Condition
			if worst.Condition == "" {
				reason = worst.Name + " is " + worst.Severity
			}
		}
	}
	html, text := p.render(e, points)
	values := map[string]any{"vars": p.varValues(), "display_html": html, "display_text": text}
	if len(p.built) > 0 {
		values["tables"] = tableValues(p.built, p.spec.tableSpecs)
	}
	if len(p.spec.pointNames) > 0 {
		var listed []AlarmPoint
		for _, ap := range points {
			if !strings.HasPrefix(ap.Name, "_") || ap.Severity != "clear" {
				listed = append(listed, ap)
			}
		}
		values["alarm_points"] = listed
	}
	if ds := datasets(p.spec.file, e); len(ds) > 0 {
		values["datasets"] = ds
	}
	if len(errs) > 0 {
		values["errors"] = errs
	}
	return status.Result{Level: level, Reason: reason, Values: values, Time: p.d.Now()}
}

// calculate evaluates the CALCULATION variables in file order. One that
// needs an undefined variable is left undefined, except that a variable
// reading its own first value reads 0.
func (p *snmpProbe) calculate(e *env) []string {
	var errs []string
	for _, v := range p.spec.vars {
		if v.Type != "CALCULATION" {
			continue
		}
		if v.calc == nil {
			p.unset(v.key, "")
			continue
		}
		val, err := v.calc.Eval(e)
		var xe *expr.Error
		if errors.Is(err, expr.ErrUndefined) && errors.As(err, &xe) && strings.EqualFold(xe.Var, v.Name) {
			val, err = v.calc.Eval(selfZero{e, v.Name})
		}
		if err != nil {
			p.unset(v.key, "")
			if !errors.Is(err, expr.ErrUndefined) {
				errs = append(errs, lineMsg(p.spec.file.Path, v.Line, "CALCULATION %s: %v", v.Name, err))
			}
			continue
		}
		delete(p.labels, v.key)
		p.vars[v.key] = val
	}
	return errs
}

// thresholds applies the threshold rules top to bottom: the first true one
// sets the level and the reason (its condition string expanded, else the
// expression). Rules needing an undefined variable are skipped; with no
// true rule the level is OK.
func (p *snmpProbe) thresholds(e *env) (status.Level, string, []string) {
	var errs []string
	for _, r := range p.spec.thresholds {
		v, err := r.e.Eval(e)
		if err != nil {
			if !errors.Is(err, expr.ErrUndefined) {
				errs = append(errs, "threshold "+r.src+": "+err.Error())
			}
			continue
		}
		if v.Bool() {
			if r.reason == "" {
				return r.level, r.src, errs
			}
			return r.level, p.expand(e, r.reason), errs
		}
	}
	return status.OK, "", errs
}

// alarmPoints evaluates the alarm-point rules in file order: the first
// true line of each point sets its severity, points without one are
// clear; a true "break" line stops, a true "reset" line stops and resets
// the device (its condition string is returned).
func (p *snmpProbe) alarmPoints(e *env) ([]AlarmPoint, *string, []string) {
	if len(p.spec.points) == 0 {
		return nil, nil, nil
	}
	points := make([]AlarmPoint, len(p.spec.pointNames))
	index := make(map[string]int, len(points))
	for i, name := range p.spec.pointNames {
		points[i] = AlarmPoint{Name: name, Severity: "clear"}
		index[strings.ToLower(name)] = i
	}
	decided := map[string]bool{}
	var errs []string
	for _, r := range p.spec.points {
		key := strings.ToLower(r.name)
		if decided[key] {
			continue
		}
		v, err := r.e.Eval(e)
		if err != nil {
			if !errors.Is(err, expr.ErrUndefined) {
				errs = append(errs, "alarm point "+r.name+": "+err.Error())
			}
			continue
		}
		if !v.Bool() {
			continue
		}
		cond := p.expand(e, r.reason)
		switch r.severity {
		case "break":
			return points, nil, errs
		case "reset":
			if cond == "" {
				cond = "reset by alarm point " + r.name
			}
			for i := range points {
				points[i].Severity, points[i].Condition = "clear", ""
			}
			return points, &cond, errs
		}
		if i, ok := index[key]; ok {
			points[i].Severity, points[i].Condition = r.severity, cond
			decided[key] = true
		}
	}
	return points, nil, errs
}

// pointLevel maps an alarm point severity to the device level it raises.
func pointLevel(severity string) status.Level {
	switch severity {
	case "minor":
		return status.Warning
	case "major":
		return status.Alarm
	case "critical":
		return status.Critical
	case "down":
		return status.Down
	}
	return status.OK
}

// varValues lists the variables for Values["vars"]: numbers and strings,
// and the label of a variable the agent did not give ("[noSuchName]").
func (p *snmpProbe) varValues() map[string]any {
	out := make(map[string]any, len(p.spec.vars))
	for _, v := range p.spec.vars {
		if val, ok := p.vars[v.key]; ok && val.IsDefined() {
			out[v.Name] = plain(val)
		} else if l := p.labels[v.key]; l != "" {
			out[v.Name] = l
		}
	}
	return out
}

// datasets reads the <datasets> variables that hold numbers.
func datasets(f *probefile.File, e expr.Env) []DatasetValue {
	var out []DatasetValue
	for _, d := range f.Datasets {
		v, ok := e.Get(d.Variable)
		n, num := v.Num()
		if !ok || !num {
			continue
		}
		out = append(out, DatasetValue{Variable: d.Variable, Tag: expr.Expand(d.Tag, e), Units: expr.Expand(d.Units, e),
			Legend: expr.Expand(d.Legend, e), Record: d.Record, Value: n})
	}
	return out
}
