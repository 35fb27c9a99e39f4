package server

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/trap"
)

// trapDirectory finds trap recipients among the monitored devices.
type trapDirectory struct{ s *Server }

func (d trapDirectory) DevicesAt(a netip.Addr) []trap.DeviceRef {
	maps, devices := d.s.monitor.DevicesAt(a)
	out := make([]trap.DeviceRef, len(maps))
	for i := range maps {
		out[i] = trap.DeviceRef{Map: maps[i], Device: devices[i]}
	}
	return out
}

// buildTraps creates the trap receiver (not yet listening) from the
// traps: section of config.yaml and the --traps listener.
func (s *Server) buildTraps() error {
	addr := s.cfg.Listeners.Traps
	if addr == "off" {
		return nil
	}
	cfg := s.cfg.Traps
	cfg.Listen = strings.Split(addr, ",")
	svc, err := trap.New(cfg, trap.Deps{
		Directory: trapDirectory{s}, Deliver: s.deliverTrap, Events: s.events, Names: s.names,
		Logger: s.logger.With("component", "trap"), Registerer: s.reg,
	})
	if err != nil {
		return err
	}
	s.traps = svc
	s.repoller = trap.NewRepoller(func(key string) <-chan struct{} {
		if done := s.poller.PollNowDone(key); done != nil {
			return done
		}
		closed := make(chan struct{})
		close(closed)
		return closed
	})
	return nil
}

// deliverTrap hands a device's copy of a trap to its probe when the probe
// takes traps (trap probes, the Trap Viewer), then re-polls the device:
// one poll now, and at most one more however many traps follow.
func (s *Server) deliverTrap(d trap.DeviceRef, t trap.Trap) {
	key := s.monitor.KeyOf(d.Map, d.Device)
	if key == "" {
		return
	}
	if s.alerting != nil {
		s.alerting.observe(d.Map, d.Device, "TRAP", trap.FormatShort(t, s.names))
	}
	if th, ok := s.poller.Probe(key).(probe.TrapHandler); ok {
		s.monitor.Observe(key, th.HandleTrap(t.Variables(), t.Varbinds, t.TrapOID))
	}
	s.repoller.Trigger(key)
}

// startTraps binds the trap listeners. A --traps the user gave that cannot
// be bound stops start-up; the default is reported and skipped.
func (s *Server) startTraps(ctx context.Context) error {
	if s.traps == nil {
		s.listeners = append(s.listeners, Listener{Name: "traps", Flag: "--traps", Address: "off", State: "off"})
		return nil
	}
	addr := s.cfg.Listeners.Traps
	if err := s.traps.Start(ctx); err != nil {
		var be *trap.BindError
		msg := err.Error()
		if errors.As(err, &be) {
			msg = "--traps " + addr + ": " + be.Error()
		}
		if s.opts.Listeners["traps"] != "" {
			return errors.New(msg)
		}
		s.logger.Error("default listener not bound", "err", msg)
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: msg})
		s.listeners = append(s.listeners, Listener{Name: "traps", Flag: "--traps", Address: addr, State: "failed", Error: msg})
		s.traps = nil
		return nil
	}
	var bound []string
	for _, a := range s.traps.Addrs() {
		bound = append(bound, a.String())
	}
	s.listeners = append(s.listeners, Listener{Name: "traps", Flag: "--traps", Address: strings.Join(bound, ","), State: "listening"})
	return nil
}

// trapInfo is the trap receiver's part of GET /api/v1/server.
type trapInfo struct {
	EngineID string     `json:"engine_id"`
	Stats    trap.Stats `json:"stats"`
}

func (s *Server) trapInfo() *trapInfo {
	if s.traps == nil {
		return nil
	}
	return &trapInfo{EngineID: s.traps.EngineID(), Stats: s.traps.Stats()}
}

// recentTraps answers GET /api/v1/traps.
func (s *Server) recentTraps(q trap.Query) []trap.Record {
	if s.traps == nil {
		return []trap.Record{}
	}
	return s.traps.Recent(q)
}
