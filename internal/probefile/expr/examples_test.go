package expr

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The real probe files shared by the project. The test reads them in place
// with a small ad-hoc extractor, independent of the probe-file parser.
func examplesDir(t *testing.T) string {
	dir := os.Getenv("VANTAGE_PROBE_EXAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "probes", "examples")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("probe examples not found: %v", err)
	}
	return dir
}

// srcLine is one line of a probe-file section.
type srcLine struct {
	no   int
	text string
}

var (
	sectionTag = regexp.MustCompile(`^\s*<(/?)([A-Za-z][A-Za-z0-9:_-]*)>\s*$`)
	comment    = regexp.MustCompile(`<!--.*?-->`)
)

// readSections splits a probe file into its sections' lines, without
// comments and blank lines.
func readSections(t *testing.T, path string) map[string][]srcLine {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]srcLine{}
	current, inComment := "", false
	for i, text := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		text = comment.ReplaceAllString(text, "")
		if inComment {
			if _, after, ok := strings.Cut(text, "-->"); ok {
				text, inComment = after, false
			} else {
				continue
			}
		}
		if before, _, ok := strings.Cut(text, "<!--"); ok {
			text, inComment = before, true
		}
		if m := sectionTag.FindStringSubmatch(text); m != nil {
			current = strings.ToLower(m[2])
			if m[1] == "/" {
				current = ""
			}
			continue
		}
		trimmed := strings.TrimSpace(text)
		if current == "" || trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		sections[current] = append(sections[current], srcLine{i + 1, text})
	}
	return sections
}

var (
	thresholdLine    = regexp.MustCompile(`^\s*([A-Za-z]+)\s*:(.*)$`)
	calculationType  = regexp.MustCompile(`(?i)^,\s*calculation\s*(,|$)`)
	calculationField = regexp.MustCompile(`(?i),\s*calculation\b`)
	propertyExpr     = regexp.MustCompile(`(?i)^\s*"?(interface_visible|interface_numbered)"?\s*=\s*(.*)$`)
	exprMacro        = regexp.MustCompile(`(?i)\$\{(eval|chartable|scalable10|scalable2)\s*:`)
	evalCommand      = regexp.MustCompile(`(?i)^\s*EVAL\s+(.*)$`)
)

// embedded is an expression found in a probe file.
type embedded struct {
	where string // file:line and kind
	src   string
	rest  func(rest string) bool // checks what ParsePrefix left, nil: Parse
}

