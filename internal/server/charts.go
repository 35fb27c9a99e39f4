package server

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/eventlog"
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

	mu        sync.RWMutex
	retention chart.Policies
}

func (s *Server) buildCharts() {
	name := s.cfg.ServerName
	if name == "" {
		name, _ = os.Hostname()
	}
	c := &charts{server: name, backend: store.NewSamples(s.db), folder: s.folder, events: s.events, retention: s.cfg.Retention}
	log := s.logger.With("component", "charts")
	c.rec = chart.New(c.backend, chart.Options{Server: name, Logger: log})
	c.querier = chart.Querier{Backend: c.backend, Retention: c.policies}
	c.pruner = chart.Pruner{Backend: c.backend, Policies: c.policies, Server: name, Logger: log}
	s.charts = c
}

// run records and prunes until ctx ends; queued samples are written out
// before it returns.
func (c *charts) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { c.rec.Run(ctx) })
	wg.Go(func() { c.pruner.Run(ctx, time.Hour) })
	wg.Wait()
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
