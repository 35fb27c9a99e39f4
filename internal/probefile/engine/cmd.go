package engine

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/cmdline"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/probefile/imml"
	"github.com/vantage-monitor/vantage/internal/status"
)

// maxStdout is how much of a program's output Values["stdout"] keeps.
const maxStdout = 8 << 10

// cmdSpec is a cmd-line probe file compiled once.
type cmdSpec struct {
	file    *probefile.File
	spec    cmdline.Spec
	exprs   []exitExpr // <command-exit> rules that are not "${EXIT_CODE}=n"
	display string
	stdout  bool // the display shows ${^stdout}
}

// exitExpr is a <command-exit> rule with a general expression.
type exitExpr struct {
	level status.Level
	e     *expr.Expr
}

func compileCmd(f *probefile.File) *cmdSpec {
	c := &cmdSpec{file: f, display: trimBlankLines(probefile.StripComments(f.CommandDisplay))}
	c.spec = cmdline.Spec{
		ProbeID: f.ID(), Path: f.CommandLine.Path, Cmd: f.CommandLine.Cmd, Arg: f.CommandLine.Args,
		Input: f.CommandLine.Input, Timeout: f.CommandLine.Timeout, Nagios: f.Header.HasFlag("NAGIOS3"),
	}
	for _, r := range f.CommandExit {
		if r.Code >= 0 {
			c.spec.Exit = append(c.spec.Exit, cmdline.ExitRule{Level: r.Level, Code: r.Code})
		} else if e, err := expr.Parse(r.Expr); err == nil {
			c.exprs = append(c.exprs, exitExpr{level: r.Level, e: e})
		}
	}
	c.stdout = strings.Contains(strings.ToLower(c.display), "${^stdout}")
	return c
}

// writeTools writes the file's <tool:NAME> scripts into the tools folder.
func writeTools(f *probefile.File, dir string) error {
	if len(f.Tools) == 0 || dir == "" {
		return nil
	}
	tools := make(map[string]string, len(f.Tools))
	for name, t := range f.Tools {
		tools[name] = t.Text
	}
	if err := cmdline.WriteTools(dir, f.ID(), tools); err != nil {
		return fmt.Errorf("probe %s (%s): writing its tools: %w", f.ID(), f.Path, err)
	}
	return nil
}

// cmdProbe is one instance of a cmd-line probe: it keeps the variables the
// program returned, which the next run's command line may use.
type cmdProbe struct {
	c *cmdSpec
	d Deps

	mu      sync.Mutex
	persist map[string]string
}

func newCmdProbe(c *cmdSpec, d Deps) probe.Probe {
	return &cmdProbe{c: c, d: d, persist: map[string]string{}}
}

// Poll runs the program once.
func (p *cmdProbe) Poll(ctx context.Context, t probe.Target) (res status.Result) {
	defer guard(p.d.Now, &res)
	params := paramValues(p.c.file, t.Params)
	port := p.c.file.Header.PortNumber
	if s, ok := lookupFold(params, "port"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			port = n
		}
	}
	p.mu.Lock()
	persist := maps.Clone(p.persist)
	p.mu.Unlock()
	env := cmdline.Env{Address: t.Address, Port: port, DeviceName: t.Address, Params: params, Persistent: persist}
	r := p.d.Runner.Run(ctx, p.c.spec, env, t.Timeout)
	ran := r.Vars != nil // the program ran to its end
	if ran && r.Level == status.Unknown {
		ee := expr.MapEnv{"EXIT_CODE": expr.Number(float64(r.ExitCode))}
		for _, x := range p.c.exprs {
			if v, err := x.e.Eval(ee); err == nil && v.Bool() {
				r.Level = x.level
				if strings.HasPrefix(r.Reason, "exit code ") {
					r.Reason = ""
				}
				break
			}
		}
	}
	if ran && !p.c.spec.Nagios {
		p.mu.Lock()
		maps.Copy(p.persist, r.Vars)
		p.mu.Unlock()
	}
	res = status.Result{Level: r.Level, Reason: r.Reason, Time: p.d.Now()}
	if ran && p.c.stdout {
		res.Reason = r.Vars["reason"]
	}
	e := newMapEnv(p.d.Now)
	for k, v := range params {
		e.setText(k, v, false)
	}
	for k, v := range persist {
		e.setText(k, v, true)
	}
	for k, v := range r.Vars {
		e.setText(k, v, true)
	}
	for _, k := range []string{"devicename", "deviceaddress", "address"} {
		e.setText(k, t.Address, false)
	}
	e.setText("port", strconv.Itoa(port), false)
	e.setText("exit_code", strconv.Itoa(r.ExitCode), true)
	x := expr.Expander{Env: e, Round: true}
	e.setText("^stdout", x.Expand(strings.TrimRight(withoutBlock(r.Stdout), "\r\n")), false)
	e.setText("nagios_output", nagiosOutput(r), false)
	out := x.Expand(p.c.display)
	stdout := r.Stdout
	if len(stdout) > maxStdout {
		stdout = stdout[:maxStdout]
	}
	res.Values = map[string]any{
		"vars":         textVars(r.Vars),
		"exit_code":    r.ExitCode,
		"stdout":       stdout,
		"display_html": imml.HTML(out),
		"display_text": plainText(out),
	}
	if len(r.Perf) > 0 {
		res.Values["perfdata"] = r.Perf
	}
	if ds := datasets(p.c.file, e); len(ds) > 0 {
		res.Values["datasets"] = ds
	}
	return res
}

// withoutBlock removes the leading "\{ … }" variable block of the
// InterMapper output protocol.
func withoutBlock(out string) string {
	s := strings.TrimLeft(out, " \t\r\n")
	if !strings.HasPrefix(s, `\{`) {
		return out
	}
	var quote byte
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '}':
			return strings.TrimLeft(s[i+1:], " \t")
		}
	}
	return out
}

// nagiosOutput renders ${nagios_output}: the plugin's text, then a table
// of its performance data.
func nagiosOutput(r cmdline.Result) string {
	text, _ := cmdline.ParseNagios(r.Stdout)
	text = escapeIMML(text)
	if len(r.Perf) == 0 {
		return text
	}
	rows := [][]string{{"Label", "Value", "Warn", "Crit", "Min", "Max"}}
	for _, p := range r.Perf {
		rows = append(rows, []string{p.Label, p.Value + p.UOM, p.Warn, p.Crit, p.Min, p.Max})
	}
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	b.WriteString(text)
	for n, row := range rows {
		b.WriteString("\n  ")
		if n == 0 {
			b.WriteString(`\B4\`)
		}
		for i, c := range row {
			cell := escapeIMML(c)
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(cell + strings.Repeat(" ", width[i]-len(c)))
		}
		if n == 0 {
			b.WriteString(`\P0\`)
		}
	}
	return b.String()
}

// escapeIMML makes text show as written: a backslash is IMML markup.
func escapeIMML(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }
