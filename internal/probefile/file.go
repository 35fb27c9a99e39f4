// Package probefile reads InterMapper probe files: the text format in which
// custom SNMP, SNMP-trap, TCP-script and command-line probes are written
// (and in which Vantage's own built-in probes are shipped), and keeps the
// catalogue of probes a server knows.
//
// Parse checks a file's structure — sections, required header keys, known
// types and levels, well-formed lines — and returns it typed. It evaluates
// nothing: expressions, TCP scripts and IMML text are kept as source text
// with their line numbers for the packages that run them (expr, tcpscript,
// cmdline, imml). Catalogue loads the embedded built-in probes and the
// settings folder's probes/, picks the newest version of each identifier
// and reloads on change.
package probefile

import (
	"slices"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// File is one parsed probe file.
type File struct {
	// Path names the file in messages, as given to Parse.
	Path   string
	Header Header
	// Description is the <description> IMML text as written.
	Description string
	// Parameters are the user-settable parameters, in file order.
	Parameters []Parameter
	// Datasets are the variables recorded for charts, from <datasets> or
	// the older <autorecord>.
	Datasets []Dataset
	// Properties are the <snmp-device-properties> by lower-case name, with
	// quotes removed from single-string values (nomib2="true" → "true");
	// expressions (interface_visible = …) are kept as written.
	Properties map[string]string
	// PropertyLines gives the line of each property.
	PropertyLines map[string]int
	// Variables are the <snmp-device-variables> in file order, then the
	// <snmp-device-variables-ondemand> ones (OnDemand set).
	Variables []Variable
	// Thresholds are the <snmp-device-thresholds> rules in file order
	// (the first true one wins).
	Thresholds []Threshold
	// AlarmPoints are the <snmp-device-alarmpoints> rules in file order.
	AlarmPoints []AlarmPoint
	// Display is the <snmp-device-display> IMML text as written.
	Display string
	// Notifiers is the <snmp-device-notifiers> text as written, and
	// NotifierLists its parsed lines.
	Notifiers     string
	NotifierLists []NotifierList
	// Script is the tcp-script <script> text as written; its first line is
	// file line ScriptLine. ScriptOutput (<script-output>, IMML) likewise.
	Script           string
	ScriptLine       int
	ScriptOutput     string
	ScriptOutputLine int
	// CommandLine is the <command-line> section of cmd-line probes.
	CommandLine CommandLine
	// CommandExit maps exit codes to statuses, in file order.
	CommandExit []ExitRule
	// CommandDisplay is the <command-display> IMML text as written.
	CommandDisplay string
	// Tools are the <tool:NAME> scripts by NAME.
	Tools map[string]Tool
	// Sections holds every section as written, by lower-case tag name
	// ("header", "tool:check.py", unknown ones too).
	Sections map[string]Section
	// Warnings are problems that do not stop the probe from working
	// (InterMapper accepts them), sorted by line.
	Warnings []*FileError

	// Builtin and ModTime are set by the Catalogue: whether the file is
	// one of the embedded built-in probes, and its modification time.
	Builtin bool
	ModTime time.Time
}

// ID is the probe's canonical identifier, package + "." + probe_name, e.g.
// "com.dartware.tcp.http".
func (f *File) ID() string {
	if f.Header.Package == "" {
		return f.Header.ProbeName
	}
	return f.Header.Package + "." + f.Header.ProbeName
}

// Parameter returns the parameter whose variable name (Var) is name,
// compared case-insensitively as InterMapper does.
func (f *File) Parameter(name string) (Parameter, bool) {
	for _, p := range f.Parameters {
		if strings.EqualFold(p.Var, name) {
			return p, true
		}
	}
	return Parameter{}, false
}

// ProbeType is a header "type", canonical spelling.
type ProbeType string

// Probe types. "builtin" reads as BuiltIn and "command-line" as CmdLine;
// the last four are InterMapper's own kinds, accepted so that its files load.
const (
	CustomSNMP ProbeType = "custom-snmp"
	SNMPTrap   ProbeType = "custom-snmp-trap"
	TCPScript  ProbeType = "tcp-script"
	CmdLine    ProbeType = "cmd-line"
	BuiltIn    ProbeType = "built-in"
	ProbeGroup ProbeType = "probe-group"
	Collection ProbeType = "collection"
	NTServices ProbeType = "nt-services"
	BigBrother ProbeType = "big-brother"
)

// Header is the <header> section.
type Header struct {
	Type      ProbeType
	Package   string
	ProbeName string
	// HumanName is the name shown in probe lists (probe_name if missing).
	HumanName string
	// Version is "#.#" as written; see CompareVersions.
	Version string
	// AddressType lists "IP", "AT"… upper-cased.
	AddressType []string
	// PortNumber is the default port (0 if not set).
	PortNumber int
	// DisplayName is the menu path as written, e.g.
	// "Servers-Standard/HTTP & HTTPS/HTTP"; see DisplayPath.
	DisplayName string
	URLHint     string
	// PollInterval is the default poll interval in seconds (0: the map's).
	PollInterval int
	// Flags lists the flags upper-cased (NAGIOS3, NOLINKS, SNMPV2C…).
	Flags      []string
	EquivClass string
	VisibleIn  string
	ReferTo    string
	// Raw holds every key as written in the file, by lower-case key.
	Raw map[string]string
	// Line is the line of the <header> tag.
	Line int
}

// HasFlag reports whether the header sets flag (case-insensitive).
func (h Header) HasFlag(flag string) bool {
	return slices.ContainsFunc(h.Flags, func(f string) bool { return strings.EqualFold(f, flag) })
}

// DisplayPath splits DisplayName into its categories and the probe's menu
// name, unescaping "\/" (a slash inside a name): "Basic/Ping\/Echo" →
// ["Basic", "Ping/Echo"]. It is [HumanName] when DisplayName is empty.
func (h Header) DisplayPath() []string {
	if h.DisplayName == "" {
		return []string{h.HumanName}
	}
	var out []string
	var cur strings.Builder
	for i := 0; i < len(h.DisplayName); i++ {
		c := h.DisplayName[i]
		switch {
		case c == '\\' && i+1 < len(h.DisplayName) && h.DisplayName[i+1] == '/':
			cur.WriteByte('/')
			i++
		case c == '/':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// ParamKind is how a parameter is edited.
type ParamKind int

// Parameter kinds, encoded in the parameter's name.
const (
	ParamText     ParamKind = iota // "Name"
	ParamPassword                  // "Name*": masked
	ParamDropdown                  // "Name[a,b,c]": one of Choices
	ParamCheckbox                  // "Name[true,false]"
)

// String returns "text", "password", "dropdown" or "checkbox".
func (k ParamKind) String() string {
	switch k {
	case ParamPassword:
		return "password"
	case ParamDropdown:
		return "dropdown"
	case ParamCheckbox:
		return "checkbox"
	}
	return "text"
}

// MarshalText makes kinds appear by name in JSON.
func (k ParamKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Parameter is one line of <parameters>.
type Parameter struct {
	// Name is the name shown to the user: without the password "*" or the
	// dropdown's "[choices]".
	Name string
	// Var is the name as written, which is also the variable's name:
	// ${Password*}, ${Test[Equal,NotEqual]}.
	Var     string
	Default string
	Kind    ParamKind
	// Choices are a dropdown's or checkbox's values.
	Choices []string
	Line    int
}

// Dataset is one line of <datasets> (or of the deprecated <autorecord>).
type Dataset struct {
	// Variable is the recorded variable's name, without "$" or braces.
	Variable string
	// Tag is the dataset class ("cpupercent"); Units its unit ("percent").
	Tag, Units string
	// Record: record into the database by default.
	Record bool
	Legend string
	// Autorecord marks a line of the old <autorecord> section.
	Autorecord bool
	Line       int
}

// Variable is one line of <snmp-device-variables> or
// <snmp-device-variables-ondemand>: "name, OID, TYPE, "legend"".
type Variable struct {
	// Name as written; on-demand columns are "table/column".
	Name string
	// Table and Column split an on-demand column's name; a TABLE line has
	// Table == Name and no Column.
	Table, Column string
	// OID is the OID field as written (numeric, MIB name, "$param",
	// "trapOID?:oid", "$VarbindValue1"…); empty for CALCULATION.
	OID string
	// Index is set for index-derived on-demand columns, "oid[a:b]".
	Index *IndexRange
	// Type is the canonical upper-case type (DEFAULT when the file's is
	// unknown, with a warning); TypeRaw is as written.
	Type    string
	TypeRaw string
	// Expr is a CALCULATION's expression source.
	Expr string
	// Legend is the chart legend (an on-demand column's heading, a table's
	// title); it may hold $variables.
	Legend   string
	OnDemand bool
	Line     int
}

// IndexRange is "oid[start:count]": the index sub-ids of a walk of OID,
// Count of them from Start (Count < 0: to the end).
type IndexRange struct {
	OID          string
	Start, Count int
}

// Threshold is one line of <snmp-device-thresholds>:
// `level: expression "reason"`.
type Threshold struct {
	// Level is the status the rule sets: Down, Critical, Alarm, Warning
	// or OK ("okay").
	Level status.Level
	// Expr is the expression source text.
	Expr string
	// Reason is the condition string (with $variables and macros), empty
	// when the line has none.
	Reason string
	Line   int
}

// AlarmPoint is one line of <snmp-device-alarmpoints>:
// `name: severity (expression) "reason" => notifier, …`.
type AlarmPoint struct {
	Name string
	// Severity is clear, minor, major, critical, down, reset or break.
	Severity  string
	Expr      string
	Reason    string
	Notifiers []string
	Line      int
}

// NotifierList is one line of <snmp-device-notifiers>:
// `Name: "notifier:delay:repeat:count", …`.
type NotifierList struct {
	Name  string
	Rules []NotifierRule
	Line  int
}

// NotifierRule sends to Notifier after Delay minutes, then every Repeat
// minutes Count more times (Count < 0: without end).
type NotifierRule struct {
	Notifier             string
	Delay, Repeat, Count int
}

// CommandLine is the <command-line> section: key = value lines.
type CommandLine struct {
	// Path lists folders to search (empty: the tools folders).
	Path string
	// Cmd is the program, maybe with arguments and macros.
	Cmd string
	// Args is the "arg" key: more arguments.
	Args string
	// Input is written to the program's standard input.
	Input string
	// Timeout is seconds, maybe an expression ("${Timeout (sec)}").
	Timeout string
	Line    int
}

// ExitRule is one line of <command-exit>: `level: ${EXIT_CODE} = n`.
type ExitRule struct {
	Level status.Level
	// Expr is the condition as written.
	Expr string
	// Code is n when Expr is the usual ${EXIT_CODE}=n, and -1 otherwise
	// (then Expr must be evaluated).
	Code int
	Line int
}

// Tool is a <tool:NAME> section: a script written to the probe's tools
// folder. Text is as written; its first line is file line Line.
type Tool struct {
	Name string
	Text string
	Line int
}
