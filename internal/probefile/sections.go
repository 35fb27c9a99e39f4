package probefile

import (
	"strings"
)

// Section is one <name> … </name> block of a probe file as written.
type Section struct {
	// Name is the tag as written, e.g. "snmp-device-variables" or
	// "tool:check.py".
	Name string
	// Text is the body between the tags, lines joined with "\n", comments
	// and all.
	Text string
	// Line is the line of the opening tag; BodyLine that of Text's first
	// line (the next one, unless the body starts on the tag's line), so
	// line i (0-based) of Text is file line BodyLine+i.
	Line, BodyLine int
}

// sectionKey is the case-insensitive key of a tag name.
func sectionKey(name string) string { return strings.ToLower(name) }

// knownSection reports whether key (lower case) names a section of the
// probe-file format.
func knownSection(key string) bool {
	switch key {
	case "header", "description", "parameters", "datasets", "autorecord",
		"snmp-device-properties", "snmp-device-variables", "snmp-device-variables-ondemand",
		"snmp-device-thresholds", "snmp-device-alarmpoints", "snmp-device-display",
		"snmp-device-notifiers", "script", "script-output", "command-line", "command-exit",
		"command-display", "command-data":
		return true
	}
	return strings.HasPrefix(key, "tool:")
}

// sectionNames lists the sections of the format, for "did you mean" hints.
func sectionNames() []string {
	return []string{"header", "description", "parameters", "datasets", "autorecord",
		"snmp-device-properties", "snmp-device-variables", "snmp-device-variables-ondemand",
		"snmp-device-thresholds", "snmp-device-alarmpoints", "snmp-device-display",
		"snmp-device-notifiers", "script", "script-output", "command-line", "command-exit",
		"command-display", "command-data"}
}

// parseTag reads a tag at the start of a trimmed line: "<name>" or
// "</name>" and the text after it. Names start with a letter and use
// letters, digits and "-_.:"; a tool's name (after "tool:") may hold any
// character but <, > and white space, so that a bad one can be reported.
func parseTag(t string) (name string, closing bool, rest string, ok bool) {
	if len(t) < 3 || t[0] != '<' {
		return "", false, "", false
	}
	i := 1
	if t[1] == '/' {
		closing, i = true, 2
	}
	end := strings.IndexByte(t[i:], '>')
	if end <= 0 {
		return "", false, "", false
	}
	name, rest = t[i:i+end], t[i+end+1:]
	if !isTagName(name) {
		return "", false, "", false
	}
	return name, closing, rest, true
}

