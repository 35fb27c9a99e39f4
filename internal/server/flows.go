package server

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/dur"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/flow"
	"github.com/vantage-monitor/vantage/internal/flowstore"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/web"
)

// flows runs the flow collector (netflow, sflow and jflow listeners), the
// session builder and the flow store, and answers flow queries.
type flows struct {
	s         *Server
	collector *flow.Collector
	builder   *flowstore.Builder
	store     flowstore.Store
	backend   string
	ports     []string
	// ctx ends when the server stops: maintenance started by a settings
	// change runs no longer.
	ctx context.Context

	// mu guards what the Settings page changes while queries read it:
	// the inside networks (parsed, and as written) and the store's limits.
	mu         sync.RWMutex
	inside     []netip.Prefix
	insideText []string
	maxBytes   int64
	maxAge     dur.Duration

	wg sync.WaitGroup
}

// startFlows binds the flow listeners the configuration asks for and opens
// the store. With every listener off and no flow data on disk nothing is
// started, so a server that does not collect flows pays nothing for them.
func (s *Server) startFlows(ctx context.Context) error {
	l := s.cfg.Listeners
	wanted := []struct{ name, addr string }{{"netflow", l.NetFlow}, {"sflow", l.SFlow}, {"jflow", l.JFlow}}
	on := false
	for _, w := range wanted {
		if w.addr != "off" {
			on = true
		} else {
			s.listeners = append(s.listeners, Listener{Name: w.name, Flag: "--" + w.name, Address: "off", State: "off"})
		}
	}
	dir := filepath.Join(s.opts.DataDir, "flows")
	dbURL := s.cfg.Flows.Database
	if s.opts.FlowDB != "" {
		dbURL = s.opts.FlowDB
	}
	if r := s.cfg.Flows.Remote; r.URL != "" {
		s.remoteFlows = newRemoteFlows(r.URL, r.Token, r.Insecure)
	}
	if !on && dbURL == "" && !hasFiles(dir) {
		return nil
	}
	inside, err := s.cfg.Flows.InsidePrefixes()
	if err != nil {
		return err
	}
	f := &flows{s: s, inside: inside, insideText: s.cfg.Flows.Inside, maxBytes: s.cfg.Flows.MaxBytes, maxAge: s.cfg.Flows.MaxAge}
	log := s.logger.With("component", "flows")
	opts := flowstore.Options{MaxBytes: s.cfg.Flows.MaxBytes, MaxAge: s.cfg.Flows.MaxAge.Std(), Ports: s.cfg.Flows.Ports(), Logger: log}
	if dbURL != "" {
		ch, err := flowstore.OpenClickHouse(ctx, dbURL, opts)
		if err != nil {
			return fmt.Errorf("flow database (--flowdb or flows.database): %w", err)
		}
		f.store, f.backend = ch, "clickhouse"
	} else {
		d, err := flowstore.OpenDuck(dir, opts)
		if err != nil {
			return fmt.Errorf("flow store %s: %w", dir, err)
		}
		f.store, f.backend = d, "embedded"
	}
	if f.builder, err = flowstore.NewBuilder(s.cfg.Flows.BuilderConfig(), log); err != nil {
		f.store.Close()
		return err
	}
	cc := s.cfg.Flows.Collector
	if cc.TemplateFile == "" {
		cc.TemplateFile = filepath.Join(dir, "templates.json")
		os.MkdirAll(dir, 0o755)
	}
	if f.collector, err = flow.New(cc, flow.Deps{Sink: f.builder, Logger: log}); err != nil {
		f.store.Close()
		return err
	}
	if err := f.collector.Start(ctx); err != nil {
		f.store.Close()
		return err
	}
	bctx, stopBuilder := context.WithCancel(context.WithoutCancel(ctx))
	f.ctx = bctx
	f.wg.Go(func() { f.builder.Run(bctx, f.store) })
	for _, w := range wanted {
		if w.addr == "off" {
			continue
		}
		bound, err := f.collector.ListenUDP(ctx, w.addr)
		var tcpErr error
		if err == nil && w.name == "netflow" {
			// IPFIX may also come over TCP, on the same port.
			_, tcpErr = f.collector.ListenTCP(ctx, w.addr)
		}
		if err != nil {
			msg := fmt.Sprintf("--%s %s: %v", w.name, w.addr, err)
			if s.opts.Listeners[w.name] != "" {
				f.collector.Stop()
				stopBuilder()
				f.wg.Wait()
				f.store.Close()
				return fmt.Errorf("%s (use --%s with another port, or off)", msg, w.name)
			}
			s.logger.Error("default listener not bound", "err", msg)
			s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: msg})
			s.listeners = append(s.listeners, Listener{Name: w.name, Flag: "--" + w.name, Address: w.addr, State: "failed", Error: msg})
			continue
		}
		detail := ""
		if tcpErr != nil {
			detail = "IPFIX over TCP not available: " + tcpErr.Error()
		}
		s.listeners = append(s.listeners, Listener{Name: w.name, Flag: "--" + w.name, Address: bound.String(), State: "listening", Error: detail})
		f.ports = append(f.ports, w.name+" "+bound.String())
	}
	s.flows = f
	go func() {
		<-ctx.Done()
		f.collector.Stop()
		stopBuilder()
	}()
	return nil
}

