// Command trapbench measures trap reception under bursts (see run.sh):
//
//	trapbench send -to 127.0.0.1:PORT -rate R -n N [-pid PID]
//	    send N SNMPv2c traps at R traps/s, pre-marshalled and paced in
//	    1 ms batches; with -pid, report that receiver's CPU time during the
//	    burst and its peak memory
//	trapbench receive -listen 127.0.0.1:PORT -dir DIR
//	    run Vantage's internal/trap receiver, logging to DIR/event.log and
//	    dispatching every trap from 127.0.0.1 to one device, until SIGTERM;
//	    then print what it received, dispatched and logged
//	trapbench count FILE PREFIX
//	    count the lines of FILE containing PREFIX
//
// Every subcommand prints one line of key=value figures.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	cmds := map[string]func([]string) error{
		"send":    runSend,
		"receive": runReceive,
		"count":   runCount,
	}
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: trapbench send|receive|count [flags]")
		os.Exit(2)
	}
	if err := cmds[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "trapbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// runCount prints lines=N, the lines of a file containing a string.
func runCount(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: trapbench count FILE STRING")
	}
	n, err := countLines(args[0], args[1])
	if err != nil {
		return err
	}
	fmt.Printf("lines=%d\n", n)
	return nil
}

func countLines(path, substr string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			n++
		}
	}
	return n, sc.Err()
}

// clockTick is USER_HZ, 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU is the user+system CPU time of process pid ("self" for us), all
// threads, from /proc/PID/stat (utime and stime, fields 14 and 15).
func procCPU(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces
	if i < 0 {
		return 0, fmt.Errorf("/proc/%s/stat: no ')'", pid)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%s/stat: %d fields", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%s/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(u+s) * clockTick, nil
}

// procMem returns VmRSS and VmHWM (peak RSS) of pid, in MiB.
func procMem(pid string) (rss, hwm float64) {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fs := strings.Fields(v)
		if len(fs) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(fs[0], 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}
