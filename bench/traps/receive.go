package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-monitor/vantage/bench/procstat"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/trap"
)

// oneDevice puts every address on one map as one device.
type oneDevice struct{}

func (oneDevice) DevicesAt(netip.Addr) []trap.DeviceRef {
	return []trap.DeviceRef{{Map: "Bench", Device: "switch"}}
}

// runReceive runs the receiver as the server would: built-in MIB names,
// the event log on disk, one delivery per trap; until SIGTERM or SIGINT.
func runReceive(args []string) error {
	fs := flag.NewFlagSet("receive", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:1162", "address to receive on")
	dir := fs.String("dir", "", "folder for event.log (required)")
	verbose := fs.Bool("verbose", false, "verbose trap log lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	names, err := mib.Builtin()
	if err != nil {
		return err
	}
	log, err := eventlog.Open(*dir, eventlog.Config{MaxSize: 1 << 30, Keep: 1}, nil)
	if err != nil {
		return err
	}
	var delivered atomic.Uint64
	cfg := trap.DefaultConfig()
	cfg.Listen, cfg.Verbose = []string{*listen}, *verbose
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := trap.New(cfg, trap.Deps{Directory: oneDevice{}, Events: log, Names: names, Logger: logger,
		Registerer: prometheus.NewRegistry(),
		Deliver:    func(trap.DeviceRef, trap.Trap) { delivered.Add(1) }})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := s.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "receiving on %s\n", s.Addrs()[0])
	<-ctx.Done()
	s.Stop()
	if err := log.Close(); err != nil {
		return err
	}
	logged, err := countLines(filepath.Join(*dir, "event.log"), " TRAP ")
	if err != nil {
		return err
	}
	st := s.Stats()
	rss, hwm := procstat.Mem("self")
	fmt.Printf("datagrams=%d traps=%d delivered=%d logged=%d dropped=%d kernel_drops=%d rejected=%d read_buffer=%d rss_mb=%.1f hwm_mb=%.1f\n",
		st.Datagrams, st.Traps["2c"], delivered.Load(), logged, st.Dropped, st.KernelDrops, sum(st.Errors), st.ReadBuffer, rss, hwm)
	return nil
}

func sum(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m {
		n += v
	}
	return n
}
