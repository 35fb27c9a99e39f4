// Package engine turns a parsed probe file (internal/probefile) into a
// working probe.Probe, so that InterMapper probe files poll devices:
//
//   - custom-snmp: each poll reads the <snmp-device-variables> (parameters
//     substituted into OIDs, MIB names resolved, trailing "+" read with
//     Get-Next), converts them by type (DEFAULT, INTEGER, PER-SECOND,
//     STRING …), computes the CALCULATIONs in file order with variables that
//     persist between polls, applies the thresholds (first true rule wins),
//     the alarm points, and renders <snmp-device-display>. A silent agent
//     falls back to ICMP unless the NOICMPFALLBACK flag is set.
//   - custom-snmp-trap: never polls; its TRAPVARIABLEs are set by HandleTrap
//     (see TrapHandler) and Poll reports the state the last trap left.
//   - tcp-script: runs the <script> against the device and renders
//     <script-output>.
//   - cmd-line: runs the <command-line> program through cmdline.Runner and
//     renders <command-display>, with Nagios plugin output when the probe
//     has the NAGIOS3 flag.
//
// Every poll's status.Result carries the readings in Values: "vars"
// (variable name → number or string), "display_html" and "display_text"
// (the rendered status-window section), "alarm_points" ([]AlarmPoint),
// "datasets" ([]DatasetValue) and "errors" (what went wrong in the probe
// file itself, for the probe builder). Probes never panic: a panic becomes
// an Unknown result naming it.
//
// Choices where the Developer Guide is silent or vague:
//   - Exact OIDs are read with Get whatever pdutype says: InterMapper's
//     default "Get-Next of the previous OID, checked" returns the same
//     variable or nothing, and Get works on every agent. "oid+" uses
//     Get-Next, and its answer must stay below the object asked for.
//   - Unless nomib2 (or the MINIMAL flag), sysUpTime.0 is read with the
//     variables; it is the variable $sysUpTime (ticks) when the file does not
//     declare one, and a restarted agent resets the rates.
//   - A CALCULATION that needs an undefined variable becomes undefined; one
//     that reads its own first value reads 0 ("count, $count + 4").
//   - Time ticks read as STRING look like net-snmp's ("1 day, 2:03:04.05").
//   - On-demand tables (<snmp-device-variables-ondemand>) that the display
//     references ($Table, ${Table:link text}) are walked with each poll and
//     rendered in place of the link (see tables.go); Values["tables"] holds
//     their cells. Tables the display does not reference are never read.
//   - Trap variables keep the last trap's values until the next trap, so a
//     trap's status holds between polls of a custom-snmp-trap probe.
package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/cmdline"
	"github.com/vantage-monitor/vantage/internal/probefile/tcpscript"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// SNMPClient is the part of the SNMP client custom-snmp probes use
// (consumer-owned); *snmp.Client satisfies it.
type SNMPClient interface {
	Get(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error)
	GetNext(ctx context.Context, t snmp.Target, oids ...string) ([]snmp.Value, error)
}

// Deps are what the probes built by Info need. Only the fields their type
// uses must be set.
type Deps struct {
	// SNMP reads custom-snmp variables; nil makes those probes report
	// Unknown.
	SNMP SNMPClient
	// Pinger is the ICMP fallback when an SNMP agent is silent (may be nil).
	Pinger probe.Pinger
	// Names resolves symbolic OIDs and names enumerated values (may be nil:
	// numeric OIDs only).
	Names *mib.Names
	// Runner runs command-line probes; the caller sets its ToolsDir.
	Runner cmdline.Runner
	// Dial opens tcp-script connections; nil dials the real network.
	Dial tcpscript.Dialer
	// Now is the clock (rates, time()); nil means time.Now.
	Now func() time.Time
}

// TrapHandler is implemented by the probe instances of custom-snmp-trap
// probes and of custom-snmp probes that declare TRAPVARIABLEs. The trap
// receiver hands each trap dispatched to a device to its probe instance.
type TrapHandler interface {
	// HandleTrap sets the probe's trap variables from one trap and
	// re-evaluates its calculations, thresholds and alarm points. vars are
	// the special trap variables ("$GenericTrap", "$VarbindValue1" …; the
	// "$" is optional), varbinds the trap's variable bindings and trapOID
	// its snmpTrapOID (numeric). Rules that need a trap variable this trap
	// did not set are skipped.
	HandleTrap(vars map[string]string, varbinds []snmp.Value, trapOID string) status.Result
}

