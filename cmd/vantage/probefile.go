package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile"
)

const probeUsage = "usage: vantage probe check [-strict] FILE|DIR... | vantage probe run FILE HOST [param=value...]"

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
		return errors.New("run: not implemented yet")
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
