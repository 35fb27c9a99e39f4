package probefile

import (
	"slices"
	"strconv"
	"strings"
)

// parseThresholds reads `level: expression "reason"` lines.
func parseThresholds(f *File, s Section, p *problems) {
	eachLine(s, true, func(n int, line string) {
		word, rest, ok := strings.Cut(line, ":")
		word = strings.TrimSpace(word)
		if !ok || word == "" || strings.ContainsAny(word, " \t\"$(") {
			p.errorf(n, "<snmp-device-thresholds>: want `level: expression \"reason\"`, got %q", line)
			return
		}
		level, ok := parseLevel(word)
		if !ok {
			p.errorf(n, "<snmp-device-thresholds>: unknown level %q%s; want down, critical, alarm, warning or okay",
				word, didYouMean(word, levelNames()))
			return
		}
		expr, reason, ok := splitReason(rest)
		if !ok {
			p.errorf(n, "<snmp-device-thresholds>: string is not closed")
			return
		}
		if expr == "" {
			p.errorf(n, "<snmp-device-thresholds>: %s: expression is missing", word)
			return
		}
		f.Thresholds = append(f.Thresholds, Threshold{Level: level, Expr: expr, Reason: reason, Line: n})
	})
}

// splitReason splits `expression "reason"`: the reason is a string literal
// that ends the line and is not an operand of the expression — that is,
// the text before it does not end with an operator ("$a" != "b" is all
// expression; $a > 3 "too high" has a reason). ok is false when a string
// is not closed.
func splitReason(s string) (expr, reason string, ok bool) {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		end := quoteEnd(s, i)
		if end < 0 {
			return s, "", false
		}
		if end < len(s) {
			i = end - 1
			continue
		}
		before := strings.TrimSpace(s[:i])
		if before != "" && endsWithOperator(before) {
			return s, "", true
		}
		reason, _ = unquote(s[i:])
		return before, reason, true
	}
	return s, "", true
}

// endsWithOperator reports whether an expression's text ends with an
// operator (so that what follows is its operand).
func endsWithOperator(s string) bool {
	if strings.ContainsRune("=!<>~+-*/%(,?:&|;^", rune(s[len(s)-1])) {
		return true
	}
	i := len(s)
	for i > 0 && (isLetter(s[i-1]) || isDigit(s[i-1]) || s[i-1] == '_') {
		i--
	}
	word := strings.ToLower(s[i:])
	if word != "and" && word != "or" && word != "not" {
		return false
	}
	return i == 0 || !strings.ContainsRune("${.", rune(s[i-1]))
}

// alarmSeverities are the severities of alarm point rules.
func alarmSeverities() []string {
	return []string{"clear", "minor", "major", "critical", "down", "reset", "break"}
}

