package probefile

import (
	"slices"
	"strconv"
	"strings"
)

// Parse reads a probe file. path names the file in messages. The error is
// a *FileError or several joined (see FileErrors), each with the line and
// a reason such as "section <script> is not closed". The returned File is
// never nil; when the error is not nil it is incomplete and must not be
// used to poll, but its Warnings and what parsed are still worth showing.
func Parse(path string, data []byte) (*File, error) {
	p := &problems{file: path}
	f := &File{
		Path:          path,
		Properties:    map[string]string{},
		PropertyLines: map[string]int{},
		Tools:         map[string]Tool{},
		Sections:      map[string]Section{},
	}
	secs := scanSections(strings.Split(decode(data), "\n"), p)
	for _, s := range secs {
		key := sectionKey(s.Name)
		if prev, dup := f.Sections[key]; dup {
			p.errorf(s.Line, "duplicate section <%s> (first at line %d)", s.Name, prev.Line)
			continue
		}
		f.Sections[key] = s
	}
	if h, ok := f.Sections["header"]; ok {
		parseHeader(f, h, p)
	} else {
		p.errorf(0, "missing <header> section")
	}
	for _, s := range secs {
		if f.Sections[sectionKey(s.Name)].Line == s.Line {
			parseSection(f, s, p)
		}
	}
	checkType(f, p)
	f.Warnings = p.sortedWarnings()
	return f, p.err()
}

// parseSection fills f from one section.
func parseSection(f *File, s Section, p *problems) {
	key := sectionKey(s.Name)
	switch key {
	case "header":
	case "description":
		f.Description = s.Text
	case "parameters":
		parseParameters(f, s, p)
	case "datasets", "autorecord":
		parseDatasets(f, s, p)
	case "snmp-device-properties":
		parseProperties(f, s, p)
	case "snmp-device-variables", "snmp-device-variables-ondemand":
		parseVariables(f, s, p)
	case "snmp-device-thresholds":
		parseThresholds(f, s, p)
	case "snmp-device-alarmpoints":
		parseAlarmPoints(f, s, p)
	case "snmp-device-display":
		f.Display = s.Text
	case "snmp-device-notifiers":
		f.Notifiers = s.Text
		parseNotifiers(f, s, p)
	case "script":
		f.Script, f.ScriptLine = s.Text, s.BodyLine
	case "script-output":
		f.ScriptOutput, f.ScriptOutputLine = s.Text, s.BodyLine
	case "command-line":
		parseCommandLine(f, s, p)
	case "command-exit":
		parseCommandExit(f, s, p)
	case "command-display":
		f.CommandDisplay = s.Text
	case "command-data":
		// Appears in InterMapper's examples; unused.
	default:
		if strings.HasPrefix(key, "tool:") {
			parseTool(f, s, p)
			return
		}
		p.warnf(s.Line, "unknown section <%s> is ignored%s", s.Name, didYouMean(s.Name, sectionNames()))
	}
}

// eachLine calls fn with every meaningful line of a line-oriented section,
// trimmed: <!-- --> comments removed (not inside double-quoted strings when
// quoteAware), "--" comment lines and blank lines skipped.
func eachLine(s Section, quoteAware bool, fn func(n int, line string)) {
	if s.Text == "" {
		return
	}
	cs := commentStripper{quoteAware: quoteAware}
	for i, raw := range strings.Split(s.Text, "\n") {
		if !cs.in && isDashComment(strings.TrimSpace(raw)) {
			continue
		}
		line := strings.TrimSpace(cs.strip(raw))
		if line == "" || isDashComment(line) {
			continue
		}
		fn(s.BodyLine+i, line)
	}
}

// splitAssign splits `key = value` and `"key" = value` lines; the key is
// unquoted, the value returned as written (trimmed).
func splitAssign(line string) (key, value string, ok bool) {
	if line[0] == '"' || line[0] == '\'' {
		end := quoteEnd(line, 0)
		if end < 0 {
			return "", "", false
		}
		key, _ = unquote(line[:end])
		rest := strings.TrimSpace(line[end:])
		if !strings.HasPrefix(rest, "=") {
			return "", "", false
		}
		return key, strings.TrimSpace(rest[1:]), true
	}
	key, value, ok = strings.Cut(line, "=")
	return strings.TrimSpace(key), strings.TrimSpace(value), ok
}

