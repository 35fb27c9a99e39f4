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
	"fmt"
	"os"
	"strings"
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
