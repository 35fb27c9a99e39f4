package cmdline

import (
	"os"
	"path/filepath"
	"strings"
)

// ParseOutput reads InterMapper's output protocol: an optional leading
// "\{ $a := 1, b := 'x' }" block of variables, then the reason text.
func ParseOutput(out string) (vars map[string]string, reason string) {
	vars = map[string]string{}
	s := strings.TrimLeft(out, " \t\r\n")
	if !strings.HasPrefix(s, `\{`) {
		return vars, firstLine(s)
	}
	body, rest, ok := cutBlock(s[2:])
	if !ok {
		return vars, firstLine(s)
	}
	for _, item := range splitTop(body) {
		name, val, ok := strings.Cut(item, ":=")
		if !ok {
			continue
		}
		name = strings.TrimPrefix(strings.TrimSpace(name), "$")
		val = strings.TrimSpace(val)
		if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0] {
			val = val[1 : len(val)-1]
		}
		if name != "" {
			vars[name] = val
		}
	}
	return vars, strings.TrimSpace(firstLine(rest))
}

// cutBlock finds the "}" closing the variable block, outside quotes.
func cutBlock(s string) (body, rest string, ok bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '}':
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// splitTop splits on commas outside quotes.
func splitTop(s string) []string {
	var out []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// Perf is one Nagios performance-data item: 'label'=value[UOM];warn;crit;min;max.
type Perf struct {
	Label, Value, UOM, Warn, Crit, Min, Max string
}

// ParseNagios splits Nagios plugin output into its first-line text and the
// performance data of every line ("text|perf" and later "|perf" lines).
func ParseNagios(out string) (text string, perf []Perf) {
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	for i, line := range lines {
		t, p, has := strings.Cut(line, "|")
		if i == 0 {
			text = strings.TrimSpace(t)
		}
		if has {
			perf = append(perf, parsePerf(p)...)
		}
	}
	return text, perf
}

func parsePerf(s string) []Perf {
	var out []Perf
	for _, item := range splitPerf(s) {
		label, rest, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		label = strings.Trim(label, "'")
		f := strings.Split(rest, ";")
		for len(f) < 5 {
			f = append(f, "")
		}
		v := f[0]
		i := strings.IndexFunc(v, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E')
		})
		uom := ""
		if i >= 0 {
			v, uom = v[:i], v[i:]
		}
		out = append(out, Perf{Label: label, Value: v, UOM: uom, Warn: f[1], Crit: f[2], Min: f[3], Max: f[4]})
	}
	return out
}

// splitPerf splits on spaces outside single-quoted labels.
func splitPerf(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '\'':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// WriteTools writes a probe's <tool:NAME> scripts into Tools/<probeID>/,
// first removing the files a previous version left (hidden files stay),
// as InterMapper does on start and reload.
func WriteTools(toolsDir, probeID string, tools map[string]string) error {
	if strings.ContainsAny(probeID, `/\`) || probeID == "" || probeID == "." || probeID == ".." {
		return &os.PathError{Op: "write tools", Path: probeID, Err: os.ErrInvalid}
	}
	dir := filepath.Join(toolsDir, probeID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := os.ReadDir(dir)
	for _, e := range old {
		if !strings.HasPrefix(e.Name(), ".") && !e.IsDir() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	for name, body := range tools {
		if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			return &os.PathError{Op: "write tool", Path: name, Err: os.ErrInvalid}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			return err
		}
	}
	return nil
}
