package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/status"
)

// snmpSpec is a custom-snmp or custom-snmp-trap probe file compiled once:
// its expressions parsed and its properties read. It is shared, read-only,
// by every instance of the probe.
type snmpSpec struct {
	file *probefile.File
	id   string
	vars []*varSpec // the regular variables, file order
	// byKey finds a variable by lower-case name (the last definition wins).
	byKey      map[string]*varSpec
	thresholds []ruleSpec
	points     []pointSpec
	pointNames []string // in order of first appearance
	tables     map[string]bool
	display    string
	// tableSpecs are the on-demand tables by lower-case name; shown are
	// those the display references, the only ones a poll fetches.
	tableSpecs map[string]*tableSpec
	shown      []*tableSpec

	trapOnly   bool // custom-snmp-trap: never polls
	trapVars   bool // some variable is a TRAPVARIABLE
	mib2       bool // also read sysUpTime.0 (not nomib2, not MINIMAL)
	noFallback bool // NOICMPFALLBACK
	maxVars    int  // varbinds per request; 0: the client's default
	// errors are the problems found compiling (bad expressions), shown
	// with every poll for the probe builder.
	errors []string
}

// varSpec is one variable line.
type varSpec struct {
	probefile.Variable
	key  string
	calc *expr.Expr // CALCULATION
}

// ruleSpec is one threshold line.
type ruleSpec struct {
	level  status.Level
	e      *expr.Expr
	src    string
	reason string
}

// pointSpec is one alarm-point line.
type pointSpec struct {
	name, severity string
	e              *expr.Expr
	reason         string
}

// compileSNMP compiles a custom-snmp or custom-snmp-trap file. Expressions
// that do not parse are reported in errors and never evaluated: InterMapper
// logs them and carries on.
func compileSNMP(f *probefile.File) *snmpSpec {
	s := &snmpSpec{
		file:     f,
		id:       f.ID(),
		byKey:    map[string]*varSpec{},
		tables:   map[string]bool{},
		display:  trimBlankLines(probefile.StripComments(f.Display)),
		trapOnly: f.Header.Type == probefile.SNMPTrap,
		mib2: !strings.EqualFold(f.Properties["nomib2"], "true") && !f.Header.HasFlag("MINIMAL") &&
			f.Header.Type == probefile.CustomSNMP,
		noFallback: f.Header.HasFlag("NOICMPFALLBACK"),
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.Properties["maxvars"])); err == nil && n > 0 {
		s.maxVars = n
	}
	for _, v := range f.Variables {
		if v.OnDemand {
			s.addOnDemand(v)
			continue
		}
		vs := &varSpec{Variable: v, key: strings.ToLower(v.Name)}
		if v.Type == "CALCULATION" {
			e, err := expr.Parse(v.Expr)
			if err != nil {
				s.errorf(v.Line, "CALCULATION %s: %v", v.Name, err)
			}
			vs.calc = e
		}
		if v.IsTrap() {
			s.trapVars = true
		}
		s.vars = append(s.vars, vs)
		s.byKey[vs.key] = vs
	}
	s.shown = shownTables(s.display, s.tableSpecs)
	for _, t := range f.Thresholds {
		e, err := expr.Parse(t.Expr)
		if err != nil {
			s.errorf(t.Line, "threshold: %v", err)
			continue
		}
		s.thresholds = append(s.thresholds, ruleSpec{level: t.Level, e: e, src: e.Source(), reason: t.Reason})
	}
	seen := map[string]bool{}
	for _, a := range f.AlarmPoints {
		e, err := expr.Parse(a.Expr)
		if err != nil {
			s.errorf(a.Line, "alarm point %s: %v", a.Name, err)
			continue
		}
		sev := strings.ToLower(a.Severity)
		s.points = append(s.points, pointSpec{name: a.Name, severity: sev, e: e, reason: a.Reason})
		if sev != "reset" && sev != "break" && !seen[strings.ToLower(a.Name)] {
			seen[strings.ToLower(a.Name)] = true
			s.pointNames = append(s.pointNames, a.Name)
		}
	}
	return s
}

func (s *snmpSpec) errorf(line int, format string, a ...any) {
	s.errors = append(s.errors, lineMsg(s.file.Path, line, format, a...))
}

// lineMsg formats "file:line: message".
func lineMsg(path string, line int, format string, a ...any) string {
	fe := probefile.FileError{File: path, Line: line, Reason: fmt.Sprintf(format, a...)}
	return fe.Error()
}

// trimBlankLines drops the blank lines that open and close a section.
func trimBlankLines(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
