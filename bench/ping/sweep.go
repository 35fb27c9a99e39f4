// Command sweep pings N loopback addresses (127.1.0.1 upward) once each
// through one ICMP engine, and prints wall time, CPU time (user+sys, from
// getrusage, start-up included) and loss, for comparison with
// `fping -c1 -i0` (see run.sh).
//
//	go run ./bench/ping [-n 10000] [-workers 1000|0] [-mode auto|raw|dgram] [-list FILE]
//
// -workers bounds the pingers running at once, as the poller does; 0 starts
// a goroutine per host, all echoes in flight together as with fping -i0.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
)

func main() {
	n := flag.Int("n", 10000, "number of hosts, from 127.1.0.1 upward")
	list := flag.String("list", "", "write the host list to this file (for fping) and exit")
	mode := flag.String("mode", icmp.ModeAuto, "socket mode: auto, raw or dgram")
	timeout := flag.Duration("timeout", time.Second, "per-echo timeout")
	workers := flag.Int("workers", 1000, "concurrent pingers (a bounded pool, as a poller runs); 0 means one goroutine per host")
	rcvbuf := flag.Int("rcvbuf", 0, "socket receive buffer in bytes; 0 is the engine's default")
	flag.Parse()

	if *n < 1 || *n > 1<<20 { // stay well inside 127.0.0.0/8
		fmt.Fprintln(os.Stderr, "sweep: -n must be from 1 to 1048576")
		os.Exit(2)
	}
	hosts := Hosts(*n)
	if *list != "" {
		if err := writeList(*list, hosts); err != nil {
			fmt.Fprintln(os.Stderr, "sweep:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(hosts, icmp.Config{Mode: *mode, ReadBuffer: *rcvbuf}, *timeout, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(1)
	}
}

// Hosts returns n addresses from 127.1.0.1 upward. Linux answers for all of
// 127.0.0.0/8 on the loopback interface, .0 and .255 included.
func Hosts(n int) []netip.Addr {
	out := make([]netip.Addr, 0, n)
	a := netip.MustParseAddr("127.1.0.0")
	for range n {
		a = a.Next()
		out = append(out, a)
	}
	return out
}

type result struct {
	sent, recv int
	err        error
}

// pingOne keeps the Stats in its own small frame rather than in the
// goroutine's closure.
//
//go:noinline
func pingOne(ctx context.Context, e *icmp.Engine, h netip.Addr, timeout time.Duration) result {
	st, err := e.Ping(ctx, icmp.Request{Addr: h, Timeout: timeout})
	return result{st.Sent, st.Received, err}
}

func writeList(path string, hosts []netip.Addr) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create host list: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, h := range hosts {
		fmt.Fprintln(w, h)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write host list %s: %w", path, err)
	}
	return f.Close()
}

func run(hosts []netip.Addr, cfg icmp.Config, timeout time.Duration, workers int) error {
	start := time.Now()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := icmp.Open(cfg, logger)
	if err != nil {
		return err
	}
	defer e.Close()

	// A goroutine per host, all at once, as fping -i0 has every echo in
	// flight at once; each writes only its own slot.
	results := make([]result, len(hosts))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	if workers <= 0 || workers >= len(hosts) {
		for i, h := range hosts {
			wg.Go(func() { results[i] = pingOne(ctx, e, h, timeout) })
		}
	} else {
		// A bounded pool, as a poller would run: each worker takes the
		// next host as soon as its previous ping is done.
		var next atomic.Int64
		for range workers {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(hosts); i = int(next.Add(1) - 1) {
					results[i] = pingOne(ctx, e, hosts[i], timeout)
				}
			})
		}
	}
	wg.Wait()
	wall := time.Since(start)
	sent, recv := 0, 0
	for _, r := range results {
		if r.err != nil {
			return r.err
		}
		sent += r.sent
		recv += r.recv
	}

	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return fmt.Errorf("getrusage: %w", err)
	}
	user := time.Duration(ru.Utime.Nano())
	sys := time.Duration(ru.Stime.Nano())
	loss := 0.0
	if sent > 0 {
		loss = float64(sent-recv) * 100 / float64(sent)
	}
	c := e.Counters()
	fmt.Printf("hosts=%d mode=%s wall=%.3fs cpu=%.3fs user=%.3fs sys=%.3fs sent=%d received=%d loss=%.2f%% stray=%d invalid=%d\n",
		len(hosts), e.Mode(), wall.Seconds(), (user + sys).Seconds(), user.Seconds(), sys.Seconds(),
		sent, recv, loss, c.Stray, c.Invalid)
	return nil
}
