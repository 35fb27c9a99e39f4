// Command collector runs Vantage's flow collector with a counting sink on
// a loopback port, for bench/flows/run.sh; on SIGTERM (or after -duration)
// it prints the records received and the collector's stats.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
	"github.com/vantage-monitor/vantage/internal/flowstore"
)

type countingSink struct{ records atomic.Uint64 }

func (s *countingSink) Records(b []flow.Record) { s.records.Add(uint64(len(b))) }

func main() {
	listen := flag.String("listen", "127.0.0.1:2055", "UDP address")
	readers := flag.Int("readers", 0, "sockets (0: CPUs)")
	workers := flag.Int("workers", 0, "decoding workers (0: CPUs)")
	duration := flag.Duration("duration", 10*time.Minute, "stop after this long at most")
	storeDir := flag.String("store", "", "also build sessions and store them in an embedded flow store in this folder")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	sink := &countingSink{}
	cfg := flow.DefaultConfig()
	cfg.Readers, cfg.Workers = *readers, *workers
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var deps = flow.Deps{Sink: sink, Logger: logger}
	var builder *flowstore.Builder
	var store *flowstore.Duck
	builderDone := make(chan struct{})
	stopBuilder := func() {}
	if *storeDir != "" {
		var err error
		if store, err = flowstore.OpenDuck(*storeDir, flowstore.DefaultOptions()); err != nil {
			log.Fatal(err)
		}
		if builder, err = flowstore.NewBuilder(flowstore.DefaultBuilderConfig(), logger); err != nil {
			log.Fatal(err)
		}
		deps.Sink = teeSink{sink, builder}
		bctx, cancel := context.WithCancel(context.Background())
		stopBuilder = cancel
		go func() { builder.Run(bctx, store); close(builderDone) }()
	}
	c, err := flow.New(cfg, deps)
	if err != nil {
		log.Fatal(err)
	}
	// The sockets outlive the signal, so the drain below can read them.
	run, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Start(run); err != nil {
		log.Fatal(err)
	}
	if _, err := c.ListenUDP(run, *listen); err != nil {
		log.Fatal(err)
	}
	fmt.Println("ready")
	select {
	case <-ctx.Done():
	case <-time.After(*duration):
	}
	// Drain: what is still in the socket buffers was received in time;
	// stop once nothing new has arrived for 300 ms (10 s at most).
	for i := 0; i < 33; i++ {
		n := sink.records.Load()
		time.Sleep(300 * time.Millisecond)
		if sink.records.Load() == n {
			break
		}
	}
	s := c.Stats() // before Stop closes the sockets
	c.Stop()
	js, _ := json.Marshal(s)
	fmt.Printf("received records=%d stats=%s\n", sink.records.Load(), js)
	if builder != nil {
		t := time.Now()
		stopBuilder() // stores every open session
		<-builderDone
		size, _ := store.Size(context.Background())
		bs, _ := json.Marshal(builder.Stats())
		fmt.Printf("sessions stored in %s after the stream ended; store %d bytes; builder %s\n", time.Since(t).Round(time.Millisecond), size, bs)
		store.Close()
	}
}

// teeSink counts records and hands them on to the session builder.
type teeSink struct {
	count *countingSink
	next  flow.Sink
}

func (t teeSink) Records(b []flow.Record) {
	t.count.Records(b)
	t.next.Records(b)
}
