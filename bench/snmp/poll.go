package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-monitor/vantage/bench/procstat"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// runPoll polls every agent once with internal/snmp, as the SNMP Traffic
// probe does: a Get of the system group, then a Table of the ifTable
// columns and one of the ifXTable columns.
func runPoll(args []string) error {
	fs := flag.NewFlagSet("poll", flag.ExitOnError)
	n := fs.Int("n", 500, "number of agents, 127.3.0.1 upward")
	sessions := fs.Int("sessions", snmp.DefaultConfig().MaxSessions, "Config.MaxSessions: concurrent requests, so sockets")
	workers := fs.Int("workers", 0, "agents polled at once; 0 is all of them")
	cycles := fs.Int("cycles", 1, "cycles to run in this process, one line each")
	limit := fs.Duration("limit", time.Minute, "give up on a cycle after this long")
	farmPID := fs.Int("farm-pid", 0, "the agent farm's PID, to report its CPU time during the cycle")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the cycles to this file")
	_ = fs.Parse(args)
	if err := checkN(*n); err != nil {
		return err
	}
	if *workers <= 0 || *workers > *n {
		*workers = *n
	}
	cfg := snmp.DefaultConfig()
	cfg.MaxSessions = *sessions
	c, err := snmp.New(cfg, nil, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	for cycle := 1; cycle <= *cycles; cycle++ {
		if err := pollCycle(c, cycle, *n, *workers, *limit, *farmPID); err != nil {
			return err
		}
	}
	return nil
}

func pollCycle(c *snmp.Client, cycle, n, workers int, limit time.Duration, farmPID int) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	creds := snmp.DefaultCredentials()
	var values, failed atomic.Int64
	var firstErr atomic.Value
	next := atomic.Int64{}
	before := c.Stats()
	smp := startSampler(10*time.Millisecond,
		func() int { return c.Stats().SessionsOpen },
		func() int { st := c.Stats(); return st.SessionsOpen - st.SessionsIdle }, // requests in flight
		func() int { return fdCount("self") })
	farm0, cpu0, start := farmCPU(farmPID), cpuSelf(), time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				k, err := pollAgent(ctx, c, snmp.Target{Address: agentAddr(i).String(), Creds: creds})
				values.Add(int64(k))
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	wall, cpu, farm := time.Since(start), cpuSelf()-cpu0, farmCPU(farmPID)-farm0
	peaks := smp.stop()
	st := c.Stats()
	rss, hwm := procstat.Mem("self")
	if err, ok := firstErr.Load().(error); ok {
		fmt.Fprintf(os.Stderr, "poll: %d agents failed, first: %v\n", failed.Load(), err)
	}
	fmt.Printf("ours cycle=%d agents=%d failed=%d oids=%d wall=%.3f cpu=%.3f oids_per_cpu_s=%.0f requests=%d timeouts=%d "+
		"sessions_max=%d sessions_peak=%d inflight_peak=%d fds_peak=%d rss_mb=%.1f hwm_mb=%.1f farm_cpu=%.3f\n",
		cycle, n, failed.Load(), values.Load(), wall.Seconds(), cpu.Seconds(), float64(values.Load())/cpu.Seconds(),
		st.Requests-before.Requests, st.Timeouts-before.Timeouts, st.SessionsMax, peaks[0], peaks[1], peaks[2], rss, hwm, farm.Seconds())
	return nil
}

// pollAgent reads one agent and returns the values it got.
func pollAgent(ctx context.Context, c *snmp.Client, t snmp.Target) (int, error) {
	n := 0
	sys, err := c.Get(ctx, t, oids(systemScalars(), ".0")...)
	for _, v := range sys {
		if v.Exists() {
			n++
		}
	}
	if err != nil {
		return n, err
	}
	var errs []error
	for _, cols := range [][]column{ifTableColumns(), ifXTableColumns()} {
		rows, err := c.Table(ctx, t, oids(cols, "")...)
		for _, r := range rows {
			n += len(r)
		}
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}
