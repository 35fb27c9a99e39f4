package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/cmdline"
	"github.com/vantage-monitor/vantage/internal/probefile/engine"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

const probeUsage = "usage: vantage probe check [-strict] FILE|DIR... | vantage probe run FILE HOST[:PORT] [param=value...] [-c COMMUNITY] [-v 1|2c]"

// probeCmd handles the probe-file tools: `vantage probe check` validates
// files, `vantage probe run` polls a device once with one.
func probeCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(probeUsage)
	}
	switch args[0] {
	case "check":
		return probeCheck(args[1:], stdout, stderr)
	case "run":
		return probeRun(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown probe command %q (%s)", args[0], probeUsage)
}

// probeCheck parses each file (or each probe file of a folder) and prints
// `FILE: ok (ID "Human Name", type, summary)` on stdout, or its problems as
// FILE:LINE: reason on stderr; warnings follow as FILE:LINE: warning: …
// The exit status is 1 when a file has errors (or warnings with -strict).
func probeCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("probe check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "fail on warnings too")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no files given (" + probeUsage + ")")
	}
	var files []string
	for _, arg := range fs.Args() {
		entries, err := os.ReadDir(arg)
		if err != nil {
			files = append(files, arg) // a file, or reported when read
			continue
		}
		for _, e := range entries {
			if !e.IsDir() && probefile.IsProbeFileName(e.Name()) {
				files = append(files, filepath.Join(arg, e.Name()))
			}
		}
	}
	failed := 0
	for _, file := range files {
		if !checkProbeFile(file, *strict, stdout, stderr) {
			failed++
		}
	}
	if failed > 0 {
		if len(files) > 1 {
			fmt.Fprintf(stderr, "%d of %d probe files failed\n", failed, len(files))
		}
		return exitCode(1)
	}
	return nil
}

// checkProbeFile checks one file and reports whether it passed.
func checkProbeFile(file string, strict bool, stdout, stderr io.Writer) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot read: %v\n", file, err)
		return false
	}
	f, err := probefile.Parse(file, data)
	if err != nil {
		for _, fe := range probefile.FileErrors(err) {
			fmt.Fprintln(stderr, fe)
		}
	} else {
		fmt.Fprintf(stdout, "%s: ok (%s %q, %s, %s)\n", file, f.ID(), f.Header.HumanName, f.Header.Type, probeSummary(f))
	}
	for _, w := range f.Warnings {
		fe := *w
		fe.Reason = "warning: " + fe.Reason
		fmt.Fprintln(stderr, &fe)
	}
	return err == nil && (!strict || len(f.Warnings) == 0)
}

