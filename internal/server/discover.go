package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/discover"
	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/web"
)

// Discovery bounds: scans at once, finished jobs remembered, and how long
// one scan may run.
const (
	maxDiscoveryJobs = 2
	keepFinishedJobs = 50
	discoveryLimit   = 2 * time.Hour
)

// discovery runs the web API's scans in the background on the server's
// context, so a scan ends with the server, not with the request that
// started it, and merges each result into its map through the map store.
type discovery struct {
	ctx     context.Context
	scanner *discover.Scanner
	maps    *netmap.Store
	events  *eventlog.Log
	log     *slog.Logger
	sem     chan struct{}

	mu    sync.Mutex
	jobs  map[string]*web.DiscoveryJob
	order []string // finished jobs, oldest first
}

// discovery returns the web API's discovery service; ctx is the server's
// run context.
func (s *Server) discovery(ctx context.Context) web.Discovery {
	deps := discover.Deps{SNMP: s.snmp, DNS: dnsmon.New(s.cfg.DNS, s.logger.With("component", "dnsmon")),
		Credentials: s.cfg.SNMP, Logger: s.logger.With("component", "discover")}
	if s.engine != nil {
		deps.Pinger = s.engine
	}
	return &discovery{ctx: ctx, scanner: discover.New(deps), maps: s.maps, events: s.events, log: deps.Logger,
		sem: make(chan struct{}, maxDiscoveryJobs), jobs: map[string]*web.DiscoveryJob{}}
}

// Start validates req, then scans in the background. The request's own
// context is not used: the scan outlives the request.
func (d *discovery) Start(_ context.Context, mapName string, req discover.Request) (string, error) {
	if _, err := req.Prepare(d.scanner.Credentials()); err != nil {
		return "", fmt.Errorf("%w: %w", web.ErrBadRequest, err)
	}
	select {
	case d.sem <- struct{}{}:
	default:
		return "", fmt.Errorf("%d scans are already running; wait for one to finish", maxDiscoveryJobs)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	job := &web.DiscoveryJob{ID: id, Map: mapName, State: "running", Progress: discover.Progress{Phase: discover.PhasePing}}
	d.mu.Lock()
	d.jobs[id] = job
	d.mu.Unlock()
	d.events.Write(eventlog.Event{Kind: eventlog.KindInfo, Map: mapName, Message: fmt.Sprintf("discovery %s started: %v", id, req.CIDRs)})
	go d.run(job, req)
	return id, nil
}

func (d *discovery) run(job *web.DiscoveryJob, req discover.Request) {
	defer func() { <-d.sem }()
	ctx, cancel := context.WithTimeout(d.ctx, discoveryLimit)
	defer cancel()
	res, err := d.scanner.Scan(ctx, req, func(p discover.Progress) {
		d.mu.Lock()
		job.Progress = p
		d.mu.Unlock()
	})
	var ch discover.Changes
	if err == nil {
		err = d.maps.Update(job.Map, func(m *netmap.Map) error {
			ch = discover.Apply(m, res)
			return nil
		})
	}
	d.mu.Lock()
	job.Hosts, job.Subnets, job.Links = res.Hosts, res.Subnets, res.Links
	if err != nil {
		job.State, job.Error = "failed", err.Error()
	} else {
		job.State, job.Changes = "done", &ch
	}
	d.order = append(d.order, job.ID)
	for len(d.order) > keepFinishedJobs {
		delete(d.jobs, d.order[0])
		d.order = d.order[1:]
	}
	d.mu.Unlock()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("stopped with the server")
		}
		d.events.Write(eventlog.Event{Kind: eventlog.KindError, Map: job.Map, Message: fmt.Sprintf("discovery %s failed: %v", job.ID, err)})
		return
	}
	d.events.Write(eventlog.Event{Kind: eventlog.KindMap, Map: job.Map, Message: fmt.Sprintf(
		"discovery %s: %d hosts found; added %d devices, %d networks, %d links; updated %d devices",
		job.ID, len(res.Hosts), len(ch.AddedDevices), len(ch.AddedNetworks), ch.AddedLinks, len(ch.UpdatedDevices))})
}

// Job returns a copy of a job.
func (d *discovery) Job(id string) (web.DiscoveryJob, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	j, ok := d.jobs[id]
	if !ok {
		return web.DiscoveryJob{}, false
	}
	return *j, true
}
