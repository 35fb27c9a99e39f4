package main

import (
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/bench/procstat"
)

// cpuSelf is this process's user+system CPU time (getrusage).
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	d, _ := procstat.CPU(strconv.Itoa(pid))
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
