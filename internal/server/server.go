// Package server builds every component from the settings folder and runs
// their lifecycles: start in dependency order, stop in reverse.
package server

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/discover"
	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/poller"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/report"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/store"
	"github.com/vantage-monitor/vantage/internal/tlsconf"
	"github.com/vantage-monitor/vantage/internal/trap"
	"github.com/vantage-monitor/vantage/internal/web"
	"github.com/vantage-monitor/vantage/internal/web/ui"
)

// Options come from the command line.
type Options struct {
	DataDir string
	// Listeners holds the listener flags the user gave (name → address).
	Listeners map[string]string
	// AdminPassword is $VANTAGE_ADMIN_PASSWORD.
	AdminPassword string
	Version       string
	// Out receives the start-up banner (URL, generated password).
	Out io.Writer
	// Logger is the process logger; the server adds its log file to it.
	Logger *slog.Logger
	// Reload delivers SIGHUP.
	Reload <-chan struct{}
	// StarterMap draws this server, its gateway, DNS servers and subnets
	// on a new settings folder.
	StarterMap bool
	// CentralDB is --db: a PostgreSQL URL that overrides config.yaml's
	// database.url.
	CentralDB string
	// FlowDB is --flowdb: a ClickHouse URL for flow sessions that
	// overrides flows.database.
	FlowDB string
}

// Server is a running Vantage.
type Server struct {
	opts    Options
	folder  config.Folder
	cfg     config.Config
	logger  *slog.Logger
	started time.Time

	events *eventlog.Log
	db     *sql.DB
	auth   *auth.Service
	// tls is the certificate of the web/API and remote listeners.
	tls     *tls.Config
	tlsInfo tlsconf.Info
	allow   allowLists
	engine  *icmp.Engine
	snmp    *snmp.Client
	pinger  probe.Pinger
	names   *mib.Names

	catalogue *probefile.Catalogue
	traps     *trap.Service
	acks      *alert.Acks
	alerting  *alerting
	charts    *charts
	netbios   *netbiosNames
	reports   *report.Builder
	flows     *flows
	// remoteFlows is a flow collector on another machine (flows.remote).
	remoteFlows *remoteFlows
	repoller    *trap.Repoller
	probes      *probe.Registry
	maps        *netmap.Store
	poller      *poller.Poller
	monitor     *monitor.Monitor
	reg         *prometheus.Registry

	mu        sync.Mutex
	listeners []Listener
	// mapKeys is this run's secret for naming maps to other servers
	// (federation.go).
	mapKeys []byte
}

// Run starts the server and blocks until ctx ends, then shuts down cleanly.
func Run(ctx context.Context, opts Options) error {
	s, err := build(ctx, opts)
	if err != nil {
		return err
	}
	return s.run(ctx)
}

func build(ctx context.Context, opts Options) (*Server, error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, folder: config.Folder{Root: opts.DataDir}, started: time.Now(), reg: prometheus.NewRegistry(), mapKeys: newMapKeys()}
	_, statErr := os.Stat(s.folder.Config())
	fresh := errors.Is(statErr, os.ErrNotExist)
	cfg, err := s.folder.Init()
	if err != nil {
		return nil, err
	}
	applyFlags(&cfg.Listeners, opts.Listeners)
	s.cfg = cfg
	if s.logger, err = fileLogger(opts.Logger, s.folder.Logs()); err != nil {
		return nil, err
	}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if s.events, err = eventlog.Open(s.folder.Logs(), cfg.EventLog, s.logger.With("component", "eventlog")); err != nil {
		return nil, err
	}
	if s.db, err = store.Open(ctx, s.folder.DB()); err != nil {
		return nil, err
	}
	if s.auth, err = auth.New(s.db, auth.Options{Config: cfg.Auth, Events: s.events, Logger: s.logger.With("component", "auth")}); err != nil {
		return nil, err
	}
	if err := s.buildSecurity(); err != nil {
		return nil, err
	}
	if s.acks, err = alert.OpenAcks(ctx, s.db); err != nil {
		return nil, err
	}
	pw, err := s.auth.EnsureAdmin(ctx, opts.AdminPassword, s.folder.AdminPassword())
	if err != nil {
		return nil, err
	}
	if pw != "" {
		fmt.Fprintf(opts.Out, "Created user admin with password %s (also in %s; change it and delete that file)\n", pw, s.folder.AdminPassword())
	}
	if err := s.buildCharts(); err != nil {
		return nil, err
	}
	if err := s.buildMonitoring(); err != nil {
		return nil, err
	}
	if err := s.buildAlerting(); err != nil {
		return nil, err
	}
	s.buildReports()
	if fresh && opts.StarterMap {
		m := discover.StarterMap(discover.LocalFacts())
		if err := s.maps.Put(m); err != nil {
			s.logger.Warn("starter map not created", "err", err)
		}
	}
	return s, nil
}