// flowViews is web.Deps.Flows: the local collector, else a remote one
// (flows.remote), else nil.
func (s *Server) flowViews() web.Flows {
	switch {
	case s.flows != nil:
		return s.flows
	case s.remoteFlows != nil:
		return s.remoteFlows
	}
	return nil
}

// hasFiles reports whether dir holds anything (flow data from before).
func hasFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0
}

// close waits for the builder's last sessions and closes the store.
func (f *flows) close() {
	f.wg.Wait()
	if err := f.store.Close(); err != nil {
		f.s.logger.Warn("flow store close", "err", err)
	}
}

// Exporters lists the exporters with the map devices at their addresses.
func (f *flows) Exporters(context.Context) ([]web.FlowExporter, error) {
	out := []web.FlowExporter{}
	for _, e := range f.collector.Exporters() {
		fe := web.FlowExporter{ExporterInfo: e, Devices: []string{}}
		if a, err := netip.ParseAddr(e.Address); err == nil {
			maps, devs := f.s.monitor.DevicesAt(a)
			for i := range maps {
				fe.Devices = append(fe.Devices, netmap.DeviceID(maps[i], devs[i]))
			}
		}
		out = append(out, fe)
	}
	return out, nil
}

// Top answers a top-N query; "inside" views use the configured networks.
func (f *flows) Top(ctx context.Context, q flowstore.Query, inside bool) ([]web.FlowRow, error) {
	if inside {
		q.Inside = f.insideNets()
	}
	rows, err := f.store.Top(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]web.FlowRow, len(rows))
	for i, r := range rows {
		out[i] = web.FlowRow{Row: r}
		if r.Exporter != "" && r.IfIndex != 0 {
			out[i].Interface = f.interfaceName(r.Exporter, r.IfIndex)
		}
	}
	return out, nil
}

// interfaceName names an exporter's interface: from the exporter's own
// options data, else from SNMP polls of the device at its address.
func (f *flows) interfaceName(exporter string, index uint32) string {
	for _, e := range f.collector.Exporters() {
		if e.Address == exporter {
			if n, ok := e.Interfaces[strconv.FormatUint(uint64(index), 10)]; ok && n.Name != "" {
				return n.Name
			}
		}
	}
	a, err := netip.ParseAddr(exporter)
	if err != nil {
		return ""
	}
	maps, devs := f.s.monitor.DevicesAt(a)
	for i := range maps {
		st, ok := f.s.monitor.Status(maps[i], devs[i])
		if !ok {
			continue
		}
		ifs, _ := st.Last.Values["interfaces"].([]probe.SNMPInterface)
		for _, x := range ifs {
			if uint32(x.Index) == index {
				if x.Name != "" {
					return x.Name
				}
				return x.Descr
			}
		}
	}
	return ""
}

// Chart answers a time chart.
func (f *flows) Chart(ctx context.Context, q flowstore.Query, buckets int, inside bool) (flowstore.Chart, error) {
	if inside {
		q.Inside = f.insideNets()
	}
	c, err := f.store.TimeChart(ctx, q, buckets)
	if settled := time.Now().Add(-f.builder.Latency()); err == nil && c.To.After(settled) {
		c.Settled = settled.UTC()
	}
	return c, err
}

// About is the diagnostics summary for bug reports.
func (f *flows) About(ctx context.Context) (web.FlowAbout, error) {
	size, err := f.store.Size(ctx)
	a := web.FlowAbout{
		Versions:  []string{"netflow1", "netflow5", "netflow7", "netflow9", "ipfix (UDP and TCP)", "sflow2", "sflow4", "sflow5"},
		Listeners: f.ports, Backend: f.backend, Collector: f.collector.Stats(), Sessions: f.builder.Stats(),
		DatabaseBytes: size, MaxBytes: f.settings().MaxBytes, Progress: f.store.Progress(), Time: time.Now(),
	}
	if err != nil {
		a.DatabaseError = err.Error()
	}
	for _, e := range f.collector.Exporters() {
		a.Exporters++
		a.Templates += len(e.Templates)
	}
	return a, nil
}

// insideNets are the inside networks now (the Settings page changes them).
func (f *flows) insideNets() []netip.Prefix {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inside
}

// settings are the inside networks and store limits now, as the Settings
// page shows them.
func (f *flows) settings() config.FlowSettings {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return config.FlowSettings{Inside: f.insideText, MaxBytes: f.maxBytes, MaxAge: f.maxAge}
}
