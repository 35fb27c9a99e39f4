package engine

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/probefile/imml"
	"github.com/vantage-monitor/vantage/internal/probefile/tcpscript"
	"github.com/vantage-monitor/vantage/internal/status"
)

// tcpProbe runs a tcp-script probe. The parsed script is shared and
// immutable; an instance keeps no state between polls.
type tcpProbe struct {
	f      *probefile.File
	script *tcpscript.Script
	output string // <script-output>, comments removed
	d      Deps
}

// Poll runs the script against the device once.
func (p *tcpProbe) Poll(ctx context.Context, t probe.Target) (res status.Result) {
	defer guard(p.d.Now, &res)
	params := paramValues(p.f, t.Params)
	port := p.f.Header.PortNumber
	if s, ok := lookupFold(params, "port"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 && n < 65536 {
			port = n
		}
	}
	r := p.script.Run(ctx, tcpscript.Options{
		Address: t.Address, Port: port, Params: params, Timeout: t.Timeout,
		Dial: p.d.Dial, Eval: evaluator(p.d.Now), DeviceName: t.Address, Now: p.d.Now,
	})
	level := scriptLevel(r.Status)
	res = status.Result{Level: level, Reason: r.Reason, Time: p.d.Now(),
		NoResponse: level == status.Down && connectFailed(r.Transcript)}
	if ms, err := strconv.ParseInt(r.Vars["_connect"], 10, 64); err == nil && !res.NoResponse {
		res.RTT = time.Duration(ms) * time.Millisecond
	}
	e := newMapEnv(p.d.Now)
	for k, v := range params {
		e.setText(k, v, false)
	}
	for k, v := range r.Vars {
		e.setText(k, v, true)
	}
	e.setText("devicename", t.Address, false)
	e.setText("deviceaddress", t.Address, false)
	out := expr.Expand(trimBlankLines(p.output), e)
	res.Values = map[string]any{
		"vars":         textVars(r.Vars),
		"display_html": imml.HTML(out),
		"display_text": plainText(out),
		"transcript":   r.Transcript,
	}
	if ds := datasets(p.f, e); len(ds) > 0 {
		res.Values["datasets"] = ds
	}
	return res
}

// scriptLevel maps a script's final status to a level.
func scriptLevel(s string) status.Level {
	switch strings.ToUpper(s) {
	case "OKAY":
		return status.OK
	case "WARN":
		return status.Warning
	case "ALRM":
		return status.Alarm
	case "CRIT":
		return status.Critical
	case "DOWN":
		return status.Down
	}
	return status.Unknown
}

// connectFailed reports whether the run never connected: the transcript
// notes a failed connection and no successful one.
func connectFailed(transcript []string) bool {
	failed := false
	for _, l := range transcript {
		switch {
		case strings.HasPrefix(l, "* connected to"):
			return false
		case strings.HasPrefix(l, "* could not connect"):
			failed = true
		}
	}
	return failed
}

// evaluator runs EVAL and ${eval:} with the expression language over the
// script's variables (text, by lower-case name).
func evaluator(now func() time.Time) tcpscript.Evaluator {
	return func(src string, vars map[string]string) (string, error) {
		e, err := expr.Parse(src)
		if err != nil {
			return "", err
		}
		v, err := e.Eval(textEnv{vars: vars, now: now})
		if err != nil {
			return "", err
		}
		return v.Str(), nil
	}
}

// textEnv is an expr.Env over a tcp-script run's variables.
type textEnv struct {
	vars map[string]string
	now  func() time.Time
}

// Get implements expr.Env.
func (t textEnv) Get(name string) (expr.Value, bool) {
	if v, ok := t.vars[strings.ToLower(name)]; ok {
		return expr.String(v), true
	}
	if v, ok := t.vars[name]; ok {
		return expr.String(v), true
	}
	return expr.Value{}, false
}

// Set implements expr.Env.
func (t textEnv) Set(name string, v expr.Value) { t.vars[strings.ToLower(name)] = v.Str() }

// Now implements expr.Clock.
func (t textEnv) Now() time.Time { return t.now() }
