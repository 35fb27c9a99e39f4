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
	p.placed, p.built = []placedTable{}, map[string]builtTable{}
	defer func() { p.placed = nil }()
	x := expr.Expander{Env: e, Round: true, Macro: p.macro(e, points, 0)}
	out := x.Expand(p.spec.display)
	html, text = imml.HTML(out), plainText(out)
	for i, pt := range p.placed {
		token := placeholder(i)
		b := p.built[pt.key]
		html = strings.Replace(html, token, tableHTML(pt.caption, b), 1)
		text = strings.Replace(text, token, tableText(pt.caption, b), 1)
	}
	return html, text
}

// placedTable is a table the display shows, at placeholder(i) of its
// index in snmpProbe.placed until the IMML is rendered.
type placedTable struct{ key, caption string }

// placeholder stands for the i-th table in rendered IMML.
func placeholder(i int) string { return fmt.Sprintf("@@vantage-table-%d@@", i) }

// placeTable builds a fetched table the display shows and returns its
// placeholder; ok is false when the table was not fetched or the display
// is not being rendered. p.mu held.
func (p *snmpProbe) placeTable(e *env, key, name, arg string, depth int) (string, bool) {
	d := p.fetched[key]
	if p.placed == nil || d == nil {
		return "", false
	}
	caption := strings.TrimSpace(arg)
	if caption == "" {
		caption = strings.TrimSpace(p.expandDepth(e, d.plan.spec.legend, depth+1))
	}
	if caption == "" {
		caption = name
	}
	if _, ok := p.built[key]; !ok {
		p.built[key] = p.build(e, d)
	}
	p.placed = append(p.placed, placedTable{key: key, caption: caption})
	return placeholder(len(p.placed) - 1), true
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
			if s, ok := p.placeTable(e, key, name, arg, depth); ok {
				return s, true
			}
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