// headerKeys are the <header> keys of the format.
func headerKeys() []string {
	return []string{"type", "package", "probe_name", "human_name", "version", "address_type",
		"port_number", "display_name", "url_hint", "poll_interval", "flags", "old_protocol",
		"old_script", "equiv_class", "visible_in", "referto"}
}

// knownFlags are the header flags of the format (documented and seen in
// InterMapper's own probes).
func knownFlags() []string {
	return []string{"NOLINKS", "SNMPV2C", "NOICMPFALLBACK", "MINIMAL", "NTCREDENTIALS",
		"ALLOW-LOOPS", "IFINDEX-BUG", "LINKCRITICAL", "NAGIOS3", "INVISIBLE", "DISCOVERY",
		"DEFAULT", "SEP-IFSTATUS"}
}

func parseHeader(f *File, s Section, p *problems) {
	h := &f.Header
	h.Raw, h.Line = map[string]string{}, s.Line
	lines := map[string]int{}
	eachLine(s, true, func(n int, line string) {
		key, raw, ok := splitAssign(line)
		if !ok || key == "" {
			p.errorf(n, "<header>: want `key = \"value\"`, got %q", line)
			return
		}
		val, rest, quoted, ok := quotedValue(raw)
		switch {
		case !ok:
			p.errorf(n, "<header>: %s: string is not closed", key)
			return
		case quoted && !isTrailingComment(rest):
			p.warnf(n, "<header>: %s: text after the value is ignored: %q", key, rest)
		case !quoted:
			if i := strings.Index(val, " #"); i >= 0 {
				val = val[:i]
			}
			val = cutBareComment(val)
		}
		k := strings.ToLower(key)
		if first, dup := lines[k]; dup {
			p.warnf(n, "<header>: %s set again (first at line %d); the last one counts", key, first)
		} else if !slices.Contains(headerKeys(), k) {
			p.warnf(n, "<header>: unknown key %q is ignored%s", key, didYouMean(k, headerKeys()))
		}
		lines[k] = n
		h.Raw[k] = val
		setHeaderKey(h, k, val, n, p)
	})
	for _, k := range []string{"type", "package", "probe_name"} {
		if strings.TrimSpace(h.Raw[k]) == "" {
			p.errorf(s.Line, "<header>: %s is required", k)
		}
	}
	if h.HumanName == "" && h.ProbeName != "" {
		h.HumanName = h.ProbeName
		p.warnf(s.Line, "<header>: human_name is missing; using probe_name")
	}
}

func setHeaderKey(h *Header, key, val string, n int, p *problems) {
	val = strings.TrimSpace(val)
	switch key {
	case "type":
		h.Type = ProbeType(strings.ToLower(val))
		switch h.Type {
		case "builtin":
			h.Type = BuiltIn
		case "command-line":
			h.Type = CmdLine
		}
	case "package", "probe_name":
		if val != "" && !validName(val) {
			p.errorf(n, "<header>: %s %q may only hold letters, digits, '.', '-' and '_'", key, val)
		}
		if key == "package" {
			h.Package = val
		} else {
			h.ProbeName = val
		}
	case "human_name":
		h.HumanName = val
	case "version":
		h.Version = val
		if val != "" && !isDigit(val[0]) {
			p.warnf(n, "<header>: version %q is not a number; it sorts below any numbered version", val)
		}
	case "address_type":
		h.AddressType = splitList(val, true)
	case "port_number", "poll_interval":
		v, err := strconv.Atoi(val)
		if val == "" {
			v, err = 0, nil
		}
		limit := 65535
		if key == "poll_interval" {
			limit = 1 << 30
		}
		if err != nil || v < 0 || v > limit {
			p.errorf(n, "<header>: %s %q is not a number from 0 to %d", key, val, limit)
			return
		}
		if key == "port_number" {
			h.PortNumber = v
		} else {
			h.PollInterval = v
		}
	case "display_name":
		h.DisplayName = val
	case "url_hint":
		h.URLHint = val
	case "flags":
		h.Flags = splitList(val, true)
		for _, fl := range h.Flags {
			if !slices.Contains(knownFlags(), fl) {
				p.warnf(n, "<header>: unknown flag %q is ignored%s", fl, didYouMean(fl, knownFlags()))
			}
		}
	case "equiv_class":
		h.EquivClass = val
	case "visible_in":
		h.VisibleIn = val
	case "referto":
		h.ReferTo = val
	}
}

