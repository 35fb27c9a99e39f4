// Command snmpbench polls the interface tables of N SNMP agents on loopback
// addresses with Vantage's SNMP client, and drives Debian's
// prometheus-snmp-exporter over the same agents for the same OIDs, so that
// the two can be compared in one run (see run.sh).
//
//	snmpbench agents [-n 500] -rec DIR          serve N agents on 127.3.x.y:161
//	snmpbench poll   [-n 500] [-farm-pid PID]   one cycle with internal/snmp
//	snmpbench scrape [-n 500] -pid PID          one cycle through snmp_exporter
//	snmpbench exporter-config                   print the exporter's snmp.yml
//
// Every subcommand prints one line of key=value figures.
package main

import (
	"fmt"
	"os"
)

func main() {
	cmds := map[string]func([]string) error{
		"agents":          runAgents,
		"poll":            runPoll,
		"scrape":          runScrape,
		"exporter-config": runExporterConfig,
	}
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: snmpbench agents|poll|scrape|exporter-config [flags]")
		os.Exit(2)
	}
	if err := cmds[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "snmpbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
