package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Kinds of error a caller maps to its own answers (HTTP 400/404, console
// text); errors.Is finds them, the message says what went wrong alone.
var (
	ErrUsage    = errors.New("bad command or arguments")
	ErrNotFound = errors.New("not found")
	// ErrQuit is returned by the quit command; the console ends the session.
	ErrQuit = errors.New("quit")
)

// kindError is a message of some kind.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func errorf(kind error, format string, a ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

// command is one administrator command.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, b Backend, args []string, w io.Writer) error
	// minArgs and maxArgs bound the arguments.
	minArgs, maxArgs int
}

// commands is built per call: no package-level mutable state.
func commands() []command {
	return []command{
		{"help", "", "this list", runHelp, 0, 1},
		{"maps", "", "maps with their status and device counts", runMaps, 0, 0},
		{"devices", "[MAP]", "devices with their status (all maps, or one)", runDevices, 0, 1},
		{"status", "DEVICE", "one device in detail (MAP~DEVICE, or a device name found on one map only)", runStatus, 1, 1},
		{"flows", "", "flow exporters heard from", runFlows, 0, 0},
		{"ext", "", "links to the central database and flow stores", runExt, 0, 0},
		{"poll", "DEVICE", "poll a device now and show the result", runPoll, 1, 1},
		{"quit", "", "end the console session", func(context.Context, Backend, []string, io.Writer) error { return ErrQuit }, 0, 0},
	}
}

// Names lists the commands, for completion and documentation.
func Names() []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.name)
	}
	return out
}

// Run executes one command, writing its text output to w. Command names
// are case-insensitive, as in InterMapper's telnet server.
func Run(ctx context.Context, b Backend, name string, args []string, w io.Writer) error {
	name = strings.ToLower(strings.TrimSpace(name))
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == name })
	if i < 0 {
		return errorf(ErrUsage, "unknown command %q; 'help' lists the commands", name)
	}
	c := commands()[i]
	if len(args) < c.minArgs || len(args) > c.maxArgs {
		return errorf(ErrUsage, "usage: %s", strings.TrimSpace(c.name+" "+c.args))
	}
	return c.run(ctx, b, args, w)
}

func runHelp(_ context.Context, _ Backend, _ []string, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "%s\t%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	return tw.Flush()
}

func runMaps(_ context.Context, b Backend, _ []string, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MAP\tSTATUS\tDEVICES\tDOWN")
	for _, m := range b.Maps() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", m.Name, m.Status, m.Devices, m.Down)
	}
	return tw.Flush()
}

func runDevices(_ context.Context, b Backend, args []string, w io.Writer) error {
	var maps []string
	if len(args) == 1 {
		maps = []string{args[0]}
	} else {
		for _, m := range b.Maps() {
			maps = append(maps, m.Name)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tSTATUS\tPROBE\tADDRESS\tREASON")
	for _, name := range maps {
		devs, ok := b.Devices(name)
		if !ok {
			return errorf(ErrNotFound, "no map %q", name)
		}
		for _, d := range devs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", Ref(d.Map, d.Name), statusWord(d), d.Probe, d.Address, oneLine(d.Reason))
		}
	}
	return tw.Flush()
}

func runStatus(_ context.Context, b Backend, args []string, w io.Writer) error {
	d, err := Resolve(b, args[0])
	if err != nil {
		return err
	}
	writeStatus(w, d)
	return nil
}

func runPoll(ctx context.Context, b Backend, args []string, w io.Writer) error {
	d, err := Resolve(b, args[0])
	if err != nil {
		return err
	}
	if err := b.PollNow(ctx, d.Map, d.Name); err != nil {
		return fmt.Errorf("poll %s: %w", Ref(d.Map, d.Name), err)
	}
	if d, ok := b.Status(d.Map, d.Name); ok {
		fmt.Fprintf(w, "polled %s: %s", Ref(d.Map, d.Name), statusWord(d))
		if d.Reason != "" {
			fmt.Fprintf(w, " (%s)", oneLine(d.Reason))
		}
		fmt.Fprintln(w)
	}
	return nil
}

func runFlows(_ context.Context, b Backend, _ []string, w io.Writer) error {
	es, err := b.FlowExporters()
	if errors.Is(err, ErrNoFlows) {
		fmt.Fprintln(w, ErrNoFlows.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if len(es) == 0 {
		fmt.Fprintln(w, "no flow exporters heard from yet")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPORTER\tVERSIONS\tRECORDS\tLAST SEEN")
	for _, e := range es {
		var vs []string
		for _, v := range slices.Sorted(maps.Keys(e.Versions)) {
			vs = append(vs, fmt.Sprintf("%s:%d", v, e.Versions[v]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", e.Address, strings.Join(vs, ","), e.Records, timeOrDash(e.LastSeen))
	}
	return tw.Flush()
}

func runExt(_ context.Context, b Backend, _ []string, w io.Writer) error {
	links := b.External()
	if len(links) == 0 {
		fmt.Fprintln(w, "no external links configured")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINK\tTARGET\tSTATE\tDETAIL")
	for _, l := range links {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Kind, dash(l.Target), l.State, oneLine(l.Detail))
	}
	return tw.Flush()
}

// writeStatus prints one device as "key: value" lines.
func writeStatus(w io.Writer, d Device) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "device:\t%s\n", Ref(d.Map, d.Name))
	fmt.Fprintf(tw, "address:\t%s\n", d.Address)
	fmt.Fprintf(tw, "probe:\t%s\n", d.Probe)
	fmt.Fprintf(tw, "status:\t%s\n", statusWord(d))
	fmt.Fprintf(tw, "reason:\t%s\n", oneLine(d.Reason))
	fmt.Fprintf(tw, "since:\t%s\n", timeOrDash(d.Since))
	fmt.Fprintf(tw, "last poll:\t%s\n", timeOrDash(d.LastPoll))
	fmt.Fprintf(tw, "polls:\t%d (%d failed)\n", d.Polls, d.Failures)
	tw.Flush()
}

// statusWord adds the alert flags to the status.
func statusWord(d Device) string {
	s := d.Status
	if d.Acknowledged {
		s += "+ack"
	}
	if d.Maintenance {
		s += "+maint"
	}
	return s
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a table row on one line whatever a probe wrote.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