// buildMonitoring wires ICMP, probes, maps, poller and monitor.
func (s *Server) buildMonitoring() error {
	icfg := icmp.DefaultConfig()
	icfg.Mode = s.cfg.ICMP.Mode
	var pinger probe.Pinger
	engine, err := icmp.Open(icfg, s.logger.With("component", "icmp"))
	if err != nil {
		// Without ICMP the other probes still work; ping devices say why
		// they are not polled.
		s.logger.Error("ICMP engine unavailable", "err", err)
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: "ICMP unavailable: " + err.Error()})
		pinger = failingPinger{err}
	} else {
		s.engine, pinger = engine, engine
		if err := s.reg.Register(icmpCollector{engine}); err != nil {
			return err
		}
	}
	if s.snmp, err = snmp.New(s.cfg.SNMPClient, s.logger.With("component", "snmp"), s.reg); err != nil {
		return err
	}
	s.pinger = pinger
	s.names = s.loadMIBs()
	s.probes = probe.NewRegistry()
	if err := probe.RegisterBuiltins(s.probes, probe.Builtins{Pinger: pinger, SNMP: s.snmp,
		DNS: dnsmon.New(s.cfg.DNS, s.logger.With("component", "dnsmon")), MapStatus: s.federation()}); err != nil {
		return err
	}
	s.loadProbeFiles()
	if s.maps, err = netmap.OpenStore(s.folder.Root, s.logger.With("component", "maps")); err != nil {
		return err
	}
	p, err := poller.New(s.cfg.Poller, func(key string, r statusResult) { s.monitor.Observe(key, r) }, s.logger.With("component", "poller"), s.reg)
	if err != nil {
		return err
	}
	s.poller = p
	s.netbios = newNetBIOSNames(s)
	s.monitor = monitor.New(monitor.Config{DefaultInterval: s.cfg.DefaultInterval, DownAfter: s.cfg.DownAfter, SNMP: s.cfg.SNMP}, monitor.Deps{
		Maps: s.maps, Probes: s.probes, Scheduler: p, Events: s.events, Logger: s.logger.With("component", "monitor"),
		OnChange: s.statusChanged, OnResult: s.charts.record, NetBIOS: s.netbios.lookup,
	})
	s.reg.MustRegister(monitorCollector{s.monitor}, datasetCollector{maps: s.maps, monitor: s.monitor})
	return s.buildTraps()
}

