package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// exporterModule is the snmp_exporter module the benchmark scrapes.
const exporterModule = "vantage_if"

// runExporterConfig prints an snmp.yml in snmp_exporter 0.21's format
// (modules at the top, auth inside the module) with one module that gets
// the system group and walks exactly the interface columns that poll
// reads. Like the generator's if_mib module, ifDescr, ifName and ifAlias
// become labels of every interface metric rather than metrics.
func runExporterConfig(args []string) error {
	fs := flag.NewFlagSet("exporter-config", flag.ExitOnError)
	reps := fs.Int("max-repetitions", 25, "GetBulk max-repetitions (Vantage's default is 25 too)")
	_ = fs.Parse(args)
	return writeExporterConfig(os.Stdout, *reps)
}

func writeExporterConfig(w io.Writer, reps int) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	cols := append(ifTableColumns(), ifXTableColumns()...)
	p("# Written by `snmpbench exporter-config` for prometheus-snmp-exporter 0.21.")
	p("%s:", exporterModule)
	p("  get:")
	for _, c := range systemScalars() {
		p("  - %s.0 # %s", c.oid, c.name)
	}
	p("  walk:")
	for _, c := range cols {
		p("  - %s # %s", c.oid, c.name)
	}
	p("  metrics:")
	for _, c := range systemScalars() {
		p("  - name: %s", c.name)
		p("    oid: %s", c.oid)
		p("    type: %s", c.kind)
		p("    help: %s (SNMPv2-MIB)", c.name)
	}
	labels := map[string]bool{"ifDescr": true, "ifName": true, "ifAlias": true}
	for _, c := range cols {
		if labels[c.name] {
			continue
		}
		p("  - name: %s", c.name)
		p("    oid: %s", c.oid)
		p("    type: %s", c.kind)
		p("    help: %s (IF-MIB)", c.name)
		p("    indexes:")
		p("    - labelname: ifIndex")
		p("      type: gauge")
		p("    lookups:")
		for _, l := range cols {
			if labels[l.name] {
				p("    - labels: [ifIndex]")
				p("      labelname: %s", l.name)
				p("      oid: %s", l.oid)
				p("      type: DisplayString")
			}
		}
	}
	p("  version: 2")
	p("  max_repetitions: %d", reps)
	p("  retries: 1")
	p("  timeout: 2s")
	p("  auth:")
	p("    community: public")
	_, err := io.WriteString(w, b.String())
	return err
}
