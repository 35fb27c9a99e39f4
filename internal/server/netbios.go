package server

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/discover"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// netbiosNames resolves the devices written \NAME by NetBIOS name queries
// on this server's own networks (the seed's rule: such a device is never
// looked up in DNS), re-resolving every few minutes and when maps change.
type netbiosNames struct {
	s *Server

	mu    sync.RWMutex
	addrs map[string]netip.Addr
	kick  chan struct{}
}

const netbiosRefresh = 5 * time.Minute

func newNetBIOSNames(s *Server) *netbiosNames {
	return &netbiosNames{s: s, addrs: map[string]netip.Addr{}, kick: make(chan struct{}, 1)}
}

// lookup is the monitor's NetBIOS hook.
func (n *netbiosNames) lookup(name string) (netip.Addr, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	a, ok := n.addrs[name]
	return a, ok
}

// run resolves until ctx ends; maps that name no \NAME device cost nothing
// and send nothing.
func (n *netbiosNames) run(ctx context.Context) {
	cancel := n.s.monitor.Subscribe(func(u monitor.Update) {
		if u.MapChanged || u.MapDeleted {
			select {
			case n.kick <- struct{}{}:
			default:
			}
		}
	})
	defer cancel()
	t := time.NewTicker(netbiosRefresh)
	defer t.Stop()
	for {
		n.resolveAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.kick:
		}
	}
}

func (n *netbiosNames) resolveAll(ctx context.Context) {
	var names []string
	for _, m := range n.s.maps.Maps() {
		for _, d := range m.Devices {
			if name, ok := netmap.NetBIOSName(d.Address); ok && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	lans := discover.LocalPrefixes()
	changed := false
	for _, name := range names {
		a, err := discover.ResolveNetBIOS(ctx, name, lans, 2*time.Second)
		n.mu.Lock()
		old, had := n.addrs[name]
		switch {
		case err == nil && (!had || old != a):
			n.addrs[name], changed = a, true
			n.s.events.Write(eventlog.Event{Kind: "INFO", Message: fmt.Sprintf("NetBIOS name %s is at %s", name, a)})
		case err != nil && had:
			// Keep polling the last address known: a Windows host that
			// stops answering name queries is better shown down there.
			n.s.logger.Warn("NetBIOS name no longer resolves", "name", name, "last", old, "err", err)
		case err != nil:
			n.s.logger.Info("NetBIOS name not resolved", "name", name, "err", err)
		}
		n.mu.Unlock()
	}
	if changed {
		n.s.monitor.Sync()
	}
}
