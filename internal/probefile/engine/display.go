package engine

import (
	"fmt"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/probefile/imml"
)

// render expands <snmp-device-display> (numbers rounded as InterMapper
// shows them, macros, ${var:legend}, alarm points) and renders the IMML
// as HTML and as text; p.mu held.
func (p *snmpProbe) render(e *env, points []AlarmPoint) (html, text string) {
	if p.spec.display == "" {
		return "", ""
	}
	x := expr.Expander{Env: e, Round: true, Macro: p.macro(e, points, 0)}
	out := x.Expand(p.spec.display)
	return imml.HTML(out), plainText(out)
}

// plainText renders IMML as text without the spaces that end lines.
func plainText(src string) string {
	lines := strings.Split(imml.Text(src), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// expand expands a condition string or legend: variables shown in full,
// with the display's macros.
func (p *snmpProbe) expand(e *env, s string) string { return p.expandDepth(e, s, 0) }

// expandDepth expands s at a depth of nested legends: a legend may name
// another variable's legend, or (by mistake) its own.
func (p *snmpProbe) expandDepth(e *env, s string, depth int) string {
	if depth > 4 {
		return s
	}
	return expr.Expander{Env: e, Macro: p.macro(e, nil, depth)}.Expand(s)
}

// macro answers what the expander does not know: ${var:legend}, a
// variable without a value (its label: "[noSuchName]", or nothing),
// alarm points (${Point}, ${Point:condition}, $alarmpointlist) and
// on-demand tables, which are links in InterMapper and their name here.
func (p *snmpProbe) macro(e *env, points []AlarmPoint, depth int) func(name, arg string) (string, bool) {
	return func(name, arg string) (string, bool) {
		key, a := strings.ToLower(strings.TrimSpace(name)), strings.ToLower(strings.TrimSpace(arg))
		if v, ok := p.spec.byKey[key]; ok {
			switch a {
			case "legend":
				return p.expandDepth(e, v.Legend, depth+1), true
			case "":
				return p.labels[key], true
			}
		}
		for _, ap := range points {
			if strings.EqualFold(ap.Name, key) {
				switch a {
				case "":
					return severityLabel(ap.Severity), true
				case "condition":
					return ap.Condition, true
				}
			}
		}
		switch {
		case key == "alarmpointlist" && a == "":
			return alarmPointList(points), true
		case key == "imserveraddress" && a == "":
			return "", true
		case p.spec.tables[key]:
			if arg != "" {
				return arg, true
			}
			return name, true
		}
		return "", false
	}
}

// severityLabel is the five-character severity of ${Point}.
func severityLabel(severity string) string {
	switch severity {
	case "critical":
		return "CRIT "
	case "major":
		return "MAJOR"
	case "minor":
		return "MINOR"
	case "down":
		return "DOWN "
	}
	return "CLEAR"
}

// alarmPointList renders $alarmpointlist: one line per listed point, its
// severity coloured as InterMapper's list does.
func alarmPointList(points []AlarmPoint) string {
	var b strings.Builder
	for _, ap := range points {
		if strings.HasPrefix(ap.Name, "_") && ap.Severity == "clear" {
			continue
		}
		color := map[string]int{"clear": 5, "minor": 7, "major": 6, "critical": 1, "down": 1}[ap.Severity]
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "\\B%d\\%s\\P0\\ %s", color, severityLabel(ap.Severity), ap.Name)
		if ap.Condition != "" {
			b.WriteString(": " + ap.Condition)
		}
	}
	return b.String()
}
