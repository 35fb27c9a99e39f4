package server

import (
	"context"
	"fmt"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/notify"
	"github.com/vantage-monitor/vantage/internal/web"
)

// namedNotifier is a configured notifier with its settings.
type namedNotifier struct {
	cfg notify.Config
	n   notify.Notifier
}

// buildNotifiers creates the notifiers of config.yaml; they connect to
// nothing until they send.
func (s *Server) buildNotifiers() error {
	s.notifiers = map[string]namedNotifier{}
	for _, c := range s.cfg.Notifiers {
		n, err := notify.New(c.Config)
		if err != nil {
			return fmt.Errorf("%s: %w", s.folder.Config(), err)
		}
		s.notifiers[c.Name] = namedNotifier{cfg: c.Config, n: n}
	}
	return nil
}

// notifierList answers GET /api/v1/notifiers without secrets (passwords,
// webhook URLs, headers).
func (s *Server) notifierList() []web.NotifierInfo {
	out := []web.NotifierInfo{}
	for _, c := range s.cfg.Notifiers {
		info := web.NotifierInfo{Name: c.Name, Type: c.Type, Retries: c.Retries}
		switch c.Type {
		case notify.TypeEmail:
			info.Target = fmt.Sprintf("%v via %s", c.To, c.SMTPHost)
		case notify.TypeSyslog:
			info.Target = c.Network + " " + c.Address
		case notify.TypeCommand:
			info.Target = c.Path
		}
		out = append(out, info)
	}
	return out
}

// testNotifier sends a TEST message through one notifier, with its retries,
// and logs the outcome as a NOTIFY event.
func (s *Server) testNotifier(ctx context.Context, name, user string) error {
	nn, ok := s.notifiers[name]
	if !ok {
		return fmt.Errorf("%w: no notifier named %q", web.ErrBadRequest, name)
	}
	m := notify.Message{Time: time.Now(), Kind: "TEST", Status: "test", Reason: "test notification requested by " + user}
	err := notify.SendWithRetry(ctx, nn.n, nn.cfg.Retries, nn.cfg.RetryDelay, m)
	msg := fmt.Sprintf("sent test notification via %s (%s)", name, nn.cfg.Type)
	if err != nil {
		msg = fmt.Sprintf("test notification via %s (%s) failed: %v", name, nn.cfg.Type, err)
	}
	s.events.Write(eventlog.Event{Kind: "NOTIFY", Message: msg})
	return err
}
