package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/discover"
	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/web"
)

const discoverUsage = `usage: vantage discover [-c COMMUNITY]... [-u USER -a AUTH -A KEY -x PRIV -X KEY] [-p PORTS] [--silent]
                        [--rate N] [--wait D] [--data DIR [--map NAME]] CIDR...
       vantage discover --url URL [--user U] [--password-file F] --map NAME [-c ...] CIDR...`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// discoverCmd scans ranges from this machine and prints what answers, or
// asks a running server to scan and add the result to a map.
func discoverCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var communities stringList
	fs.Var(&communities, "c", "SNMP v2c community to try after the default (repeatable)")
	usm := addUSMFlags(fs, "SNMPv3 user to try after the communities")
	ports := fs.String("p", "", "TCP ports to check, comma-separated (default 22,23,25,53,80,110,143,443,445,3389,8080; \"none\" for none)")
	silent := fs.Bool("silent", false, "also send SNMP and TCP probes to addresses that do not answer ping")
	rate := fs.Int("rate", 0, "probes per second (default 200)")
	timeout := fs.Duration("wait", 0, "wait for each answer (default 1s)")
	data := fs.String("data", "", "settings folder: its config.yaml gives the SNMP defaults and DNS servers; with --map, the map to add to")
	mapName := fs.String("map", "", "add what is found to this map")
	client := addClientFlags(fs) // --url: a running server scans, and adds to --map
	fs.Usage = func() { fmt.Fprintln(stderr, discoverUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitCode(2)
	}
	req := discover.Request{CIDRs: fs.Args(), Communities: communities, ProbeSilent: *silent, Rate: *rate, Timeout: *timeout}
	if *usm.user != "" {
		auth, authKey, priv, privKey, err := usm.security()
		if err != nil {
			return err
		}
		req.Users = []snmp.Credentials{{Version: "3", User: *usm.user, Auth: auth, AuthKey: authKey, Priv: priv, PrivKey: privKey}}
	}
	switch *ports {
	case "":
	case "none":
		req.Ports = []int{}
	default:
		for _, p := range strings.Split(*ports, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return fmt.Errorf("-p: %q is not a port number", p)
			}
			req.Ports = append(req.Ports, n)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	remote := false
	fs.Visit(func(f *flag.Flag) { remote = remote || f.Name == "url" })
	if remote {
		if *mapName == "" {
			return errors.New("--url needs --map: the server adds what it finds to a map")
		}
		return discoverRemote(ctx, client, *mapName, req, stdout, stderr)
	}
	return discoverLocal(ctx, *data, *mapName, req, stdout, stderr)
}

// discoverLocal scans from this process.
func discoverLocal(ctx context.Context, data, mapName string, req discover.Request, stdout, stderr io.Writer) error {
	cfg := config.Default()
	if data != "" {
		var err error
		if cfg, err = (config.Folder{Root: data}).Load(); err != nil {
			return err
		}
	} else if mapName != "" {
		return errors.New("--map needs --data (the settings folder holding the map) or --url")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	deps := discover.Deps{DNS: dnsmon.New(cfg.DNS, logger), Credentials: cfg.SNMP, Logger: logger}
	if eng, err := icmp.Open(icmp.Config{Mode: cfg.ICMP.Mode}, logger); err != nil {
		fmt.Fprintf(stderr, "vantage discover: no ICMP sweep: %v\n", err)
	} else {
		defer eng.Close()
		deps.Pinger = eng
	}
	sc, err := snmp.New(cfg.SNMPClient, logger, nil)
	if err != nil {
		return err
	}
	defer sc.Close()
	deps.SNMP = sc
	last := ""
	res, err := discover.New(deps).Scan(ctx, req, func(p discover.Progress) {
		if p.Phase != last {
			last = p.Phase
			fmt.Fprintf(stderr, "%s: %d to do, %d found so far\n", p.Phase, p.Total, p.Found)
		}
	})
	if err != nil && len(res.Hosts) == 0 {
		return err
	}
	printHosts(stdout, res.Hosts)
	if err != nil {
		return err
	}
	if mapName == "" {
		return nil
	}
	store, err := netmap.OpenStore(data, logger)
	if err != nil {
		return err
	}
	if errs := store.Load(); len(errs) > 0 {
		return errors.Join(errs...)
	}
	if _, ok := store.Get(mapName); !ok {
		if err := store.Put(&netmap.Map{Name: mapName}); err != nil {
			return err
		}
	}
	var ch discover.Changes
	if err := store.Update(mapName, func(m *netmap.Map) error { ch = discover.Apply(m, res); return nil }); err != nil {
		return err
	}
	printChanges(stdout, mapName, &ch)
	return nil
}

// discoverRemote asks a server to scan and waits for the job to end.
func discoverRemote(ctx context.Context, client *apiClient, mapName string, req discover.Request, stdout, stderr io.Writer) error {
	var started struct{ ID string }
	if err := client.postJSON("/api/v1/maps/"+url.PathEscape(mapName)+"/discover", req, &started); err != nil {
		return err
	}
	last := ""
	for {
		var j web.DiscoveryJob
		if err := client.getJSON("/api/v1/discover/"+url.PathEscape(started.ID), nil, &j); err != nil {
			return err
		}
		if j.Progress.Phase != last {
			last = j.Progress.Phase
			fmt.Fprintf(stderr, "%s: %d to do, %d found so far\n", j.Progress.Phase, j.Progress.Total, j.Progress.Found)
		}
		switch j.State {
		case "done":
			printHosts(stdout, j.Hosts)
			printChanges(stdout, mapName, j.Changes)
			return nil
		case "failed":
			printHosts(stdout, j.Hosts)
			return fmt.Errorf("discovery %s failed: %s", j.ID, j.Error)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// printHosts writes the hosts found as a table.
func printHosts(w io.Writer, hosts []discover.Host) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tNAME\tNAMED BY\tSNMP\tOPEN PORTS\tSUBNET")
	for _, h := range hosts {
		sn := "-"
		if h.SNMP != nil {
			sn = strings.SplitN(h.SNMP.Version, " ", 2)[0]
			if h.SNMP.SysName != "" {
				sn += " " + h.SNMP.SysName
			}
		}
		ports := make([]string, len(h.OpenPorts))
		for i, p := range h.OpenPorts {
			ports[i] = strconv.Itoa(p)
		}
		if len(ports) == 0 {
			ports = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.Addr, h.Name, h.NamedBy, sn, strings.Join(ports, ","), h.Subnet)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d hosts found\n", len(hosts))
}

func printChanges(w io.Writer, mapName string, ch *discover.Changes) {
	if ch == nil {
		return
	}
	fmt.Fprintf(w, "map %q: added %d devices, %d networks, %d links; updated %d devices\n",
		mapName, len(ch.AddedDevices), len(ch.AddedNetworks), ch.AddedLinks, len(ch.UpdatedDevices))
}