func (s *Server) run(ctx context.Context) error {
	defer s.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	httpLn, err := s.bindListeners()
	if err != nil {
		return err
	}
	access, err := s.bindAccess()
	if err != nil {
		if httpLn != nil {
			httpLn.Close()
		}
		return err
	}
	defer access.close()
	if err := s.startTraps(ctx); err != nil {
		if httpLn != nil {
			httpLn.Close()
		}
		return err
	}
	if err := s.startFlows(ctx); err != nil {
		if httpLn != nil {
			httpLn.Close()
		}
		return err
	}
	s.events.Write(eventlog.Event{Kind: eventlog.KindStart, Message: fmt.Sprintf("Vantage %s started (data %s)", s.opts.Version, s.opts.DataDir)})
	s.loadMaps()

	var wg sync.WaitGroup
	wg.Go(func() { s.poller.Run(ctx) })
	wg.Go(func() {
		s.maps.Watch(ctx, s.cfg.MapReload, s.mapsChanged)
	})
	wg.Go(func() { s.reloadLoop(ctx) })
	wg.Go(func() { s.catalogue.Watch(ctx, s.cfg.MapReload, s.probeFilesChanged) })
	wg.Go(func() { s.expireAcks(ctx) })
	wg.Go(func() { s.alerting.run(ctx) })
	wg.Go(func() { s.charts.run(ctx) })
	wg.Go(func() { s.netbios.run(ctx) })
	wg.Go(func() { s.runReportSchedules(ctx) })
	s.serveAccess(ctx, access, &wg)

	var srv *http.Server
	if httpLn != nil {
		api := web.New(web.Deps{Maps: s.maps, Monitor: s.monitor, Events: s.events, Auth: s.auth, Probes: s.probes,
			ServerInfo: func() any { return s.Info() }, Gatherer: s.reg, UI: ui.Files(), Names: s.names, ReloadProbes: s.ReloadProbes, Traps: s.recentTraps, Tools: s.tools(),
			Notifications: s.alerting.n, MapMaintenance: s.mapMaintenance, Charts: s.charts, Retention: s.charts, Reports: s.reports, NetTools: s.netTools(), Flows: s.flowViews, FlowSettings: s.newFlowSettings(), Ctl: s.ctlBackend(), Discovery: s.discovery(ctx),
			Export: s.federation(), RemoteMaps: s.federation(), MapSummary: s.federation().MapSummary,
			Acks: s.acks, Acknowledge: s.acknowledge, Unacknowledge: s.unacknowledge, Logger: s.logger.With("component", "web")})
		srv = &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
			// Requests end with the server, so open event streams do not hold
			// up a shutdown.
			BaseContext: func(net.Listener) context.Context { return ctx }}
		// The allow-list refuses connections before the TLS handshake;
		// TLS unless plain HTTP was asked for.
		ln, scheme := s.filter("http", httpLn), "https"
		if s.cfg.Listeners.HTTPPlain {
			scheme = "http"
			s.logger.Warn("the web UI and API are served without TLS (--http-plain): passwords cross the network in clear text")
		} else {
			ln = tls.NewListener(ln, s.tlsConfig())
		}
		wg.Go(func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.logger.Error("HTTP server stopped", "err", err)
				cancel()
			}
		})
		s.alerting.baseURL = urlFor(scheme, httpLn.Addr())
		fmt.Fprintf(s.opts.Out, "Vantage %s: web UI and API at %s (data in %s)\n", s.opts.Version, urlFor(scheme, httpLn.Addr()), s.opts.DataDir)
		if scheme == "https" {
			fmt.Fprintf(s.opts.Out, "Vantage %s: TLS certificate %s (%s)\n", s.opts.Version, s.tlsInfo.Fingerprint, filepath.Join(s.tlsInfo.Dir, tlsconf.CertFile))
		}
	}
	<-ctx.Done()
	s.logger.Info("shutting down")
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(sctx)
		scancel()
	}
	wg.Wait()
	s.events.Write(eventlog.Event{Kind: eventlog.KindStop, Message: "Vantage stopped"})
	return nil
}

// bindListeners binds the HTTP listener and reports the others.
func (s *Server) bindListeners() (net.Listener, error) {
	l := s.cfg.Listeners
	var httpLn net.Listener
	add := func(name, addr, state, msg string) {
		s.listeners = append(s.listeners, Listener{Name: name, Flag: "--" + name, Address: addr, State: state, Error: msg})
	}
	if l.HTTP == "off" {
		add("http", l.HTTP, "off", "")
	} else {
		ln, err := listenTCP("http", l.HTTP)
		switch {
		case err != nil && s.opts.Listeners["http"] != "":
			return nil, err
		case err != nil:
			s.logger.Error("default listener not bound", "err", err)
			s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: err.Error()})
			add("http", l.HTTP, "failed", err.Error())
		default:
			httpLn = ln
			add("http", ln.Addr().String(), "listening", "")
		}
	}
	return httpLn, nil
}

func (s *Server) loadMaps() {
	errs := s.maps.Load()
	for _, err := range errs {
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: err.Error()})
	}
	for _, m := range s.maps.Maps() {
		s.events.Write(eventlog.Event{Kind: eventlog.KindMap, Message: fmt.Sprintf("opened map %q (%d devices)", m.Name, len(m.Devices))})
	}
	s.monitor.Sync()
	s.charts.watchMaps(s.maps, s.monitor)
}

// loadMIBs loads the built-in MIB table and the user's modules in
// DIR/mibs; a module that does not load is reported and skipped. It never
// returns nil, so callers need no nil checks: without the built-in table
// (a broken build) OIDs are simply shown as numbers.
func (s *Server) loadMIBs() *mib.Names {
	names, err := mib.Builtin()
	if err != nil {
		s.logger.Error("built-in MIB table unavailable", "err", err)
		names = mib.New()
	}
	more, errs := names.WithDir(s.folder.MIBs())
	for _, e := range errs {
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: "MIB not loaded: " + e.Error()})
	}
	return more
}

