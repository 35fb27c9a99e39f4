package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"
)

// flowsCmd queries a running server's flows: `vantage flows top --by host
// --since 1h`, `vantage flows exporters`.
func flowsCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: vantage flows top|exporters [flags]")
	}
	switch args[0] {
	case "top":
		return flowsTop(args[1:], stdout, stderr)
	case "exporters":
		return flowsExporters(args[1:], stdout, stderr)
	}
	return fmt.Errorf("vantage flows: unknown command %q (top, exporters)", args[0])
}

func flowsTop(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("flows top", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := addClientFlags(fs)
	by := fs.String("by", "host", "host, client, server, conversation, protocol, application, exporter or interface")
	metric := fs.String("metric", "bytes", "bytes, packets or sessions")
	since := fs.String("since", "1h", "start: a duration back from now (1h, 7d), RFC 3339 or Unix seconds")
	until := fs.String("until", "", "end, as since (default: now)")
	limit := fs.Int("n", 10, "rows")
	inside := fs.Bool("inside", false, "only our hosts (flows.inside in config.yaml)")
	filters := map[string]*string{}
	for _, f := range []struct{ name, help string }{
		{"exporter", "only this exporter's flows"}, {"interface", "only flows through this ifIndex (with --exporter)"},
		{"dir", "in or out, with --interface"}, {"host", "only flows of this host"}, {"subnet", "only flows of hosts in this CIDR"},
		{"port", "only flows on this port"}, {"proto", "only this IP protocol number (6 TCP, 17 UDP)"},
	} {
		filters[f.name] = fs.String(f.name, "", f.help)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	q := url.Values{"by": {*by}, "metric": {*metric}, "from": {*since}, "limit": {strconv.Itoa(*limit)}}
	if *until != "" {
		q.Set("to", *until)
	}
	if *inside {
		q.Set("inside", "true")
	}
	for k, v := range filters {
		if *v != "" {
			q.Set(k, *v)
		}
	}
	var rows []map[string]any
	if err := client.getJSON("/api/v1/flows/top", q, &rows); err != nil {
		return err
	}
	keys := map[string][]string{
		"host": {"host"}, "client": {"client"}, "server": {"server"}, "conversation": {"client", "server"},
		"protocol": {"protocol"}, "application": {"application"}, "exporter": {"exporter"}, "interface": {"exporter", "ifindex", "interface"},
	}[*by]
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t", k)
	}
	fmt.Fprintln(tw, "bytes\tpackets\tsessions\t")
	for _, r := range rows {
		for _, k := range keys {
			fmt.Fprintf(tw, "%v\t", r[k])
		}
		fmt.Fprintf(tw, "%s\t%v\t%v\t\n", humanBytes(r["bytes"]), r["packets"], r["sessions"])
	}
	return tw.Flush()
}

func flowsExporters(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("flows exporters", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := addClientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ex []struct {
		Address   string            `json:"address"`
		Versions  map[string]uint64 `json:"versions"`
		Records   uint64            `json:"records"`
		Malformed uint64            `json:"malformed"`
		LastSeen  time.Time         `json:"last_seen"`
		Devices   []string          `json:"devices"`
	}
	if err := client.getJSON("/api/v1/flows/exporters", nil, &ex); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "exporter\tversions\trecords\tmalformed\tlast seen\tdevices")
	for _, e := range ex {
		fmt.Fprintf(tw, "%s\t%v\t%d\t%d\t%s\t%v\n", e.Address, e.Versions, e.Records, e.Malformed, e.LastSeen.Format(time.RFC3339), e.Devices)
	}
	return tw.Flush()
}

// humanBytes writes a JSON number of bytes with an SI prefix.
func humanBytes(v any) string {
	f, ok := v.(float64)
	if !ok {
		return fmt.Sprint(v)
	}
	if f < 1000 {
		return fmt.Sprintf("%.0f B", f)
	}
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= 1000
		if f < 1000 {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f PB", f/1000)
}
