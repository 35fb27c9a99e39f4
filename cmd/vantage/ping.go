package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
)

// pingCmd pings hosts with the server's ICMP engine, printing like fping:
// without -c, "HOST is alive" or "HOST is unreachable"; with -c, one line
// per reply and a per-host summary on stderr. Exit status follows fping:
// 0 all hosts answered, 1 some did not, 2 a name did not resolve.
// With -style ping it pings one host like Linux ping (the seed's output,
// ending with min/avg/max/mdev): see pingStyleCmd.
func pingCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ping", flag.ContinueOnError)
	fs.SetOutput(stderr)
	count := fs.Int("c", 0, "echo requests per host; 0 prints only alive/unreachable")
	timeout := fs.String("t", "500ms", "time to wait for each reply (duration, or milliseconds as fping)")
	period := fs.String("p", "1s", "time between echoes to one host with -c (duration, or milliseconds)")
	size := fs.Int("s", 56, "ICMP data bytes (16 to 2000)")
	quiet := fs.Bool("q", false, "with -c, print only the summaries")
	mode := fs.String("mode", "auto", "socket mode: auto, raw or dgram")
	style := fs.String("style", "fping", "output: fping, or ping for Linux ping's (one host; -c 0 pings until interrupted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *style != "fping" && *style != "ping" {
		return fmt.Errorf("-style: %q is neither fping nor ping", *style)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no hosts given (usage: vantage ping [-c N] HOST...)")
	}
	to, err := msOrDuration(*timeout)
	if err != nil {
		return fmt.Errorf("-t: %w", err)
	}
	per, err := msOrDuration(*period)
	if err != nil {
		return fmt.Errorf("-p: %w", err)
	}
	if *size < icmp.MinSize || *size > icmp.MaxSize {
		return fmt.Errorf("-s: %d is outside %d..%d", *size, icmp.MinSize, icmp.MaxSize)
	}
	cfg := icmp.DefaultConfig()
	cfg.Mode = *mode
	engine, err := icmp.Open(cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer engine.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *style == "ping" {
		return pingStyleCmd(ctx, engine, fs.Args(), icmp.Session{Count: *count, Interval: per, Timeout: to, Size: *size}, *quiet, stdout, stderr)
	}

	var mu sync.Mutex // keeps output lines whole
	print := func(w io.Writer, s string) {
		mu.Lock()
		fmt.Fprintln(w, s)
		mu.Unlock()
	}
	results := make([]int, fs.NArg()) // 0 alive, 1 unreachable, 2 unresolved
	var wg sync.WaitGroup
	for i, host := range fs.Args() {
		wg.Go(func() {
			addr, err := resolve(ctx, host)
			if err != nil {
				print(stderr, fmt.Sprintf("%s: %v", host, err))
				results[i] = 2
				return
			}
			n := max(*count, 1)
			var sofar icmp.Stats
			sofar.Addr = addr
			for seq := range n {
				if seq > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(per):
					}
				}
				st, err := engine.Ping(ctx, icmp.Request{Addr: addr, Count: 1, Timeout: to, Size: *size})
				if err != nil {
					print(stderr, fmt.Sprintf("%s: %v", host, err))
					results[i] = 1
					return
				}
				sofar = merge(sofar, st)
				if *count == 0 || *quiet {
					continue
				}
				if st.Received > 0 {
					print(stdout, icmp.FormatReplyStats(host, seq, st.RTTs[0], replyBytes(addr, *size), sofar))
				} else {
					print(stdout, icmp.FormatTimeout(host, seq, sofar))
				}
			}
			if sofar.Received == 0 {
				results[i] = 1
			}
			switch {
			case *count > 0:
				print(stderr, icmp.FormatFping(sofar, host))
			case sofar.Received > 0:
				print(stdout, host+" is alive")
			default:
				print(stdout, host+" is unreachable")
			}
		})
	}
	wg.Wait()
	worst := 0
	for _, r := range results {
		worst = max(worst, r)
	}
	if worst > 0 {
		return exitCode(worst)
	}
	return nil
}

// merge adds one ping's figures to the running totals.
func merge(a, b icmp.Stats) icmp.Stats {
	a.Sent += b.Sent
	a.Received += b.Received
	a.RTTs = append(a.RTTs, b.RTTs...)
	if b.TTL != 0 {
		a.TTL = b.TTL
	}
	if len(a.RTTs) > 0 {
		var sum time.Duration
		a.Min, a.Max = a.RTTs[0], a.RTTs[0]
		for _, r := range a.RTTs {
			sum += r
			a.Min, a.Max = min(a.Min, r), max(a.Max, r)
		}
		a.Avg = sum / time.Duration(len(a.RTTs))
	}
	return a
}

func resolve(ctx context.Context, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("address not found: %v", err)
	}
	return addrs[0].Unmap(), nil
}

// msOrDuration accepts "500ms"/"2s" or fping's bare milliseconds.
func msOrDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration", s)
	}
	return d, nil
}

// replyBytes is what fping 5 reports as the reply size: the ICMP message
// (header and data), without the IP header.
func replyBytes(_ netip.Addr, size int) int { return size + 8 }

// pingStyleCmd pings one host like Linux ping: a line per reply, and
// statistics with min/avg/max/mdev when -c echoes were sent or on Ctrl-C.
// Exit status follows ping: 0 when any reply came, 1 when none, 2 on
// errors.
func pingStyleCmd(ctx context.Context, engine *icmp.Engine, hosts []string, s icmp.Session, quiet bool, stdout, stderr io.Writer) error {
	if len(hosts) != 1 {
		return fmt.Errorf("-style ping takes one host, not %d", len(hosts))
	}
	addr, err := resolve(ctx, hosts[0])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", hosts[0], err)
		return exitCode(2)
	}
	s.Host, s.Addr = hosts[0], addr
	inStats := false
	st, err := engine.RunSession(ctx, s, func(line string) {
		if line == "" {
			inStats = true
		}
		if !quiet || inStats || strings.HasPrefix(line, "PING ") {
			fmt.Fprintln(stdout, line)
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", hosts[0], err)
		return exitCode(2)
	}
	if st.Received == 0 {
		return exitCode(1)
	}
	return nil
}
