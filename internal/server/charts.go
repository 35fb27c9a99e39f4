package server

import (
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
	"github.com/vantage-monitor/vantage/internal/store"
	"github.com/vantage-monitor/vantage/internal/web"
)

// charts records every poll's datasets into the embedded database, keeps
// them within the retention policies and answers chart queries.
type charts struct {
	server  string
	backend chart.Backend
	rec     *chart.Recorder
	querier chart.Querier
	pruner  chart.Pruner
	folder  config.Folder
	events  *eventlog.Log

	// central, when set, receives a copy of every sample.
	central    *store.Central
	forwarder  *store.Forwarder
	centralURL string

	mu        sync.RWMutex
	retention chart.Policies
	// only holds the devices whose map file limits their datasets
	// ("datasets: [...]"), by map and device; most maps set none.
	only map[[2]string]netmap.Device
}

// centralInfo is the link to the central database in GET /api/v1/server.
type centralInfo struct {
	URL string `json:"url"`
	store.ForwarderStatus
}

// tee writes samples to the embedded database and forwards them to the
// central one; the forwarder spools and counts its own failures, so only
// the embedded write can fail a batch.
type tee struct {
	chart.Backend
	forward *store.Forwarder
}

func (t tee) Write(ctx context.Context, samples []chart.Sample) error {
	err := t.Backend.Write(ctx, samples)
	t.forward.Write(ctx, samples)
	return err
}

func (s *Server) buildCharts() error {
	name := s.cfg.ServerName
	if name == "" {
		name, _ = os.Hostname()
	}
	c := &charts{server: name, backend: store.NewSamples(s.db), folder: s.folder, events: s.events, retention: s.cfg.Retention}
	log := s.logger.With("component", "charts")
	var sink chart.Backend = c.backend
	url := s.cfg.Database.URL
	if s.opts.CentralDB != "" {
		url = s.opts.CentralDB
	}
	if url != "" {
		central, err := store.NewCentral(url, s.logger.With("component", "central-db"))
		if err != nil {
			return fmt.Errorf("central database (--db or database.url): %w", err)
		}
		fw, err := store.NewForwarder(central, filepath.Join(filepath.Dir(s.folder.DB()), "central.spool"), s.logger.With("component", "central-db"),
			store.ForwarderOptions{MaxSpoolBytes: s.cfg.Database.SpoolMax})
		if err != nil {
			central.Close()
			return fmt.Errorf("central database spool: %w", err)
		}
		c.central, c.forwarder, c.centralURL = central, fw, redactURL(url)
		sink = tee{Backend: c.backend, forward: fw}
	}
	c.rec = chart.New(sink, chart.Options{Server: name, Logger: log, Filter: c.wanted})
	c.querier = chart.Querier{Backend: c.backend, Retention: c.policies}
	c.pruner = chart.Pruner{Backend: c.backend, Policies: c.policies, Server: name, Logger: log}
	s.charts = c
	return nil
}

// redactURL hides a database password in what the API shows.
func redactURL(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = neturl.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// centralInfo reports the central database link; nil without one.
func (c *charts) centralInfo() *centralInfo {
	if c.forwarder == nil {
		return nil
	}
	return &centralInfo{URL: c.centralURL, ForwarderStatus: c.forwarder.Status()}
}

// run records and prunes until ctx ends; queued samples are written out
// before it returns.
func (c *charts) run(ctx context.Context) {
	var wg sync.WaitGroup
	fwCtx, stopForwarding := context.WithCancel(context.WithoutCancel(ctx))
	if c.forwarder != nil {
		wg.Go(func() {
			if err := c.forwarder.Run(fwCtx); err != nil {
				c.events.Write(eventlog.Event{Kind: "ERROR", Message: "central database forwarding stopped: " + err.Error()})
			}
		})
	}
	var rec sync.WaitGroup
	rec.Go(func() { c.rec.Run(ctx) })
	wg.Go(func() { c.pruner.Run(ctx, time.Hour) })
	// The recorder's last batch goes through the forwarder (spooled when
	// the central database is away), so forwarding stops after it.
	rec.Wait()
	stopForwarding()
	wg.Wait()
	if c.forwarder != nil {
		c.forwarder.Close()
		c.central.Close()
	}
}

// watchMaps keeps the per-device dataset choices current as maps change.
func (c *charts) watchMaps(maps *netmap.Store, m *monitor.Monitor) {
	refresh := func() {
		only := map[[2]string]netmap.Device{}
		for _, mp := range maps.Maps() {
			for _, d := range mp.Devices {
				if len(d.Datasets) > 0 {
					only[[2]string{mp.Name, d.Name}] = d
				}
			}
		}
		c.mu.Lock()
		c.only = only
		c.mu.Unlock()
	}
	refresh()
	m.Subscribe(func(u monitor.Update) {
		if u.MapChanged || u.MapDeleted {
			refresh()
		}
	})
}

// wanted is the recorder's filter: a device's own dataset list, if any.
func (c *charts) wanted(m chart.Meta) bool {
	c.mu.RLock()
	d, limited := c.only[[2]string{m.Map, m.Device}]
	c.mu.RUnlock()
	return !limited || d.Records(m.Dataset)
}

// record is the monitor's OnResult: it never blocks the poller.
func (c *charts) record(mapName, device string, r status.Result) { c.rec.Record(mapName, device, r) }

func (c *charts) policies() chart.Policies {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.retention
}

// Datasets lists a device's datasets recorded by this server.
func (c *charts) Datasets(ctx context.Context, mapName, device string) ([]chart.Meta, error) {
	return c.backend.Datasets(ctx, c.server, mapName, device)
}

// Query reads this server's data for one series.
func (c *charts) Query(ctx context.Context, s chart.Series, from, to time.Time, points int) (chart.Chart, error) {
	s.Server = c.server
	return c.querier.Query(ctx, s, from, to, points)
}

// Retention returns the retention settings.
func (c *charts) Retention() chart.Policies { return c.policies() }

// SetRetention validates, saves to config.yaml and applies new retention
// settings; the next pruning pass follows them.
func (c *charts) SetRetention(ctx context.Context, p chart.Policies, user string) (chart.Policies, error) {
	if err := p.Validate(); err != nil {
		return chart.Policies{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cfg, err := c.folder.SaveRetention(p)
	if err != nil {
		return chart.Policies{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	c.retention = cfg.Retention
	c.events.Write(eventlog.Event{Kind: "CONFIG", Message: fmt.Sprintf("retention changed by %s: raw %s, 5-minute %s, hourly %s, daily %s, %d rules",
		user, p.Raw, p.FiveMinutes, p.Hour, p.Day, len(p.Rules))})
	return c.retention, nil
}

// Stats reports the recorder's health for GET /api/v1/server.
func (c *charts) Stats() chart.Stats { return c.rec.Stats() }
