// Package cmdline runs InterMapper command-line probes: the program named
// by <command-line> with the probe's parameters substituted, its exit code
// mapped to a status by <command-exit>, and its output read for a reason and
// variables (InterMapper's "\{ $a := 1 } reason" block, or Nagios plugin
// output with performance data when the probe has the NAGIOS3 flag).
//
// No shell is ever involved: the command is split into arguments first and
// parameters are substituted into single arguments, so a parameter value
// cannot add arguments or run anything.
package cmdline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// MaxOutput is how much of a command's output is read, as InterMapper's
// 64 KB limit on what a probe returns.
const MaxOutput = 64 << 10

// Spec is a probe's <command-line> and <command-exit> sections.
type Spec struct {
	// ProbeID names the probe; its tools live in Tools/<ProbeID>/.
	ProbeID string
	Path    string // search folders, ":"-separated; empty means the tools folders
	Cmd     string // program and maybe arguments
	Arg     string // more arguments
	Input   string // written to the program's standard input
	Timeout string // seconds, after substitution; empty means the caller's
	Exit    []ExitRule
	// Nagios reads Nagios plugin output (the NAGIOS3 flag).
	Nagios bool
}

// ExitRule maps one exit code to a status ("down: ${EXIT_CODE}=3").
type ExitRule struct {
	Level status.Level
	Code  int
}

// Env is what macros expand to.
type Env struct {
	Address    string
	Port       int
	DeviceName string
	// Params are the probe's parameters by name as the file writes them
	// (a password parameter's name may keep its trailing "*").
	Params map[string]string
	// Persistent are variables returned by earlier runs; an unset one is
	// passed as its own name ("$count") so a script can tell a first run.
	Persistent map[string]string
}

// Result is one run's outcome.
type Result struct {
	Level    status.Level
	Reason   string
	ExitCode int
	// Vars are the variables the program returned (and, for Nagios
	// plugins, the performance data by label).
	Vars   map[string]string
	Stdout string
	// Perf is the Nagios performance data.
	Perf []Perf
}

// Runner runs command-line probes.
type Runner struct {
	// ToolsDir is DIR/tools: programs and <tool:…> scripts live there.
	ToolsDir string
	// Python is what ${PYTHON} expands to (default "python3").
	Python string
}

// Run executes the probe once. It never returns an error: a program that
// cannot start or hangs is a status with a reason.
func (rn Runner) Run(ctx context.Context, s Spec, env Env, timeout time.Duration) Result {
	argv, err := rn.argv(s, env)
	if err != nil {
		return Result{Level: status.Critical, Reason: err.Error()}
	}
	if t := strings.TrimSpace(rn.expand(s.Timeout, env)); t != "" {
		if secs, err := strconv.ParseFloat(t, 64); err == nil && secs > 0 {
			timeout = time.Duration(secs * float64(time.Second))
		}
	}
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	exe, err := rn.lookup(argv[0], s)
	if err != nil {
		return Result{Level: status.Critical, Reason: err.Error()}
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, exe, argv[1:]...)
	cmd.Dir = filepath.Dir(exe)
	// Its own process group, so a timeout kills the plugin's children too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"}
	if in := rn.expand(s.Input, env); in != "" {
		cmd.Stdin = strings.NewReader(in)
	}
	var out bytes.Buffer
	cmd.Stdout = &limitWriter{w: &out, n: MaxOutput}
	cmd.Stderr = io.Discard
	err = cmd.Run()
	if cctx.Err() == context.DeadlineExceeded {
		return Result{Level: status.Down, Reason: fmt.Sprintf("%s did not finish within %s (killed)", filepath.Base(exe), timeout), ExitCode: -1}
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		return Result{Level: status.Critical, Reason: fmt.Sprintf("cannot run %s: %v", filepath.Base(exe), err)}
	}
	r := Result{ExitCode: code, Stdout: out.String(), Level: status.Unknown}
	if s.Nagios {
		text, perf := ParseNagios(r.Stdout)
		r.Reason, r.Perf = text, perf
		r.Vars = map[string]string{}
		for _, p := range perf {
			r.Vars[p.Label] = p.Value
		}
	} else {
		r.Vars, r.Reason = ParseOutput(r.Stdout)
		if v, ok := r.Vars["reason"]; ok && r.Reason == "" {
			r.Reason = v
		}
	}
	matched := false
	for _, rule := range s.Exit {
		if rule.Code == code {
			r.Level, matched = rule.Level, true
			break
		}
	}
	if !matched && r.Reason == "" {
		r.Reason = fmt.Sprintf("exit code %d is not mapped in <command-exit>", code)
	}
	return r
}

// lookup finds the program in the probe's path folders, else in the tools
// folders. The PATH variable is not searched, as in InterMapper: only
// programs an administrator placed are run.
func (rn Runner) lookup(name string, s Spec) (string, error) {
	if filepath.IsAbs(name) {
		return checkExec(name)
	}
	if strings.Contains(name, "/") {
		return "", fmt.Errorf("program %q: give a plain name or an absolute path", name)
	}
	var dirs []string
	for _, d := range strings.Split(s.Path, ":") {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 && rn.ToolsDir != "" {
		dirs = []string{filepath.Join(rn.ToolsDir, s.ProbeID), rn.ToolsDir}
	}
	for _, d := range dirs {
		if p, err := checkExec(filepath.Join(d, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("program %q not found in %s", name, strings.Join(dirs, ", "))
}

func checkExec(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not executable", p)
	}
	return p, nil
}

type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	k := min(len(p), l.n)
	l.n -= k
	l.w.Write(p[:k])
	return len(p), nil
}
