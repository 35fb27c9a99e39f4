package server

// Map sync and cross-server map status, server side: the settings archive
// for GET /api/v1/export, the other servers' map lists for
// GET /api/v1/remote-maps, and this server's map summaries for Map Status
// devices that follow a local map.

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/settingsync"
)

// remoteMapsTimeout bounds each other server's answer in the map list, so
// one unreachable server does not hold the list up for long.
const remoteMapsTimeout = 5 * time.Second

// federation adapts the server to the web API's Exporter and RemoteMaps
// and to the Map Status probe's MapSummaries. It reads the server's
// fields when called, so it can be handed out before they are built.
type federation struct{ s *Server }

// federation returns the adapter; see web.Exporter, web.RemoteMaps and
// probe.MapSummaries.
func (s *Server) federation() federation { return federation{s} }

// Export writes the settings archive.
func (f federation) Export(ctx context.Context, w io.Writer) error {
	_, err := settingsync.Export(ctx, f.s.opts.DataDir, w, settingsync.ExportOptions{
		Version: f.s.opts.Version, Server: f.serverName(), Logger: f.s.logger.With("component", "export"),
	})
	return err
}

// RemoteMaps lists the maps of the servers in config.yaml, read afresh so
// an edited servers: list needs no restart, then the user's own servers.
func (f federation) RemoteMaps(ctx context.Context, user string) []remotes.ServerMaps {
	servers := f.s.cfg.Servers
	if cfg, err := f.s.folder.Load(); err == nil {
		servers = cfg.Servers
	}
	if own, err := f.UserServers(ctx, user); err == nil {
		servers = append(append([]remotes.Server(nil), servers...), own...)
	}
	return remotes.ListMaps(ctx, servers, remoteMapsTimeout)
}

// UserServers, PutUserServer and DeleteUserServer keep each user's own
// list of other servers.
func (f federation) UserServers(ctx context.Context, user string) ([]remotes.Server, error) {
	return remotes.NewUserServers(f.s.db).List(ctx, user)
}

func (f federation) PutUserServer(ctx context.Context, user string, s remotes.Server) error {
	return remotes.NewUserServers(f.s.db).Put(ctx, user, s)
}

func (f federation) DeleteUserServer(ctx context.Context, user, name string) (bool, error) {
	return remotes.NewUserServers(f.s.db).Delete(ctx, user, name)
}

// MapSummary summarizes one of this server's maps for a Map Status device,
// here or (GET /api/v1/maps/{map}/summary) on another server, with the
// map's key and what it follows so loops across servers are found.
func (f federation) MapSummary(ctx context.Context, name string) (remotes.Summary, bool) {
	s := f.s
	if s.maps == nil || s.monitor == nil {
		return remotes.Summary{}, false
	}
	all := s.maps.Maps()
	sum, ok := remotes.Summarize(all, name, f.deviceState, f.isMapStatus)
	if !ok {
		return sum, false
	}
	sum.Server = f.serverName()
	sum.Key = f.MapKey(name)
	sum.Follows = remotes.Follows(all, name, f.deviceState, f.isMapStatus, f.MapKey)
	return sum, true
}

// MapKey names one of this server's maps to other servers.
func (f federation) MapKey(name string) string { return remotes.MapKey(f.s.mapKeys, name) }

// ServerName names this server in a loop's reason.
func (f federation) ServerName() string { return f.serverName() }

// newMapKeys draws the secret of this run's map keys. A fresh one per run
// is enough: keys only need to tell this server's maps from others' while
// the servers' summaries refer to each other, and a restart is caught up
// within a poll.
func newMapKeys() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

func (f federation) deviceState(mapName, device string) remotes.DeviceState {
	var ds remotes.DeviceState
	if st, ok := f.s.monitor.Status(mapName, device); ok {
		ds.Level, ds.Unreachable = st.Level, st.Behind != ""
		ds.Loop, ds.Follows = remotes.LoopState(st.Last.Values)
	}
	if f.s.acks != nil {
		if k, ok := f.s.acks.Effective(mapName, device); ok {
			ds.Acked, ds.Maintenance = k.Kind == alert.KindBasic, k.Kind == alert.KindMaintenance
		}
	}
	return ds
}

func (f federation) isMapStatus(id string) bool {
	c, ok := f.s.probes.Canonical(id)
	return ok && c == remotes.MapStatusProbe
}

func (f federation) serverName() string {
	if f.s.charts != nil && f.s.charts.server != "" {
		return f.s.charts.server
	}
	return f.s.cfg.ServerName
}
