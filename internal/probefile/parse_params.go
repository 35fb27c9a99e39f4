package probefile

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/status"
)

// parseParameters reads `"Name" = "default"` lines. The name encodes the
// kind: "Name*" password, "Name[a,b]" dropdown, "Name[true,false]"
// checkbox. A trailing "-- comment", "// comment" or "# comment" is allowed.
func parseParameters(f *File, s Section, p *problems) {
	seen := map[string]int{}
	eachLine(s, true, func(n int, line string) {
		name, raw, ok := splitAssign(line)
		if !ok {
			p.errorf(n, "<parameters>: want `\"Name\" = \"default\"`, got %q", line)
			return
		}
		if name == "" {
			p.errorf(n, "<parameters>: parameter name is empty")
			return
		}
		val, rest, quoted, ok := quotedValue(raw)
		switch {
		case !ok:
			p.errorf(n, "<parameters>: parameter %q: string is not closed", name)
			return
		case quoted && !isTrailingComment(rest):
			p.warnf(n, "<parameters>: parameter %q: text after the value is ignored: %q", name, rest)
		case !quoted:
			val = cutBareComment(val)
		}
		key := strings.ToLower(name)
		if first, dup := seen[key]; dup {
			p.errorf(n, "<parameters>: duplicate parameter %q (first at line %d)", name, first)
			return
		}
		seen[key] = n
		f.Parameters = append(f.Parameters, newParameter(name, val, n, p))
	})
}

func newParameter(name, def string, n int, p *problems) Parameter {
	par := Parameter{Name: name, Var: name, Default: def, Line: n}
	display := name
	if strings.HasSuffix(name, "]") {
		if i := strings.IndexByte(name, '['); i >= 0 {
			display = strings.TrimSpace(name[:i])
			for c := range strings.SplitSeq(name[i+1:len(name)-1], ",") {
				if c = strings.TrimSpace(c); c != "" {
					par.Choices = append(par.Choices, c)
				}
			}
			par.Kind = ParamDropdown
			if len(par.Choices) == 0 {
				p.errorf(n, "<parameters>: parameter %q has an empty choice list", name)
			}
			if len(par.Choices) == 2 && slices.ContainsFunc(par.Choices, isTrue) &&
				slices.ContainsFunc(par.Choices, isFalse) {
				par.Kind = ParamCheckbox
			}
		}
	}
	if strings.HasSuffix(display, "*") {
		display = strings.TrimSpace(strings.TrimSuffix(display, "*"))
		if par.Kind == ParamText {
			par.Kind = ParamPassword
		}
	}
	if display == "" {
		p.errorf(n, "<parameters>: parameter %q has no name", name)
	}
	par.Name = display
	return par
}

func isTrue(s string) bool  { return strings.EqualFold(s, "true") }
func isFalse(s string) bool { return strings.EqualFold(s, "false") }

// knownProperties are the <snmp-device-properties> of the format.
func knownProperties() []string {
	return []string{"nomib2", "pdutype", "apcups", "maxvars", "interface_visible",
		"interface_numbered", "clear-exists"}
}

// parseProperties reads `name = "value"` lines; a value that is not one
// string literal is an expression and is kept as written.
func parseProperties(f *File, s Section, p *problems) {
	eachLine(s, true, func(n int, line string) {
		name, raw, ok := splitAssign(line)
		if !ok || name == "" {
			p.errorf(n, "<snmp-device-properties>: want `name = \"value\"`, got %q", line)
			return
		}
		key := strings.ToLower(name)
		val := raw
		if v, rest, quoted, ok := quotedValue(raw); quoted && ok && isTrailingComment(rest) {
			val = v
		}
		if val == "" {
			p.errorf(n, "<snmp-device-properties>: %s has no value", name)
			return
		}
		if !slices.Contains(knownProperties(), key) {
			p.warnf(n, "<snmp-device-properties>: unknown property %q is ignored%s", name, didYouMean(key, knownProperties()))
		}
		switch key {
		case "maxvars":
			if v, err := strconv.Atoi(val); err != nil || v < 1 {
				p.errorf(n, "<snmp-device-properties>: maxvars %q is not a positive number", val)
				return
			}
		case "nomib2", "apcups", "clear-exists":
			if !isTrue(val) && !isFalse(val) {
				p.warnf(n, "<snmp-device-properties>: %s %q is neither \"true\" nor \"false\"", name, val)
			}
		case "pdutype":
			if !strings.EqualFold(val, "get-request") && !strings.EqualFold(val, "get-next-request") {
				p.warnf(n, "<snmp-device-properties>: pdutype %q is not \"get-request\"; GetNext is used", val)
			}
		}
		if first, dup := f.PropertyLines[key]; dup {
			p.warnf(n, "<snmp-device-properties>: %s set again (first at line %d); the last one counts", name, first)
		}
		f.Properties[key], f.PropertyLines[key] = val, n
	})
}

