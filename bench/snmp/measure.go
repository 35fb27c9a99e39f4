package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cpuSelf is this process's user+system CPU time (getrusage).
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is USER_HZ, 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU is the user+system CPU time of process pid, all threads, from
// /proc/PID/stat (utime and stime, fields 14 and 15).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(u+s) * clockTick, nil
}

// procMem returns VmRSS and VmHWM (peak RSS) of pid ("self" for us), in MiB.
func procMem(pid string) (rss, hwm float64) {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// fdCount counts pid's open file descriptors ("self" for us).
func fdCount(pid string) int {
	d, err := os.Open("/proc/" + pid + "/fd")
	if err != nil {
		return -1
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	return len(names)
}

// sampler records the peaks of some gauges every period until stop.
type sampler struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	peaks []int
}

func startSampler(period time.Duration, gauges ...func() int) *sampler {
	s := &sampler{stopc: make(chan struct{}), peaks: make([]int, len(gauges))}
	sample := func() {
		for i, g := range gauges {
			s.peaks[i] = max(s.peaks[i], g())
		}
	}
	sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-s.stopc:
				sample()
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peaks, in the gauges' order.
func (s *sampler) stop() []int {
	close(s.stopc)
	s.wg.Wait()
	return s.peaks
}

// farmCPU reads the agent farm's CPU time; 0 without a farm PID.
func farmCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	d, _ := procCPU(pid)
	return d
}

// startProfile starts a CPU profile into path; call stop to write it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
