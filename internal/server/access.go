package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/ctl"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/remote"
	"github.com/vantage-monitor/vantage/internal/status"
)

// ctlBackend is the server as the admin commands (console, vantage ctl)
// and the remote protocol see it.
type ctlBackend struct{ s *Server }

// ctlBackend is web.Deps.Ctl.
func (s *Server) ctlBackend() ctl.Backend { return ctlBackend{s} }

// Maps implements ctl.Backend.
func (b ctlBackend) Maps() []ctl.Map {
	var out []ctl.Map
	for _, name := range b.s.monitor.SortedMapNames() {
		m, ok := b.s.maps.Get(name)
		if !ok {
			continue
		}
		v := ctl.Map{Name: name, Status: b.s.monitor.MapStatus(name).String(), Devices: len(m.Devices)}
		for _, d := range m.Devices {
			if st, ok := b.s.monitor.Status(name, d.Name); ok && st.Level == status.Down {
				v.Down++
			}
		}
		out = append(out, v)
	}
	return out
}

// Devices implements ctl.Backend.
func (b ctlBackend) Devices(mapName string) ([]ctl.Device, bool) {
	m, ok := b.s.maps.Get(mapName)
	if !ok {
		return nil, false
	}
	out := make([]ctl.Device, 0, len(m.Devices))
	for _, d := range m.Devices {
		out = append(out, b.device(m.Name, d))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, true
}

// Status implements ctl.Backend.
func (b ctlBackend) Status(mapName, device string) (ctl.Device, bool) {
	m, ok := b.s.maps.Get(mapName)
	if !ok {
		return ctl.Device{}, false
	}
	d := m.FindDevice(device)
	if d == nil {
		return ctl.Device{}, false
	}
	return b.device(m.Name, *d), true
}

func (b ctlBackend) device(mapName string, d netmap.Device) ctl.Device {
	v := ctl.Device{Map: mapName, Name: d.Name, Address: d.Address, Probe: d.ProbeID(), Status: status.Unknown.String(), Reason: "not polled yet"}
	if st, ok := b.s.monitor.Status(mapName, d.Name); ok {
		v.Status, v.Reason, v.Since, v.LastPoll, v.Polls, v.Failures = st.Level.String(), st.Reason, st.Since, st.LastPoll, st.Polls, st.Failures
	}
	if k, ok := b.s.acks.Effective(mapName, d.Name); ok && k.Active(time.Now()) {
		v.Acknowledged, v.Maintenance = k.Kind == alert.KindBasic, k.Kind == alert.KindMaintenance
	}
	return v
}

// pollWait bounds how long `poll DEVICE` waits for the poll it asked for.
const pollWait = 2 * time.Minute

// PollNow implements ctl.Backend: the poll goes to the front of the
// schedule and the call returns when it has finished.
func (b ctlBackend) PollNow(ctx context.Context, mapName, device string) error {
	key := b.s.monitor.KeyOf(mapName, device)
	if key == "" {
		return errors.New("the device is not polled (see its status for why)")
	}
	done := b.s.poller.PollNowDone(key)
	if done == nil {
		return errors.New("the device is not scheduled")
	}
	ctx, cancel := context.WithTimeout(ctx, pollWait)
	defer cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no result yet: %w", ctx.Err())
	}
}

// FlowExporters implements ctl.Backend.
func (b ctlBackend) FlowExporters() ([]ctl.Exporter, error) {
	if b.s.flows == nil {
		return nil, ctl.ErrNoFlows
	}
	out := []ctl.Exporter{}
	for _, e := range b.s.flows.collector.Exporters() {
		out = append(out, ctl.Exporter{Address: e.Address, Versions: e.Versions, Records: e.Records, LastSeen: e.LastSeen})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// External implements ctl.Backend: the central database and the flow
// collector with its store.
func (b ctlBackend) External() []ctl.Link {
	var out []ctl.Link
	if c := b.s.charts.centralInfo(); c != nil {
		l := ctl.Link{Kind: "central database", Target: c.URL, State: "disconnected",
			Detail: fmt.Sprintf("written %d, replayed %d, spooled %d rows (%d bytes), dropped %d", c.Written, c.Replayed, c.SpooledRows, c.SpoolBytes, c.DroppedRows)}
		if c.Connected {
			l.State = "connected"
		}
		if c.LastError != "" {
			l.Detail += "; last error " + c.LastErrorTime.UTC().Format(time.RFC3339) + ": " + c.LastError
		}
		out = append(out, l)
	} else {
		out = append(out, ctl.Link{Kind: "central database", State: "off", Detail: "database.url is not set"})
	}
	f := b.s.flows
	if f == nil {
		return append(out, ctl.Link{Kind: "flow collector", State: "off", Detail: ctl.ErrNoFlows.Error()})
	}
	ports := "no listeners bound"
	if len(f.ports) > 0 {
		ports = fmt.Sprint(f.ports)
	}
	out = append(out, ctl.Link{Kind: "flow collector", State: "running", Detail: fmt.Sprintf("%d exporters; %s", len(f.collector.Exporters()), ports)})
	return append(out, ctl.Link{Kind: "flow store", Target: f.backend, State: "open"})
}

// remoteSource adds the change feed the remote protocol streams.
type remoteSource struct{ ctlBackend }

// Subscribe implements remote.Source.
func (r remoteSource) Subscribe(fn func(remote.Change)) func() {
	return r.s.monitor.Subscribe(func(u monitor.Update) {
		fn(remote.Change{Map: u.Map, Device: u.Device, MapChanged: u.MapChanged, MapDeleted: u.MapDeleted})
	})
}
