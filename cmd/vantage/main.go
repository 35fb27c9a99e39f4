// Command vantage is the Vantage network monitor: `vantage serve` runs the
// server; the other subcommands are the administrator's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/vantage-monitor/vantage/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `Vantage network monitor %s

Usage:
  vantage serve [--data DIR] [--starter-map=false] [--http ADDR] [--remote ADDR] [--traps ADDR]
                [--netflow ADDR] [--sflow ADDR] [--jflow ADDR] [--console ADDR] [--db postgres://...]
                [--flowdb clickhouse://...] [--http-plain]
  vantage ping [-c N] [-t TIMEOUT] [-s BYTES] [-style ping] HOST...   fping-style, or ping-style with min/avg/max/mdev
  vantage traceroute [-I|-U] [-n] [-m MAXTTL] [-q N] [-w SECONDS] HOST
  vantage walk [-v 1|2c|3] [-c COMMUNITY] [-u USER -l LEVEL -a AUTH -A KEY -x PRIV -X KEY -n CONTEXT] [-m] HOST[:PORT] [OID]
  vantage get  [same flags] HOST[:PORT] OID...
  vantage trap listen [--listen ADDR] [--verbose] [-m] [-u USER -l LEVEL -a AUTH -A KEY -x PRIV -X KEY] [--count N]
  vantage probe check [-strict] FILE...       validate probe files
  vantage probe run FILE HOST[:PORT] [param=value...]   poll once with a probe file
  vantage map export [--data DIR] NAME      print a map file
  vantage map import [--data DIR] FILE...   add or replace maps from files
  vantage report --map M [--device D] [--from 7d] [--to T] [--format html|csv|json] [-o FILE]
                 [--url URL] [--user U] [--password-file F]   fetch a report from a running server
  vantage flows top [--by host|client|server|conversation|protocol|application|exporter|interface]
                    [--metric bytes|packets|sessions] [--since 1h] [-n 10] [--inside] [filters] [--url URL]
  vantage flows exporters [--url URL]
  vantage discover [-c COMMUNITY]... [-u USER -a AUTH -A KEY -x PRIV -X KEY] [-p PORTS] [--silent]
                   [--data DIR [--map NAME] | --url URL --map NAME] CIDR...   scan subnets
  vantage ctl [--url URL] [--user U] [--password-file F] COMMAND [ARGS]
                   admin console commands: help, maps, devices [MAP], status DEVICE, flows, ext, poll DEVICE
  vantage sync --from https://primary:8080 [--token-file F | --user U --password-file F]
               [--fingerprint SHA256:…|--insecure] [--data DIR] [--interval 5m]   copy the primary's maps, probes, MIBs and settings
  vantage version

Run 'vantage COMMAND -h' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, usage, version)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "vantage %s\n", version)
	case "ping":
		err = pingCmd(args[1:], stdout, stderr)
	case "traceroute":
		err = tracerouteCmd(args[1:], stdout, stderr)
	case "flows":
		err = flowsCmd(args[1:], stdout, stderr)
	case "discover":
		err = discoverCmd(args[1:], stdout, stderr)
	case "ctl":
		err = ctlCmd(args[1:], stdout, stderr)
	case "sync":
		err = syncCmd(args[1:], stdout, stderr)
	case "map":
		err = mapCmd(args[1:], stdout, stderr)
	case "trap":
		err = trapCmd(args[1:], stdout, stderr)
	case "probe":
		err = probeCmd(args[1:], stdout, stderr)
	case "walk":
		err = walkCmd(args[1:], stdout, stderr)
	case "get":
		err = getCmd(args[1:], stdout, stderr)
	case "report":
		err = reportCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintf(stdout, usage, version)
	default:
		fmt.Fprintf(stderr, "vantage: unknown command %q\n\n"+usage, args[0], version)
		return 2
	}
	var exit exitCode
	switch {
	case errors.As(err, &exit):
		return int(exit)
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "vantage %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// exitCode lets a command choose its exit status without printing more.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./vantage-data", "settings folder")
	names := []struct{ name, def, help string }{
		{"http", ":8080", "web UI and HTTP API"},
		{"remote", ":8181", "remote-access protocol"},
		{"traps", ":162", "SNMP trap receiver (several: comma-separated)"},
		{"netflow", ":2055", "NetFlow/IPFIX collector"},
		{"sflow", ":6343", "sFlow collector"},
		{"jflow", ":9996", "J-Flow/NetFlow collector"},
		{"console", "off", "admin console"},
	}
	vals := map[string]*string{}
	for _, n := range names {
		vals[n.name] = fs.String(n.name, n.def, n.help+` address, or "off"`)
	}
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	flowdb := fs.String("flowdb", "", "ClickHouse for flow sessions (clickhouse://user:pass@host:8123/db); overrides config.yaml flows.database")
	db := fs.String("db", "", "central PostgreSQL database for chart data (postgres://user:pass@host/db?sslmode=require); overrides config.yaml database.url")
	plain := fs.Bool("http-plain", false, "serve the web UI and API over plain HTTP instead of HTTPS (config.yaml listeners.http_plain)")
	starter := fs.Bool("starter-map", true, "on a new settings folder, draw this server, its gateway, DNS servers and subnets")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	set := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if v, ok := vals[f.Name]; ok {
			set[f.Name] = *v
		}
	})
	if *plain {
		set["http-plain"] = "true"
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default:
			}
		}
	}()
	return server.Run(ctx, server.Options{
		DataDir: *data, Listeners: set, AdminPassword: os.Getenv("VANTAGE_ADMIN_PASSWORD"),
		Version: version, Out: stdout, Logger: logger, Reload: reload, StarterMap: *starter,
		CentralDB: *db, FlowDB: *flowdb,
	})
}
