package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/vantage-monitor/vantage/internal/mib"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// oidNamer names OIDs for display ("IF-MIB::ifDescr.1"); "" or the OID
// itself means unknown. internal/mib's *mib.Names fits.
type oidNamer interface{ Name(oid string) string }

// oidResolver turns a name ("IF-MIB::ifDescr", "sysName.0") into a numeric
// OID; a namer may offer it too, as *mib.Names does.
type oidResolver interface {
	Lookup(name string) (oid string, ok bool)
}

// snmpNamer names OIDs from the built-in MIB table; nil prints numeric OIDs.
func snmpNamer() oidNamer {
	n, err := mib.Builtin()
	if err != nil {
		return nil
	}
	return n
}

// walkCmd prints every variable below an OID (default mib-2) like
// snmpwalk: "OID = TYPE: value".
func walkCmd(args []string, stdout, stderr io.Writer) error {
	return snmpCmd("walk", args, stdout, stderr, snmpNamer())
}

// getCmd prints the given variables like snmpget.
func getCmd(args []string, stdout, stderr io.Writer) error {
	return snmpCmd("get", args, stdout, stderr, snmpNamer())
}

const snmpUsage = `usage: vantage %[1]s [-v 1|2c|3] [-c COMMUNITY] [-u USER] [-l noAuthNoPriv|authNoPriv|authPriv]
                    [-a MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512] [-A KEY] [-x DES|AES|AES-192|AES-256] [-X KEY]
                    [-n CONTEXT] [-t TIMEOUT] [-r RETRIES] [-m] HOST[:PORT] %[2]s
`

func snmpCmd(name string, args []string, stdout, stderr io.Writer, namer oidNamer) error {
	operand := "[OID]"
	if name == "get" {
		operand = "OID..."
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, snmpUsage, name, operand); fs.PrintDefaults() }
	version := fs.String("v", "2c", "SNMP version: 1, 2c or 3")
	community := fs.String("c", "public", "community (v1, v2c)")
	usm := addUSMFlags(fs, "v3 user name")
	ctxName := fs.String("n", "", "v3 context name")
	timeout := fs.String("t", "1", "timeout per try: seconds, or a duration like 500ms")
	retries := fs.Int("r", 5, "retries")
	mibDir := fs.String("M", "", "extra MIB folder, e.g. DATA/mibs (the built-in standard modules are always loaded)")
	numeric := fs.Bool("m", false, "print numeric OIDs, without MIB names")
	fs.BoolVar(numeric, "On", false, "same as -m, as net-snmp spells it")
	usage := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "vantage %s: %s\n", name, fmt.Sprintf(format, a...))
		fmt.Fprintf(stderr, snmpUsage, name, operand)
		return exitCode(2)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitCode(2)
	}
	if fs.NArg() < 1 || (name == "get" && fs.NArg() < 2) || (name == "walk" && fs.NArg() > 2) {
		return usage("want HOST[:PORT] %s", operand)
	}
	if names, ok := namer.(*mib.Names); ok && *mibDir != "" {
		more, errs := names.WithDir(*mibDir)
		for _, e := range errs {
			fmt.Fprintf(stderr, "vantage %s: MIB not loaded: %v\n", name, e)
		}
		namer = more
	}
	hostArg := fs.Arg(0)
	host, port, err := splitHostPort(hostArg)
	if err != nil {
		return usage("%v", err)
	}
	to, err := secondsOrDuration(*timeout)
	if err != nil {
		return usage("-t: %v", err)
	}
	if *retries < 0 || *retries > 10 {
		return usage("-r: %d is not 0 to 10", *retries)
	}
	creds := snmp.Credentials{Version: *version, Community: *community, Port: port}
	if *version == "3" {
		creds = snmp.Credentials{Version: "3", Port: port, User: *usm.user, Context: *ctxName}
		var err error
		if creds.Auth, creds.AuthKey, creds.Priv, creds.PrivKey, err = usm.security(); err != nil {
			return usage("%v", err)
		}
	}
	if err := creds.Validate(); err != nil {
		return usage("%v", err)
	}
	var oids []string
	for _, a := range fs.Args()[1:] {
		o, err := resolveOID(namer, a)
		if err != nil {
			return usage("%v", err)
		}
		oids = append(oids, o)
	}

	cfg := snmp.DefaultConfig()
	cfg.Timeout, cfg.Retries, cfg.MaxSessions = to, *retries, 1
	client, err := snmp.New(cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), nil)
	if err != nil {
		return err
	}
	defer client.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	p := printer{w: out, namer: namer, numeric: *numeric}
	t := snmp.Target{Address: host, Creds: creds}

	if name == "get" {
		vals, err := client.Get(ctx, t, oids...)
		if err == nil {
			for _, v := range vals {
				p.print(v)
			}
		}
		return snmpExit(err, hostArg, out, stderr)
	}
	root := "1.3.6.1.2.1"
	if len(oids) == 1 {
		root = oids[0]
	}
	n := 0
	err = client.Walk(ctx, t, root, func(v snmp.Value) error { n++; p.print(v); return nil })
	if err == nil && n == 0 { // like snmpwalk: a leaf, or nothing there
		var vals []snmp.Value
		if vals, err = client.Get(ctx, t, root); err == nil {
			p.print(vals[0])
		}
	}
	return snmpExit(err, hostArg, out, stderr)
}

