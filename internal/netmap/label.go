package netmap

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// labelVariables are the names a label template may use, as InterMapper
// spells them in its label editor: ${ShortName} is the smart name up to its
// first dot, ${SmartName} the whole of it (DNS name, NetBIOS name, sysName
// or address, in the order discovery prefers them).
var labelVariables = []string{"ShortName", "SmartName", "Address", "DNSName", "SysName", "NetBIOSName", "SysDescr", "Probe"}

// LabelVariables returns the names a label template may use.
func LabelVariables() []string { return append([]string(nil), labelVariables...) }

// maxLabel bounds a label: it is drawn on the map, not a document.
const maxLabel = 1024

// CheckLabelTemplate reports a template that cannot be expanded: an
// unclosed "${", an unknown variable (the message lists the known ones), or
// text that is not a valid label.
func CheckLabelTemplate(tmpl string) error {
	if tmpl == "" {
		return nil
	}
	if r := checkLabel(tmpl); r != "" {
		return fmt.Errorf("%s", r)
	}
	_, err := expand(tmpl, func(string) string { return "" })
	return err
}

// ExpandLabel fills a label template: ${Name} becomes vars[Name], absent
// variables become empty, and lines left empty are dropped, so that
// "${DNSName}\n${Address}" on a device without a DNS name is one line.
// Names are matched without regard to case, as in InterMapper. An invalid
// template (see CheckLabelTemplate) expands to "".
func ExpandLabel(tmpl string, vars map[string]string) string {
	fold := make(map[string]string, len(vars))
	for k, v := range vars {
		fold[strings.ToLower(k)] = v
	}
	out, err := expand(tmpl, func(name string) string { return fold[strings.ToLower(name)] })
	if err != nil {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, " \t"))
		}
	}
	s := strings.Join(lines, "\n")
	if len(s) > maxLabel {
		s = s[:maxLabel]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

func expand(tmpl string, value func(string) string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed \"${\" in %q", tmpl)
		}
		name := tmpl[i+2 : i+j]
		if !knownVariable(name) {
			return "", fmt.Errorf("unknown variable ${%s} (known: ${%s})", name, strings.Join(labelVariables, "}, ${"))
		}
		b.WriteString(value(name))
		tmpl = tmpl[i+j+1:]
	}
}

func knownVariable(name string) bool {
	for _, v := range labelVariables {
		if strings.EqualFold(v, name) {
			return true
		}
	}
	return false
}

// checkLabel refuses labels that could not be drawn: invalid UTF-8,
// control characters other than line breaks, or too long.
func checkLabel(s string) string {
	switch {
	case s == "":
		return ""
	case !utf8.ValidString(s):
		return "label is not valid UTF-8"
	case len(s) > maxLabel:
		return fmt.Sprintf("label is longer than %d bytes", maxLabel)
	case strings.IndexFunc(s, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) >= 0:
		return "label contains control characters (only line breaks are allowed)"
	}
	return ""
}