func isTagName(name string) bool {
	if !isLetter(name[0]) {
		return false
	}
	if len(name) > 5 && strings.EqualFold(name[:5], "tool:") {
		return !strings.ContainsAny(name, "<> \t")
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !isLetter(c) && !isDigit(c) && !strings.ContainsRune("-_.:", rune(c)) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// sectionScanner splits a file's lines into sections. Text outside sections
// (comments, notes) is ignored; a <!-- --> comment outside sections may
// hide tags. Inside a section only its closing tag ends it, but a line that
// is the opening tag of another known section (or a closing tag of another
// one) reports the section as not closed and recovers, so that one missing
// tag does not swallow the rest of the file; any other closing tag on its
// own line is taken for a misspelt one. A <tool:NAME> section ends only
// at </tool:NAME> or </tool>, for its body is arbitrary script text.
type sectionScanner struct {
	p        *problems
	out      []Section
	cur      *Section
	body     []string
	outside  commentStripper
	inside   commentStripper
	comLine  int // where an outside comment started
	innerCom int // where a comment inside the section started
}

func scanSections(lines []string, p *problems) []Section {
	s := &sectionScanner{p: p}
	for i, raw := range lines {
		n := i + 1
		if s.cur == nil {
			s.outsideLine(n, raw)
		} else {
			s.insideLine(n, raw)
		}
	}
	if s.cur != nil {
		p.errorf(s.cur.Line, "section <%s> is not closed", s.cur.Name)
		s.close()
	}
	if s.outside.in {
		p.warnf(s.comLine, "comment <!-- is not closed")
	}
	return s.out
}

func (s *sectionScanner) outsideLine(n int, raw string) {
	if !s.outside.in && isDashComment(strings.TrimSpace(raw)) {
		return
	}
	was := s.outside.in
	t := strings.TrimSpace(s.outside.strip(raw))
	if !was && s.outside.in {
		s.comLine = n
	}
	if t == "" {
		return
	}
	name, closing, rest, ok := parseTag(t)
	switch {
	case !ok:
		return // text outside sections is ignored
	case closing:
		s.p.warnf(n, "</%s> outside any section is ignored", name)
	default:
		s.open(n, name, rest)
	}
}

// open starts section name at line n; rest is what follows the tag.
func (s *sectionScanner) open(n int, name, rest string) {
	s.cur = &Section{Name: name, Line: n, BodyLine: n + 1}
	s.body = s.body[:0]
	s.inside = commentStripper{}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return
	}
	if before, ok := cutClosing(rest, s.cur.Name); ok {
		if strings.TrimSpace(before) != "" {
			s.cur.BodyLine = n
			s.body = append(s.body, before)
		}
		s.close()
		return
	}
	s.cur.BodyLine = n
	s.body = append(s.body, rest)
}

func (s *sectionScanner) close() {
	s.cur.Text = strings.Join(s.body, "\n")
	s.out = append(s.out, *s.cur)
	s.cur = nil
}

// cutClosing reports whether line ends with </name> (any case) and returns
// the text before it.
func cutClosing(line, name string) (string, bool) {
	t := strings.TrimRight(line, " \t")
	tag := "</" + name + ">"
	if len(t) < len(tag) || !strings.EqualFold(t[len(t)-len(tag):], tag) {
		return "", false
	}
	return t[:len(t)-len(tag)], true
}

func (s *sectionScanner) insideLine(n int, raw string) {
	key := sectionKey(s.cur.Name)
	t := strings.TrimSpace(raw)
	if strings.HasPrefix(key, "tool:") {
		if strings.EqualFold(t, "</"+s.cur.Name+">") || strings.EqualFold(t, "</tool>") {
			s.close()
		} else {
			s.body = append(s.body, raw)
		}
		return
	}
	inComment := false
	if key != "script" { // script text is commands, and SEND strings may hold "<!--"
		was := s.inside.in
		stripped := strings.TrimSpace(s.inside.strip(raw))
		if !was && s.inside.in {
			s.innerCom = n
		}
		inComment = was && stripped == ""
		if !inComment {
			t = stripped
		}
	}
	if before, ok := cutClosing(raw, s.cur.Name); ok {
		if inComment || s.inside.in {
			s.p.warnf(s.innerCom, "<%s>: comment <!-- is not closed before </%s>", s.cur.Name, s.cur.Name)
		} else if strings.TrimSpace(before) != "" {
			s.body = append(s.body, before)
		}
		s.close()
		return
	}
	if inComment {
		s.body = append(s.body, raw)
		return
	}
	name, closing, rest, ok := parseTag(t)
	other := sectionKey(name)
	switch {
	case ok && closing && strings.EqualFold(name, s.cur.Name):
		s.close() // the closing tag followed by a comment
	case ok && closing:
		s.p.errorf(n, "<%s> (line %d) is closed by </%s>; want </%s>", s.cur.Name, s.cur.Line, name, s.cur.Name)
		s.close()
	case ok && !closing && knownSection(other):
		s.p.errorf(s.cur.Line, "section <%s> is not closed (next section <%s> starts at line %d)", s.cur.Name, name, n)
		s.close()
		s.open(n, name, rest)
	default:
		s.body = append(s.body, raw)
	}
}