// parseAlarmPoints reads `name: severity (expression) "reason" => notifiers`.
func parseAlarmPoints(f *File, s Section, p *problems) {
	const sec = "<snmp-device-alarmpoints>: "
	eachLine(s, true, func(n int, line string) {
		name, rest, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || !ident.MatchString(name) {
			p.errorf(n, "%swant `name: severity (expression) \"reason\"`, got %q", sec, line)
			return
		}
		rest = strings.TrimSpace(rest)
		sevEnd := strings.IndexAny(rest, " \t(")
		if sevEnd < 0 {
			sevEnd = len(rest)
		}
		sev := strings.ToLower(rest[:sevEnd])
		if !slices.Contains(alarmSeverities(), sev) {
			p.errorf(n, "%s%s: unknown severity %q%s; want clear, minor, major, critical, down, reset or break",
				sec, name, rest[:sevEnd], didYouMean(sev, alarmSeverities()))
			return
		}
		ap := AlarmPoint{Name: name, Severity: sev, Line: n}
		cond, notifiers, hasNotifiers := cutTop(rest[sevEnd:], "=>")
		if hasNotifiers {
			for _, item := range splitList(notifiers, false) {
				item, _ = unquote(item)
				ap.Notifiers = append(ap.Notifiers, item)
			}
			if len(ap.Notifiers) == 0 {
				p.errorf(n, "%s%s: no notifier after =>", sec, name)
				return
			}
		}
		cond = strings.TrimSpace(cond)
		if strings.HasPrefix(cond, "(") {
			end := closingParen(cond)
			if end < 0 {
				p.errorf(n, "%s%s: ( is not closed", sec, name)
				return
			}
			ap.Expr = strings.TrimSpace(cond[1:end])
			after := strings.TrimSpace(cond[end+1:])
			if after != "" {
				r, isString := unquote(after)
				if !isString {
					// Not "(a) or (b)" as the doc writes: let the expression have it all.
					var ok bool
					if ap.Expr, r, ok = splitReason(cond); !ok {
						p.errorf(n, "%s%s: string is not closed", sec, name)
						return
					}
				}
				ap.Reason = r
			}
		} else {
			var ok bool
			if ap.Expr, ap.Reason, ok = splitReason(cond); !ok {
				p.errorf(n, "%s%s: string is not closed", sec, name)
				return
			}
		}
		if ap.Expr == "" {
			p.errorf(n, "%s%s: expression is missing", sec, name)
			return
		}
		f.AlarmPoints = append(f.AlarmPoints, ap)
	})
}

// cutTop cuts s at the first sep outside strings and brackets.
func cutTop(s, sep string) (before, after string, found bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			end := quoteEnd(s, i)
			if end < 0 {
				return s, "", false
			}
			i = end - 1
		case c == '(' || c == '[' || c == '{':
			depth++
		case (c == ')' || c == ']' || c == '}') && depth > 0:
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], sep):
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

// closingParen returns the index of the ")" matching s[0] == "(", or -1.
func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			end := quoteEnd(s, i)
			if end < 0 {
				return -1
			}
			i = end - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// parseNotifiers reads `Name: "notifier:delay:repeat:count", …` lines.
func parseNotifiers(f *File, s Section, p *problems) {
	const sec = "<snmp-device-notifiers>: "
	eachLine(s, true, func(n int, line string) {
		name, rest, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, "\"'") {
			p.errorf(n, "%swant `Name: \"notifier:delay:repeat:count\"`, got %q", sec, line)
			return
		}
		items, ok := splitTop(rest, ',', `"'`)
		if !ok {
			p.errorf(n, "%s%s: string is not closed", sec, name)
			return
		}
		list := NotifierList{Name: name, Line: n}
		for _, item := range items {
			item, _ = unquote(strings.TrimSpace(item))
			if item == "" {
				continue
			}
			r, reason := parseNotifierRule(item)
			if reason != "" {
				p.errorf(n, "%s%s: rule %q: %s", sec, name, item, reason)
				return
			}
			list.Rules = append(list.Rules, r)
		}
		if len(list.Rules) == 0 {
			p.errorf(n, "%s%s: no notifier rule", sec, name)
			return
		}
		f.NotifierLists = append(f.NotifierLists, list)
	})
}

// parseNotifierRule reads "notifier:delay:repeat:count"; missing numbers
// are 0, a missing count is -1 (repeat without end).
func parseNotifierRule(s string) (NotifierRule, string) {
	parts := strings.Split(s, ":")
	r := NotifierRule{Notifier: strings.TrimSpace(parts[0]), Count: -1}
	if r.Notifier == "" {
		return r, "notifier name is empty"
	}
	if len(parts) > 4 {
		return r, "want notifier:delay:repeat:count"
	}
	nums := []*int{&r.Delay, &r.Repeat, &r.Count}
	for i, part := range parts[1:] {
		part = strings.TrimSpace(part)
		if part == "" {
			if i < 2 {
				continue
			}
			break
		}
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 {
			return r, "\"" + part + "\" is not a number of minutes"
		}
		*nums[i] = v
	}
	return r, ""
}