// validName reports whether a package or probe name is safe as part of an
// identifier and of a folder name (Tools/<id>/).
func validName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// splitList splits a comma-separated list, trimming and dropping empty
// items, upper-casing them when upper is set.
func splitList(s string, upper bool) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if upper {
			item = strings.ToUpper(item)
		}
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

func probeTypes() []string {
	return []string{string(CustomSNMP), string(SNMPTrap), string(TCPScript), string(CmdLine),
		"command-line", string(BuiltIn), string(ProbeGroup), string(Collection),
		string(NTServices), string(BigBrother)}
}

// typeSections lists the sections each probe type uses beyond the common
// header, description, parameters and datasets.
func typeSections(t ProbeType) []string {
	switch t {
	case CustomSNMP, SNMPTrap:
		return []string{"snmp-device-properties", "snmp-device-variables",
			"snmp-device-variables-ondemand", "snmp-device-thresholds", "snmp-device-alarmpoints",
			"snmp-device-display", "snmp-device-notifiers"}
	case TCPScript:
		return []string{"script", "script-output"}
	case CmdLine:
		return []string{"command-line", "command-exit", "command-display", "command-data", "tool:"}
	}
	return nil
}

// checkType checks the probe type and that the sections fit it.
func checkType(f *File, p *problems) {
	h := f.Header
	if h.Type == "" {
		return // reported as required
	}
	if !slices.Contains(probeTypes(), string(h.Type)) {
		p.errorf(h.Line, "<header>: unknown probe type %q%s", h.Raw["type"], didYouMean(string(h.Type), probeTypes()))
		return
	}
	used := typeSections(h.Type)
	for key, s := range f.Sections {
		switch key {
		case "header", "description", "parameters", "datasets", "autorecord":
			continue
		}
		k := key
		if strings.HasPrefix(k, "tool:") {
			k = "tool:"
		}
		if knownSection(key) && !slices.Contains(used, k) {
			p.warnf(s.Line, "section <%s> is not used by %s probes and is ignored", s.Name, h.Type)
		}
	}
	switch h.Type {
	case TCPScript:
		if _, ok := f.Sections["script"]; !ok {
			p.errorf(h.Line, "tcp-script probe has no <script> section")
		} else if strings.TrimSpace(f.Script) == "" {
			p.errorf(f.Sections["script"].Line, "<script> is empty")
		}
	case CmdLine:
		if _, ok := f.Sections["command-line"]; !ok {
			p.errorf(h.Line, "cmd-line probe has no <command-line> section")
		} else if f.CommandLine.Cmd == "" {
			p.errorf(f.Sections["command-line"].Line, "<command-line>: cmd is required")
		}
	}
}

// parseTool records a <tool:NAME> section.
func parseTool(f *File, s Section, p *problems) {
	name := s.Name[len("tool:"):]
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00"):
		p.errorf(s.Line, "<%s>: tool name %q must be a plain file name", s.Name, name)
		return
	case strings.HasPrefix(name, "."):
		p.errorf(s.Line, "<%s>: tool name %q must not start with '.'", s.Name, name)
		return
	}
	f.Tools[name] = Tool{Name: name, Text: s.Text, Line: s.BodyLine}
}

// levelNames are the level words of thresholds and <command-exit>.
func levelNames() []string { return []string{"down", "critical", "alarm", "warning", "okay"} }
