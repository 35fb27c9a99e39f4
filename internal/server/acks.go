package server

import (
	"context"
	"fmt"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/status"
)

// acknowledge records an acknowledgement or maintenance window and logs it.
func (s *Server) acknowledge(ctx context.Context, k alert.Ack) (alert.Ack, error) {
	saved, err := s.acks.Set(ctx, k)
	if err != nil {
		return saved, err
	}
	msg := fmt.Sprintf("acknowledged by %s", saved.User)
	if saved.Kind == alert.KindMaintenance {
		msg = fmt.Sprintf("maintenance set by %s", saved.User)
	}
	if !saved.Until.IsZero() {
		msg += " until " + saved.Until.UTC().Format(time.RFC3339)
	}
	if saved.Comment != "" {
		msg += ": " + saved.Comment
	}
	s.events.Write(eventlog.Event{Kind: "ACK", Map: saved.Map, Device: saved.Device, Message: msg})
	s.touch(saved.Map, saved.Device)
	return saved, nil
}

// mapMaintenance starts or ends a maintenance window on a whole map; it is
// kept as the map's entry (no device) and covers every device on it.
func (s *Server) mapMaintenance(ctx context.Context, k alert.Ack, end bool) (alert.Ack, error) {
	k.Device = ""
	if end {
		return k, s.unacknowledge(ctx, k.Map, "", k.User)
	}
	k.Kind = alert.KindMaintenance
	return s.acknowledge(ctx, k)
}

// touch tells open browsers a device's acknowledgement changed; for a map's
// entry, every device on the map.
func (s *Server) touch(mapName, device string) {
	if device != "" {
		s.monitor.Touch(mapName, device)
		return
	}
	if m, ok := s.maps.Get(mapName); ok {
		for _, d := range m.Devices {
			s.monitor.Touch(mapName, d.Name)
		}
	}
}

// unacknowledge removes a device's acknowledgement or maintenance.
func (s *Server) unacknowledge(ctx context.Context, mapName, device, user string) error {
	k, ok, err := s.acks.Clear(ctx, mapName, device)
	if ok {
		s.events.Write(eventlog.Event{Kind: "UNAC", Map: mapName, Device: device, Message: fmt.Sprintf("%s removed by %s", ackName(k), user)})
		s.touch(mapName, device)
	}
	return err
}

func ackName(k alert.Ack) string {
	if k.Kind == alert.KindMaintenance {
		return "maintenance"
	}
	return "acknowledgement"
}

// statusChanged clears a basic acknowledgement when the status changes,
// better or worse, as InterMapper does; maintenance stays.
func (s *Server) statusChanged(mapName, device string, from, to status.Level) {
	s.clearAckOnChange(mapName, device, from, to)
	reason := ""
	if st, ok := s.monitor.Status(mapName, device); ok {
		reason = st.Reason
	}
	if s.alerting != nil {
		s.alerting.observe(mapName, device, statusKind(to), reason)
	}
}

func (s *Server) clearAckOnChange(mapName, device string, from, to status.Level) {
	if from == to {
		return // re-announced (no longer behind a failed device), not a change
	}
	k, ok := s.acks.Get(mapName, device)
	if !ok || k.Kind != alert.KindBasic {
		return
	}
	if _, cleared, _ := s.acks.Clear(context.Background(), mapName, device); cleared {
		s.events.Write(eventlog.Event{Kind: "UNAC", Map: mapName, Device: device,
			Message: fmt.Sprintf("acknowledgement cleared: status changed from %s to %s", from, to)})
		s.monitor.Touch(mapName, device)
	}
}

// expireAcks ends timed maintenance windows and acknowledgements.
func (s *Server) expireAcks(ctx context.Context) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, k := range s.acks.Expired(ctx) {
				s.events.Write(eventlog.Event{Kind: "UNAC", Map: k.Map, Device: k.Device, Message: ackName(k) + " ended (time up)"})
				s.touch(k.Map, k.Device)
			}
		}
	}
}
