package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"

	"github.com/vantage-monitor/vantage/internal/traceroute"
)

// tracerouteCmd traces the route to a host like the classic traceroute:
// UDP probes by default (-U), echo requests with -I; -n prints addresses
// without reverse DNS names. It needs a raw ICMP socket (root or
// CAP_NET_RAW) to hear the routers' answers.
func tracerouteCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("traceroute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useICMP := fs.Bool("I", false, "probe with ICMP echo requests")
	useUDP := fs.Bool("U", false, "probe with UDP datagrams to ports 33434 and up (the default)")
	numeric := fs.Bool("n", false, "print hop addresses only, without reverse DNS names")
	maxHops := fs.Int("m", traceroute.DefaultMaxHops, "largest TTL (hop count) tried")
	queries := fs.Int("q", traceroute.DefaultQueries, "probes per hop")
	wait := fs.String("w", "3", "time to wait for each probe's answer: seconds (as traceroute) or a duration")
	port := fs.Int("p", traceroute.DefaultPort, "first UDP destination port")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vantage traceroute [-I|-U] [-n] [-m MAXTTL] [-q N] [-w TIMEOUT] HOST")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitCode(2)
	}
	if *maxHops < 1 || *maxHops > traceroute.MaxHops || *queries < 1 || *queries > traceroute.MaxQueries {
		return fmt.Errorf("-m must be 1 to %d and -q 1 to %d", traceroute.MaxHops, traceroute.MaxQueries)
	}
	if *useICMP && *useUDP {
		return errors.New("-I and -U exclude each other")
	}
	timeout, err := secondsOrDuration(*wait)
	if err != nil {
		return fmt.Errorf("-w: %w", err)
	}
	opt := traceroute.Options{Mode: traceroute.ModeUDP, MaxHops: *maxHops, Queries: *queries, Timeout: timeout, Port: *port}
	if *useICMP {
		opt.Mode = traceroute.ModeICMP
	}
	if !*numeric {
		opt.Resolver = net.DefaultResolver
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	host := fs.Arg(0)
	dst, err := resolve(ctx, host)
	if err != nil {
		return fmt.Errorf("%s: %w", host, err)
	}
	fmt.Fprintln(stdout, traceroute.FormatHeader(host, dst, opt.MaxHops))
	return traceroute.Run(ctx, dst, opt, func(h traceroute.Hop) {
		fmt.Fprintln(stdout, traceroute.FormatHop(h))
	})
}