// Info describes the probe of a probe file: its identifier, human name,
// type, category (the display_name path), description and parameters, and
// a New that returns a fresh stateful instance (rates,
// persistent variables and trap state live in the instance). The probe
// file is compiled once here: a tcp-script whose <script> does not parse
// is an error, and a cmd-line probe's <tool:NAME> scripts are written into
// d.Runner.ToolsDir. Built-in and other InterMapper-internal types are not
// run by this package and give an error.
func Info(f *probefile.File, d Deps) (probe.Info, error) {
	if f == nil {
		return probe.Info{}, errors.New("no probe file")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	info := probe.Info{ID: f.ID(), Name: f.Header.HumanName, Params: params(f), Type: string(f.Header.Type),
		Category: strings.Join(f.Header.DisplayPath(), "/"), Description: f.Description}
	if info.Name == "" {
		info.Name = f.Header.ProbeName
	}
	switch f.Header.Type {
	case probefile.CustomSNMP, probefile.SNMPTrap:
		spec := compileSNMP(f)
		info.Shareable = f.Header.Type == probefile.CustomSNMP
		info.New = func() probe.Probe { return newSNMPProbe(spec, d) }
	case probefile.TCPScript:
		s, err := tcpscript.Parse(f.Script, f.ScriptLine)
		if err != nil {
			return probe.Info{}, fmt.Errorf("probe %s (%s): %w", f.ID(), f.Path, err)
		}
		output := probefile.StripComments(f.ScriptOutput)
		info.New = func() probe.Probe { return &tcpProbe{f: f, script: s, output: output, d: d} }
	case probefile.CmdLine:
		if err := writeTools(f, d.Runner.ToolsDir); err != nil {
			return probe.Info{}, err
		}
		spec := compileCmd(f)
		info.New = func() probe.Probe { return newCmdProbe(spec, d) }
	default:
		return probe.Info{}, fmt.Errorf("probe %s (%s): type %q is not run from its probe file", f.ID(), f.Path, f.Header.Type)
	}
	return info, nil
}

// params describes the file's parameters: the canonical name is the one
// shown to the user; the name as written ("Password*",
// "Test[Equal,NotEqual]") is an alias.
func params(f *probefile.File) []probe.Param {
	out := make([]probe.Param, 0, len(f.Parameters))
	for _, p := range f.Parameters {
		pp := probe.Param{Name: p.Name, Default: p.Default, Choices: p.Choices}
		if p.Kind != probefile.ParamText {
			pp.Kind = p.Kind.String()
		}
		if p.Var != p.Name {
			pp.Aliases = []string{p.Var}
		}
		switch p.Kind {
		case probefile.ParamPassword:
			pp.Help = "password (masked)"
		case probefile.ParamDropdown:
			pp.Help = "one of: " + strings.Join(p.Choices, ", ")
		case probefile.ParamCheckbox:
			pp.Help = "checkbox: " + strings.Join(p.Choices, " or ")
		}
		out = append(out, pp)
	}
	return out
}

// paramValues returns the probe's parameter values by their name as
// written (Var), taken from given by display name or Var
// (case-insensitively), else the default. Keys of given that the file does
// not declare ("port", say) are kept as they are.
func paramValues(f *probefile.File, given map[string]string) map[string]string {
	out := make(map[string]string, len(f.Parameters)+len(given))
	used := make(map[string]bool, len(given))
	for _, p := range f.Parameters {
		v, found := p.Default, false
		for _, name := range []string{p.Name, p.Var} {
			for k, gv := range given {
				if strings.EqualFold(k, name) {
					v, found = gv, true
					used[k] = true
					break
				}
			}
			if found {
				break
			}
		}
		out[p.Var] = v
	}
	for k, v := range given {
		if !used[k] {
			out[k] = v
		}
	}
	return out
}

// lookupFold finds key in m case-insensitively.
func lookupFold(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

// withTimeout bounds ctx by the target's timeout, when it has one.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// guard turns a panic in a poll into an Unknown result naming it.
func guard(now func() time.Time, res *status.Result) {
	if r := recover(); r != nil {
		*res = status.Result{Level: status.Unknown, Reason: fmt.Sprintf("probe failed: %v", r), Time: now()}
	}
}