// mapsChanged is called when map files were edited by hand.
func (s *Server) mapsChanged(changed []string, errs []error) {
	for _, err := range errs {
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: err.Error() + " (keeping the last good version)"})
	}
	for _, name := range changed {
		s.events.Write(eventlog.Event{Kind: eventlog.KindMap, Message: fmt.Sprintf("reloaded map %q", name)})
	}
	if len(changed) > 0 {
		s.monitor.Sync()
	}
}

func (s *Server) reloadLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.opts.Reload:
			s.logger.Info("SIGHUP: reloading maps and settings")
			if cfg, err := s.folder.Load(); err != nil {
				s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: "reload settings: " + err.Error()})
			} else if cfg.Listeners != s.cfg.Listeners {
				s.events.Write(eventlog.Event{Kind: eventlog.KindInfo, Message: "listener changes in config.yaml take effect at the next restart"})
			}
			s.ReloadProbes()
			changed, errs := s.maps.Reload()
			s.mapsChanged(changed, errs)
			s.monitor.Sync()
			s.events.Write(eventlog.Event{Kind: eventlog.KindInfo, Message: fmt.Sprintf("SIGHUP: re-read settings and %d maps (%d changed, %d with errors)", len(s.maps.Maps()), len(changed), len(errs))})
		}
	}
}

func (s *Server) close() {
	if s.traps != nil {
		s.traps.Stop()
	}
	if s.flows != nil {
		s.flows.close()
	}
	if s.repoller != nil {
		s.repoller.Close()
	}
	if s.snmp != nil {
		s.snmp.Close()
	}
	if s.engine != nil {
		s.engine.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
	if s.events != nil {
		s.events.Close()
	}
}

// Info is GET /api/v1/server.
type Info struct {
	Version        string         `json:"version"`
	Started        time.Time      `json:"started"`
	UptimeSeconds  int64          `json:"uptime_seconds"`
	DataDir        string         `json:"data_dir"`
	Maps           int            `json:"maps"`
	Devices        int            `json:"devices"`
	Monitored      int            `json:"devices_monitored"`
	PollsPerSecond float64        `json:"polls_per_second"`
	Poller         poller.Stats   `json:"poller"`
	Status         map[string]int `json:"status"`
	ICMPMode       string         `json:"icmp_mode"`
	Traps          *trapInfo      `json:"traps,omitempty"`
	Listeners      []Listener     `json:"listeners"`
	// TLS is the certificate of the web/API and remote listeners;
	// HTTPTLS says whether the web/API listener uses it.
	TLS        tlsconf.Info `json:"tls"`
	HTTPTLS    bool         `json:"http_tls"`
	GoVersion  string       `json:"go_version"`
	ServerName string       `json:"server_name"`
	Charts     chart.Stats  `json:"charts"`
	// CentralDB is the link to the central database, when one is set.
	CentralDB *centralInfo `json:"central_db,omitempty"`
}

// Info reports what the server is doing.
func (s *Server) Info() Info {
	devices, monitored := s.monitor.Counts()
	ps := s.poller.Stats()
	mode := "unavailable"
	if s.engine != nil {
		mode = s.engine.Mode()
	}
	return Info{
		Version: s.opts.Version, Started: s.started, UptimeSeconds: int64(time.Since(s.started).Seconds()), DataDir: s.opts.DataDir,
		Maps: len(s.monitor.SortedMapNames()), Devices: devices, Monitored: monitored, PollsPerSecond: ps.PollsPerSecond, Poller: ps,
		Status: s.monitor.LevelCounts(), ICMPMode: mode, Traps: s.trapInfo(), Listeners: s.listeners, GoVersion: runtime.Version(),
		TLS: s.tlsInfo, HTTPTLS: !s.cfg.Listeners.HTTPPlain,
		ServerName: s.charts.server, Charts: s.charts.Stats(), CentralDB: s.charts.centralInfo(),
	}
}

// fileLogger adds DIR/logs/vantage.log to the process logger.
func fileLogger(base *slog.Logger, dir string) (*slog.Logger, error) {
	f, err := os.OpenFile(dir+"/vantage.log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	return slog.New(slog.NewMultiHandler(base.Handler(), slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))), nil
}
