package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/notify"
	"github.com/vantage-monitor/vantage/internal/status"
)

// alerting connects status changes and traps to the notifiers through the
// rules engine; every decision, sent or suppressed, is a NOTIFY event.
type alerting struct {
	s       *Server
	n       *notifications
	engine  *alert.Engine
	baseURL string
	wg      sync.WaitGroup
}

func (s *Server) buildAlerting() error {
	n, err := newNotifications(s.folder, s.events, s.cfg)
	if err != nil {
		return err
	}
	s.alerting = &alerting{s: s, n: n, engine: n.engine}
	return nil
}

// state is what the rules need to know of a device now.
func (a *alerting) state(mapName, device string) alert.DeviceState {
	k, ok := a.s.acks.Effective(mapName, device)
	st, _ := a.s.monitor.Status(mapName, device)
	return alert.DeviceState{Acknowledged: ok && k.Kind == alert.KindBasic, Maintenance: ok && k.Kind == alert.KindMaintenance,
		Unreachable: st.Behind != ""}
}

// observe hands one status change or trap to the rules.
func (a *alerting) observe(mapName, device, kind, reason string) {
	ev := alert.Event{Map: mapName, Device: device, Kind: kind, Reason: reason, Time: time.Now()}
	a.execute(a.engine.Observe(ev, a.state(mapName, device)))
}

// run ticks the engine for delayed notices, repeats and escalations.
func (a *alerting) run(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			a.wg.Wait()
			return
		case <-t.C:
			a.execute(a.engine.Tick(a.state))
		}
	}
}

// execute sends what is due, each in its own goroutine so a slow mail
// server never holds up the others, and logs every decision.
func (a *alerting) execute(ds []alert.Decision) {
	for _, d := range ds {
		what := fmt.Sprintf("%s notification via %s for %s %s:%s (rule %s%s)", "", d.Notifier, d.Event.Kind, d.Event.Map, d.Event.Device, d.Rule, a.nth(d))
		if !d.Sent() {
			a.s.events.Write(eventlog.Event{Kind: "NOTIFY", Map: d.Event.Map, Device: d.Event.Device,
				Message: "suppressed" + what + ": " + d.Suppressed})
			continue
		}
		nn, ok := a.n.get(d.Notifier)
		if !ok {
			continue // rules are validated against the notifiers when set
		}
		m := notify.Message{Time: d.Event.Time, Kind: d.Event.Kind, Map: d.Event.Map, Device: d.Event.Device, Reason: d.Event.Reason,
			Status: strings.ToLower(d.Event.Kind), URL: a.deviceURL(d.Event.Map, d.Event.Device)}
		if mp, ok := a.s.maps.Get(d.Event.Map); ok {
			if dev := mp.FindDevice(d.Event.Device); dev != nil {
				m.Address = dev.Address
			}
		}
		m.Acknowledged = a.state(d.Event.Map, d.Event.Device).Acknowledged
		a.wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			err := notify.SendWithRetry(ctx, nn.n, nn.cfg.Retries, nn.cfg.RetryDelay, m)
			msg := "sent" + what
			if err != nil {
				msg = "failed" + what + ": " + err.Error()
			}
			a.s.events.Write(eventlog.Event{Kind: "NOTIFY", Map: d.Event.Map, Device: d.Event.Device, Message: msg})
		})
	}
}

func (a *alerting) nth(d alert.Decision) string {
	switch {
	case d.Escalation > 0:
		return fmt.Sprintf(", escalation %d", d.Escalation)
	case d.Repeat > 0:
		return fmt.Sprintf(", repeat %d", d.Repeat)
	}
	return ""
}

// deviceURL links a notification to the device's map in the web UI.
func (a *alerting) deviceURL(mapName, device string) string {
	if a.baseURL == "" {
		return ""
	}
	return a.baseURL + "#/map/" + url.PathEscape(mapName) + "?device=" + url.QueryEscape(netmap.DeviceID(mapName, device))
}

// statusKind is the rules' name for a change into level.
func statusKind(l status.Level) string { return l.EventKind() }
