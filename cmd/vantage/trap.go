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
	"strings"
	"sync"
	"syscall"

	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/trap"
)

const trapUsage = `usage: vantage trap listen [--listen ADDR[,ADDR...]] [--verbose] [-m] [-M DIR] [--count N]
                         [-u USER [-l LEVEL] [-a AUTH -A KEY] [-x PRIV -X KEY] [-e SENDER-ENGINE-ID]] [--engine-id HEX]

Prints every trap and inform arriving (informs are acknowledged) until Ctrl-C,
one line each: time, version, sender, and the event-log form of the trap.
`

// trapCmd runs `vantage trap listen`, the troubleshooting receiver.
func trapCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "listen" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, trapUsage)
			return nil
		}
		fmt.Fprint(stderr, trapUsage)
		return exitCode(2)
	}
	fs := flag.NewFlagSet("trap listen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, trapUsage); fs.PrintDefaults() }
	listen := fs.String("listen", ":162", "UDP addresses to receive on, comma-separated")
	verbose := fs.Bool("verbose", false, "verbose form: each varbind with its OID")
	numeric := fs.Bool("m", false, "numeric OIDs, without MIB names")
	mibDir := fs.String("M", "", "extra MIB folder, e.g. DATA/mibs")
	count := fs.Int("count", 0, "exit after this many traps (0: run until Ctrl-C)")
	usm := addUSMFlags(fs, "SNMPv3 user allowed to send traps and informs")
	senderEngine := fs.String("e", "", "accept the user's traps only from this sender engine ID (hex)")
	engineID := fs.String("engine-id", "", "this receiver's engine ID for v3 informs (hex; default: derived from the host name)")
	usage := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "vantage trap listen: %s\n", fmt.Sprintf(format, a...))
		fmt.Fprint(stderr, trapUsage)
		return exitCode(2)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitCode(2)
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	if *count < 0 {
		return usage("--count: %d is negative", *count)
	}
	cfg := trap.DefaultConfig()
	cfg.Listen = strings.Split(*listen, ",")
	cfg.Verbose, cfg.EngineID = *verbose, *engineID
	if *usm.user != "" {
		u := trap.V3User{User: *usm.user}
		var err error
		if u.Auth, u.AuthKey, u.Priv, u.PrivKey, err = usm.security(); err != nil {
			return usage("%v", err)
		}
		if *senderEngine != "" {
			u.EngineIDs = []string{*senderEngine}
		}
		cfg.Users = []trap.V3User{u}
	}
	if err := cfg.Validate(); err != nil {
		return usage("%s", strings.NewReplacer("traps.listen", "--listen", "traps.engine_id", "--engine-id",
			"traps.users[0]: ", "").Replace(err.Error()))
	}

	var names trap.Namer
	if !*numeric {
		if n := snmpNamer(); n != nil {
			names = n
			if nm, ok := n.(*mib.Names); ok && *mibDir != "" {
				more, errs := nm.WithDir(*mibDir)
				for _, e := range errs {
					fmt.Fprintf(stderr, "vantage trap listen: MIB not loaded: %v\n", e)
				}
				names = more
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	seen := 0
	s, err := trap.New(cfg, trap.Deps{
		Names:  names,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Observe: func(r trap.Record) {
			mu.Lock()
			defer mu.Unlock()
			if *count > 0 && seen >= *count {
				return
			}
			fmt.Fprintln(stdout, trapLine(r))
			if seen++; *count > 0 && seen >= *count {
				cancel()
			}
		},
	})
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		var be *trap.BindError
		switch {
		case errors.As(err, &be) && be.Privileged():
			return fmt.Errorf("traps on %s need root or CAP_NET_BIND_SERVICE; use --listen :1162", be.Addr)
		case errors.As(err, &be) && errors.Is(err, syscall.EADDRINUSE):
			return fmt.Errorf("traps on %s: the port is in use (is vantage serve or snmptrapd receiving there?)", be.Addr)
		}
		return err
	}
	for _, a := range s.Addrs() {
		fmt.Fprintf(stderr, "listening for traps on %s (SNMPv3 engine ID %s); Ctrl-C to stop\n", a, s.EngineID())
	}
	<-ctx.Done()
	s.Stop()
	st := s.Stats()
	var rejected uint64
	for _, n := range st.Errors {
		rejected += n
	}
	fmt.Fprintf(stderr, "%d traps, %d informs acknowledged, %d datagrams rejected, %d dropped\n",
		st.Traps["1"]+st.Traps["2c"]+st.Traps["3"], st.InformsAcked, rejected, st.Dropped)
	return nil
}

// trapLine is one printed trap:
//
//	2026-11-21 23:47:16.123 v2c 192.0.2.1:49152: linkDown, ifIndex = 3
//	2026-11-21 23:47:16.123 v1 127.0.0.1:50000 agent 192.0.2.7: coldStart (via 127.0.0.1)
//	2026-11-21 23:47:16.123 v3 inform user=ops 192.0.2.1:161: IF-MIB::linkUp { "3" }
func trapLine(r trap.Record) string {
	var b strings.Builder
	b.WriteString(r.Received.Local().Format("2006-01-02 15:04:05.000"))
	b.WriteString(" v")
	b.WriteString(r.Version)
	if r.Inform {
		b.WriteString(" inform")
	}
	if r.User != "" {
		b.WriteString(" user=")
		b.WriteString(r.User)
	}
	b.WriteByte(' ')
	b.WriteString(r.Sender)
	if r.AgentAddress != "" {
		b.WriteString(" agent ")
		b.WriteString(r.AgentAddress)
	}
	b.WriteString(": ")
	b.WriteString(r.Message)
	return b.String()
}