// snmpExit prints a timeout as net-snmp does and chooses the exit status.
func snmpExit(err error, host string, out *bufio.Writer, stderr io.Writer) error {
	out.Flush()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, snmp.ErrTimeout):
		fmt.Fprintf(stderr, "Timeout: No Response from %s.\n", host)
		return exitCode(1)
	}
	return err
}

// splitHostPort accepts HOST, HOST:PORT, [IPv6]:PORT, a bare IPv6 address,
// and net-snmp's "udp:" prefix.
func splitHostPort(s string) (string, int, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "udp:"), "udp6:")
	host, portStr := s, ""
	switch {
	case strings.HasPrefix(s, "[") && strings.Contains(s, "]:"):
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "", 0, err
		}
		host, portStr = h, p
	case strings.Count(s, ":") == 1:
		host, portStr, _ = strings.Cut(s, ":")
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return "", 0, fmt.Errorf("no host in %q", s)
	}
	port := 161
	if portStr != "" {
		p, err := strconv.Atoi(portStr)
		if err != nil || p < 1 || p > 65535 {
			return "", 0, fmt.Errorf("bad port in %q", s)
		}
		port = p
	}
	return host, port, nil
}

func secondsOrDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f <= 0 || f > 3600 {
			return 0, fmt.Errorf("%q: want 0 to 3600 seconds", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not seconds nor a duration", s)
	}
	return d, nil
}

func resolveOID(namer oidNamer, s string) (string, error) {
	o, err := snmp.NormalizeOID(s)
	if err == nil {
		return o, nil
	}
	if r, ok := namer.(oidResolver); ok {
		if o, ok := r.Lookup(s); ok {
			return snmp.NormalizeOID(o)
		}
	}
	return "", fmt.Errorf("%w (MIB names are not known here: use numeric OIDs)", err)
}

// printer writes net-snmp's "OID = TYPE: value" lines.
type printer struct {
	w       io.Writer
	namer   oidNamer
	numeric bool
}

func (p printer) print(v snmp.Value) {
	fmt.Fprintf(p.w, "%s = %s\n", p.name(v.OID), p.value(v))
}

// name is ".1.3.6…" with -m or without a namer, the MIB name otherwise.
func (p printer) name(oid string) string {
	if !p.numeric && p.namer != nil {
		if n := p.namer.Name(oid); n != "" && n != oid {
			return n
		}
	}
	return "." + oid
}

func (p printer) value(v snmp.Value) string {
	switch v.Type {
	case snmp.Integer:
		return fmt.Sprintf("INTEGER: %d", v.Int)
	case snmp.OctetString:
		if len(v.Bytes) == 0 {
			return `""`
		}
		if s, ok := snmp.Printable(v.Bytes); ok {
			return `STRING: "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		return "Hex-STRING: " + hexUpper(v.Bytes)
	case snmp.ObjectIdentifier:
		return "OID: " + p.name(v.Text)
	case snmp.IPAddress, snmp.Counter32, snmp.Gauge32, snmp.Counter64:
		return v.Type.String() + ": " + v.AsString()
	case snmp.TimeTicks:
		return fmt.Sprintf("Timeticks: (%d) %s", v.Uint, ticks(v.Uint))
	case snmp.Opaque:
		if f, ok := v.AsFloat(); ok {
			kind := "Double"
			if len(v.Bytes) > 1 && v.Bytes[1] == 0x78 {
				kind = "Float"
			}
			return fmt.Sprintf("Opaque: %s: %f", kind, f)
		}
		return "OPAQUE: " + hexUpper(v.Bytes)
	case snmp.Null, snmp.NoSuchObject, snmp.NoSuchInstance, snmp.EndOfMibView, snmp.TypeUnknown:
		return v.Type.String()
	}
	return v.Type.String()
}

// hexUpper is net-snmp's Hex-STRING: "00 1A 2B " (with its trailing space).
func hexUpper(b []byte) string {
	return strings.ToUpper(snmp.HexString(b)) + " "
}

// ticks formats hundredths of seconds as net-snmp does: "46 days, 1:31:55.13".
func ticks(t uint64) string {
	cs := t % 100
	s := t / 100
	days, h, m, sec := s/86400, s/3600%24, s/60%60, s%60
	clock := fmt.Sprintf("%d:%02d:%02d.%02d", h, m, sec, cs)
	switch days {
	case 0:
		return clock
	case 1:
		return "1 day, " + clock
	}
	return strconv.FormatUint(days, 10) + " days, " + clock
}