// probeSummary counts what matters for the probe's type.
func probeSummary(f *probefile.File) string {
	plural := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	switch f.Header.Type {
	case probefile.CustomSNMP, probefile.SNMPTrap:
		vars, tables := 0, 0
		for _, v := range f.Variables {
			switch {
			case v.Type == "TABLE":
				tables++
			case !v.OnDemand:
				vars++
			}
		}
		s := plural(vars, "variable") + ", " + plural(len(f.Thresholds), "threshold")
		if len(f.AlarmPoints) > 0 {
			s += ", " + plural(len(f.AlarmPoints), "alarm point")
		}
		if tables > 0 {
			s += ", " + plural(tables, "on-demand table")
		}
		return s
	case probefile.TCPScript:
		lines := 0
		for l := range strings.SplitSeq(f.Script, "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		return plural(lines, "script line")
	case probefile.CmdLine:
		return plural(len(f.CommandExit), "exit rule") + ", " + plural(len(f.Tools), "tool")
	}
	return plural(len(f.Parameters), "parameter")
}

const probeRunUsage = "usage: vantage probe run [-c COMMUNITY] [-v 1|2c] [-t TIMEOUT] [-M MIBDIR] [-tools DIR] [-debug] FILE HOST[:PORT] [param=value...]"

// probeRun polls one device once with a probe file and prints the status,
// the reason, the variables and the rendered status-window text: the
// "probe builder" loop of editing a file and trying it. Flags may come
// before or after the operands. HOST:PORT sets the SNMP agent's port for
// SNMP probes, and the "port" parameter for TCP and command-line probes.
func probeRun(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("probe run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, probeRunUsage); fs.PrintDefaults() }
	community := fs.String("c", "public", "SNMP community")
	version := fs.String("v", "2c", "SNMP version: 1 or 2c")
	timeout := fs.String("t", "10", "poll timeout: seconds, or a duration like 500ms")
	mibDir := fs.String("M", "", "extra MIB folder (the built-in standard modules are always loaded)")
	toolsDir := fs.String("tools", "", "tools folder of command-line probes (default: a temporary folder)")
	debug := fs.Bool("debug", false, "also print the TCP transcript and the datasets")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return exitCode(2)
		}
		if args = fs.Args(); len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	if len(pos) < 2 {
		return errors.New(probeRunUsage)
	}
	params := map[string]string{}
	for _, kv := range pos[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("parameter %q is not name=value (%s)", kv, probeRunUsage)
		}
		params[k] = v
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	f, err := probefile.Parse(pos[0], data)
	if err != nil {
		for _, fe := range probefile.FileErrors(err) {
			fmt.Fprintln(stderr, fe)
		}
		return exitCode(1)
	}
	host, port, err := runHostPort(pos[1])
	if err != nil {
		return err
	}
	to, err := secondsOrDuration(*timeout)
	if err != nil {
		return fmt.Errorf("-t: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	deps := engine.Deps{}
	if names, err := mib.Builtin(); err == nil {
		deps.Names = names
		if *mibDir != "" {
			more, errs := names.WithDir(*mibDir)
			for _, e := range errs {
				fmt.Fprintf(stderr, "vantage probe run: MIB not loaded: %v\n", e)
			}
			deps.Names = more
		}
	}
	target := probe.Target{Address: host, Params: params, Timeout: to}
	switch f.Header.Type {
	case probefile.CustomSNMP, probefile.SNMPTrap:
		target.SNMP = snmp.Credentials{Version: *version, Community: *community, Port: port}
		if *version != "1" && *version != "2c" {
			return fmt.Errorf("-v: %q is not 1 or 2c", *version)
		}
		cfg := snmp.DefaultConfig()
		cfg.MaxSessions = 1
		client, err := snmp.New(cfg, logger, nil)
		if err != nil {
			return err
		}
		defer client.Close()
		deps.SNMP = client
		if eng, err := icmp.Open(icmp.DefaultConfig(), logger); err == nil {
			defer eng.Close()
			deps.Pinger = eng
		}
	default:
		if _, given := params["port"]; port != 0 && !given {
			params["port"] = strconv.Itoa(port)
		}
	}
	if f.Header.Type == probefile.CmdLine {
		dir := *toolsDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "vantage-tools-"); err != nil {
				return err
			}
			defer os.RemoveAll(dir)
		}
		deps.Runner = cmdline.Runner{ToolsDir: dir}
	}
	info, err := engine.Info(f, deps)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	printProbeResult(stdout, f, info.New().Poll(ctx, target), *debug)
	return nil
}

// runHostPort splits HOST[:PORT]; the port is 0 when not given.
func runHostPort(s string) (string, int, error) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return strings.Trim(s, "[]"), 0, nil // a name, an IPv4 or a bare IPv6 address
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 || h == "" {
		return "", 0, fmt.Errorf("bad HOST:PORT %q", s)
	}
	return h, port, nil
}

// printProbeResult prints a poll result for people.
func printProbeResult(w io.Writer, f *probefile.File, r status.Result, debug bool) {
	fmt.Fprintf(w, "status: %s\n", r.Level)
	if r.Reason != "" {
		fmt.Fprintf(w, "reason: %s\n", r.Reason)
	}
	if r.NoResponse {
		fmt.Fprintln(w, "no response from the device")
	}
	vars, _ := r.Values["vars"].(map[string]any)
	var order []string
	for _, v := range f.Variables {
		if _, ok := vars[v.Name]; ok && !v.OnDemand && !slices.Contains(order, v.Name) {
			order = append(order, v.Name)
		}
	}
	var rest []string
	for k := range vars {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	if order = append(order, rest...); len(order) > 0 {
		fmt.Fprintln(w, "variables:")
		for _, k := range order {
			fmt.Fprintf(w, "  %s = %s\n", k, showValue(vars[k]))
		}
	}
	if pts, ok := r.Values["alarm_points"].([]engine.AlarmPoint); ok && len(pts) > 0 {
		fmt.Fprintln(w, "alarm points:")
		for _, p := range pts {
			fmt.Fprintf(w, "  %s: %s %s\n", p.Name, p.Severity, p.Condition)
		}
	}
	if text, _ := r.Values["display_text"].(string); text != "" {
		fmt.Fprintln(w, "display:")
		for l := range strings.SplitSeq(text, "\n") {
			fmt.Fprintln(w, strings.TrimRight("  "+l, " "))
		}
	}
	if errs, _ := r.Values["errors"].([]string); len(errs) > 0 {
		fmt.Fprintln(w, "probe file problems:")
		for _, e := range errs {
			fmt.Fprintln(w, "  "+e)
		}
	}
	if !debug {
		return
	}
	if ds, _ := r.Values["datasets"].([]engine.DatasetValue); len(ds) > 0 {
		fmt.Fprintln(w, "datasets:")
		for _, d := range ds {
			fmt.Fprintf(w, "  $%s = %s (%s, %s)\n", d.Variable, strconv.FormatFloat(d.Value, 'f', -1, 64), d.Tag, d.Units)
		}
	}
	if tr, _ := r.Values["transcript"].([]string); len(tr) > 0 {
		fmt.Fprintln(w, "transcript:")
		for _, l := range tr {
			fmt.Fprintln(w, "  "+strings.TrimRight(l, "\r\n"))
		}
	}
}

// showValue prints numbers as they are and strings quoted.
func showValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}
