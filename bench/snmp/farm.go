package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// runAgents serves N agents, one UDP socket each, until SIGINT or SIGTERM,
// then prints what it served and its own CPU time.
func runAgents(args []string) error {
	fs := flag.NewFlagSet("agents", flag.ExitOnError)
	n := fs.Int("n", 500, "number of agents, 127.3.0.1 upward (see agentAddr)")
	dir := fs.String("rec", "", "directory of .snmprec recordings (read in place)")
	only := fs.String("files", "", "comma-separated recording names to rotate through; default: every one with an ifTable")
	port := fs.Int("port", 161, "UDP port of every agent")
	community := fs.String("community", "public", "the community answered")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the agents to this file")
	_ = fs.Parse(args)
	if err := checkN(*n); err != nil {
		return err
	}
	recs, err := loadRecordings(*dir, *only)
	if err != nil {
		return err
	}
	var requests, values atomic.Int64
	var wg sync.WaitGroup
	conns := make([]*net.UDPConn, 0, *n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
		wg.Wait()
	}()
	for i := range *n {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(agentAddr(i), uint16(*port))))
		if err != nil {
			return fmt.Errorf("agent %d: %w", i, err)
		}
		conns = append(conns, c)
		r := &responder{rec: recs[i%len(recs)], community: []byte(*community)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve(c, r, &requests, &values)
		}()
	}
	names := make([]string, len(recs))
	for i, r := range recs {
		names[i] = fmt.Sprintf("%s(%d ifs, %d values)", r.name, r.ifRows, len(r.oids))
	}
	fmt.Printf("agents ready n=%d addrs=%v-%v:%d recordings=%s\n", *n, agentAddr(0), agentAddr(*n-1), *port, strings.Join(names, ","))
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	start, cpu0 := time.Now(), cpuSelf()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	cpu := cpuSelf() - cpu0
	fmt.Printf("agents done up=%.1fs requests=%d values=%d cpu=%.3fs values_per_cpu_s=%.0f\n",
		time.Since(start).Seconds(), requests.Load(), values.Load(), cpu.Seconds(), float64(values.Load())/cpu.Seconds())
	return nil
}

// serve answers on c until it is closed. Buffers are reused: one request
// is handled at a time per agent, as a single-threaded agent does.
func serve(c *net.UDPConn, r *responder, requests, values *atomic.Int64) {
	in := make([]byte, 65_536)
	out := make([]byte, 0, 65_536)
	binds := make([]byte, 0, 65_536)
	for {
		n, from, err := c.ReadFromUDPAddrPort(in)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		msg, scratch, k := r.answer(out[:0], binds, in[:n])
		binds = scratch
		if msg == nil {
			continue
		}
		out = msg
		requests.Add(1)
		values.Add(int64(k))
		_, _ = c.WriteToUDPAddrPort(out, from)
	}
}

// loadRecordings reads dir's recordings: those named in only, or all
// with an ifTable, in name order.
func loadRecordings(dir, only string) ([]*recording, error) {
	if dir == "" {
		return nil, errors.New("-rec DIR is required")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.snmprec"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	want := map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	var out []*recording
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".snmprec")
		if len(want) > 0 && !want[name] {
			continue
		}
		r, err := loadRecording(p)
		if err != nil {
			return nil, err
		}
		if len(want) > 0 || r.ifRows > 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no usable recording in %s (files %q)", dir, only)
	}
	return out, nil
}