// quotedOrEmpty accepts a missing or a single trailing condition string.
func quotedOrEmpty(rest string) bool {
	rest = strings.TrimSpace(rest)
	return rest == "" || (len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"')
}

// extract finds every expression of a probe file.
func extract(t *testing.T, path string) []embedded {
	var out []embedded
	base := filepath.Base(path)
	for section, lines := range readSections(t, path) {
		for _, l := range lines {
			where := func(kind string) string { return base + ":" + itoa(l.no) + " " + kind }
			switch section {
			case "snmp-device-thresholds":
				if m := thresholdLine.FindStringSubmatch(l.text); m != nil {
					out = append(out, embedded{where("threshold"), m[2], quotedOrEmpty})
				}
			case "snmp-device-variables", "snmp-device-variables-ondemand":
				if _, rest, ok := strings.Cut(l.text, ","); ok && calculationField.MatchString(rest) {
					out = append(out, embedded{where("CALCULATION"), rest, func(r string) bool {
						return calculationType.MatchString(strings.TrimSpace(r))
					}})
				}
			case "snmp-device-properties":
				if m := propertyExpr.FindStringSubmatch(l.text); m != nil {
					out = append(out, embedded{where("property"), strings.Trim(m[2], " \t"), nil})
				}
			case "snmp-device-alarmpoints":
				if i := strings.IndexByte(l.text, '('); i >= 0 {
					out = append(out, embedded{where("alarm point"), l.text[i:], func(r string) bool {
						cond, _, _ := strings.Cut(r, "=>")
						return quotedOrEmpty(cond)
					}})
				}
			case "script":
				if m := evalCommand.FindStringSubmatch(l.text); m != nil {
					out = append(out, embedded{where("EVAL"), m[1], nil})
				}
			}
			for _, loc := range exprMacro.FindAllStringIndex(l.text, -1) {
				end := macroEnd(l.text, loc[0]+2)
				if end < 0 {
					t.Errorf("%s: unterminated macro", where("macro"))
					continue
				}
				_, arg, _ := strings.Cut(l.text[loc[0]+2:end], ":")
				if strings.HasPrefix(strings.ToLower(l.text[loc[0]+2:]), "eval") {
					out = append(out, embedded{where("${eval:}"), arg, nil})
				} else {
					_, _, src := splitFormat(arg)
					out = append(out, embedded{where("macro"), src, nil})
				}
			}
		}
	}
	return out
}

func itoa(n int) string { return formatNum(float64(n)) }

func TestExamplesParse(t *testing.T) {
	dir := examplesDir(t)
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, f := range files {
		if f.IsDir() {
			continue
		}
		for _, x := range extract(t, filepath.Join(dir, f.Name())) {
			kind := x.where[strings.LastIndexByte(x.where, ' ')+1:]
			counts[kind]++
			if x.rest == nil {
				if _, err := Parse(x.src); err != nil {
					t.Errorf("%s: %q: %v", x.where, x.src, err)
				}
				continue
			}
			e, n, err := ParsePrefix(x.src)
			if err != nil {
				t.Errorf("%s: %q: %v", x.where, x.src, err)
				continue
			}
			if !x.rest(x.src[n:]) {
				t.Errorf("%s: expression %q followed by unexpected %q", x.where, e.Source(), x.src[n:])
			}
		}
	}
	t.Logf("expressions parsed: %v", counts)
	if counts["threshold"] < 15 || counts["CALCULATION"] < 40 {
		t.Errorf("too few expressions found (%v): is the extractor broken?", counts)
	}
}

// TestExampleAPC runs the APC UPS probe's CALCULATION variables in file
// order and its thresholds top to bottom (02:9-17), as the poller will.
func TestExampleAPC(t *testing.T) {
	path := filepath.Join(examplesDir(t), "com.dartware.ups.apc.txt")
	sections := readSections(t, path)
	run := func(snmp MapEnv) (severity, reason string, env MapEnv) {
		env = MapEnv{}
		for _, l := range sections["parameters"] {
			if m := regexp.MustCompile(`^\s*"([^"]*)"\s*=\s*"([^"]*)"`).FindStringSubmatch(l.text); m != nil {
				env[m[1]] = String(m[2])
			}
		}
		for k, v := range snmp {
			env[k] = v
		}
		// Two polls: tempRange reads $batUnits, computed further down, so
		// like any persistent variable it has a value from the second poll.
		for range 2 {
			for _, l := range sections["snmp-device-variables"] {
				name, rest, _ := strings.Cut(l.text, ",")
				e, n, err := ParsePrefix(rest)
				if err != nil || !calculationType.MatchString(strings.TrimSpace(rest[n:])) {
					continue
				}
				if v, err := e.Eval(env); err == nil {
					env.Set(strings.TrimSpace(name), v)
				}
			}
		}
		for _, l := range sections["snmp-device-thresholds"] {
			m := thresholdLine.FindStringSubmatch(l.text)
			e, n, err := ParsePrefix(m[2])
			if err != nil {
				t.Fatal(err)
			}
			if v, err := e.Eval(env); err == nil && v.Bool() {
				return m[1], Expand(strings.Trim(strings.TrimSpace(m[2][n:]), `"`), env), env
			}
		}
		return "okay", "", env
	}
	onBattery := MapEnv{
		"secs": N(120), "batTempC": N(25), "leftCharge": N(100), "batMin": S("12 minutes 0.00 seconds"),
		"replaceCode": N(1), "inVolt": N(230), "inVMax": N(240), "inVMin": N(208),
		"batCode": N(2), "outCode": N(3), "failCode": N(4),
	}
	sev, reason, env := run(onBattery)
	if sev != "alarm" || reason != "UPS has been running on battery for 120 seconds." {
		t.Errorf("on battery: %s %q", sev, reason)
	}
	for name, want := range map[string]Value{
		"outputStatus": S("On Battery"), "batTimeOn": S(", UPS has been on battery for 120 seconds."),
		"tempRange": S("10-38 °C"), "batTemp": N(25), "batTempF": N(77), "replaceStatus": S("still functioning"),
		"inRange": S("208-240V"), "failCause": S("Black Out"), "batStatus": S("Normal"),
		"timeLeft": S("12 minutes 0"),
	} {
		if got, _ := env.Get(name); !sameValue(got, want) {
			t.Errorf("$%s = %v, want %v", name, got, want)
		}
	}
	hot := onBattery
	hot["outCode"], hot["batTempC"] = N(2), N(39)
	if sev, reason, _ := run(hot); sev != "warning" ||
		reason != "UPS battery temperature Warning: 39 °C (Optimal Range: 10-38 °C)" {
		t.Errorf("hot battery: %s %q", sev, reason)
	}
	hot["batTempC"] = N(25)
	if sev, reason, _ := run(hot); sev != "okay" {
		t.Errorf("normal: %s %q", sev, reason)
	}
}