// parseDatasets reads `$variable, 'tag', "units", "true", "legend"` lines,
// or in <autorecord> the older `$variable, 'tag', "Legend :units(xxx)"`.
func parseDatasets(f *File, s Section, p *problems) {
	old := sectionKey(s.Name) == "autorecord"
	eachLine(s, true, func(n int, line string) {
		fields, ok := splitTop(line, ',', `"'`)
		if !ok {
			p.errorf(n, "<%s>: string is not closed", s.Name)
			return
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
			fields[i], _ = unquote(fields[i])
		}
		v := fields[0]
		name := strings.TrimPrefix(v, "$")
		if strings.HasPrefix(name, "{") && strings.HasSuffix(name, "}") {
			name = name[1 : len(name)-1]
		}
		if !strings.HasPrefix(v, "$") || strings.TrimSpace(name) == "" {
			p.errorf(n, "<%s>: want a $variable first, got %q", s.Name, v)
			return
		}
		d := Dataset{Variable: name, Line: n, Autorecord: old}
		field := func(i int) string {
			if i < len(fields) {
				return fields[i]
			}
			return ""
		}
		d.Tag = field(1)
		if strings.HasPrefix(d.Tag, "_") {
			p.warnf(n, "<%s>: tag %q: tags starting with '_' are reserved for InterMapper's own", s.Name, d.Tag)
		}
		if old {
			d.Record = true
			d.Legend, d.Units = splitUnits(field(2))
			if len(fields) > 3 {
				p.warnf(n, "<autorecord>: fields after the third are ignored")
			}
		} else {
			d.Units, d.Legend = field(2), field(4)
			switch flag := field(3); {
			case isTrue(flag):
				d.Record = true
			case flag == "" || isFalse(flag):
			default:
				p.warnf(n, "<datasets>: record flag %q is neither \"true\" nor \"false\"; not recorded by default", flag)
			}
			if len(fields) > 5 {
				p.warnf(n, "<datasets>: fields after the fifth are ignored")
			}
		}
		f.Datasets = append(f.Datasets, d)
	})
}

// splitUnits splits an <autorecord> legend "Legend :units(xxx)".
func splitUnits(s string) (legend, units string) {
	i := strings.LastIndex(strings.ToLower(s), ":units(")
	if i < 0 || !strings.HasSuffix(s, ")") {
		return s, ""
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(":units(") : len(s)-1])
}

// parseCommandLine reads the `key = value` lines of <command-line>; values
// may be quoted with " or ' or bare (cmd=${Plugin}).
func parseCommandLine(f *File, s Section, p *problems) {
	c := &f.CommandLine
	c.Line = s.Line
	seen := map[string]int{}
	eachLine(s, true, func(n int, line string) {
		key, raw, ok := splitAssign(line)
		if !ok || key == "" {
			p.errorf(n, "<command-line>: want `key = \"value\"`, got %q", line)
			return
		}
		val, rest, quoted, ok := quotedValue(raw)
		if !ok {
			p.errorf(n, "<command-line>: %s: string is not closed", key)
			return
		}
		if quoted && !isTrailingComment(rest) {
			// `cmd = "${PYTHON}" script.py`: a value that is not one string.
			val = raw
		}
		k := strings.ToLower(key)
		if first, dup := seen[k]; dup {
			p.warnf(n, "<command-line>: %s set again (first at line %d); the last one counts", key, first)
		}
		seen[k] = n
		switch k {
		case "path":
			c.Path = val
		case "cmd":
			c.Cmd = val
		case "arg", "args":
			c.Args = val
		case "input":
			c.Input = val
		case "timeout":
			c.Timeout = val
		default:
			keys := []string{"path", "cmd", "arg", "input", "timeout"}
			p.warnf(n, "<command-line>: unknown key %q is ignored%s", key, didYouMean(k, keys))
		}
	})
}

// exitCodeRule matches the usual <command-exit> condition ${EXIT_CODE}=n.
var exitCodeRule = regexp.MustCompile(`(?i)^\$\{?exit_code\}?\s*==?\s*(-?\d+)$`)

// parseCommandExit reads `level: ${EXIT_CODE}=n` lines.
func parseCommandExit(f *File, s Section, p *problems) {
	eachLine(s, true, func(n int, line string) {
		word, cond, ok := strings.Cut(line, ":")
		if !ok {
			p.errorf(n, "<command-exit>: want `level: ${EXIT_CODE}=n`, got %q", line)
			return
		}
		level, ok := parseLevel(word)
		if !ok {
			p.errorf(n, "<command-exit>: unknown level %q%s; want down, critical, alarm, warning or okay",
				strings.TrimSpace(word), didYouMean(strings.TrimSpace(word), levelNames()))
			return
		}
		cond = strings.TrimSpace(cond)
		if cond == "" {
			p.errorf(n, "<command-exit>: %s: condition is missing", strings.TrimSpace(word))
			return
		}
		r := ExitRule{Level: level, Expr: cond, Code: -1, Line: n}
		if m := exitCodeRule.FindStringSubmatch(cond); m != nil {
			code, err := strconv.Atoi(m[1])
			if err != nil || code < 0 || code > 255 {
				p.errorf(n, "<command-exit>: exit code %s is not from 0 to 255", m[1])
				return
			}
			r.Code = code
		} else if !strings.Contains(strings.ToUpper(cond), "EXIT_CODE") {
			p.warnf(n, "<command-exit>: condition %q does not test ${EXIT_CODE}", cond)
		}
		f.CommandExit = append(f.CommandExit, r)
	})
}

// parseLevel reads a threshold or exit level word, case-insensitively;
// "warn" is accepted for warning, as real files write it.
func parseLevel(word string) (status.Level, bool) {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "down":
		return status.Down, true
	case "critical":
		return status.Critical, true
	case "alarm":
		return status.Alarm, true
	case "warning", "warn":
		return status.Warning, true
	case "okay":
		return status.OK, true
	}
	return status.Unknown, false
}
