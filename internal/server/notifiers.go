package server

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/notify"
	"github.com/vantage-monitor/vantage/internal/web"
)

// namedNotifier is a configured notifier with its settings.
type namedNotifier struct {
	cfg notify.Config
	n   notify.Notifier
}

// notifications owns the notifiers and rules: read from config.yaml at
// start, replaced as a whole when an administrator saves them in the
// settings page (written back to config.yaml, applied without a restart).
type notifications struct {
	folder config.Folder
	events *eventlog.Log
	engine *alert.Engine

	mu    sync.RWMutex
	list  []notify.Config
	rules []alert.Rule
	byKey map[string]namedNotifier
}

func newNotifications(folder config.Folder, events *eventlog.Log, cfg config.Config) (*notifications, error) {
	ns := make([]notify.Config, len(cfg.Notifiers))
	for i, n := range cfg.Notifiers {
		ns[i] = n.Config
	}
	byKey, err := buildNotifiers(ns)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", folder.Config(), err)
	}
	e, err := alert.NewEngine(cfg.Rules, time.Now)
	if err != nil {
		return nil, fmt.Errorf("%s: rules: %w", folder.Config(), err)
	}
	return &notifications{folder: folder, events: events, engine: e, list: ns, rules: cfg.Rules, byKey: byKey}, nil
}

// buildNotifiers creates notifiers; they connect to nothing until they send.
func buildNotifiers(ns []notify.Config) (map[string]namedNotifier, error) {
	out := make(map[string]namedNotifier, len(ns))
	for _, c := range ns {
		n, err := notify.New(c)
		if err != nil {
			return nil, err
		}
		out[c.Name] = namedNotifier{cfg: c, n: n}
	}
	return out, nil
}

// get returns the notifier named name.
func (n *notifications) get(name string) (namedNotifier, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	nn, ok := n.byKey[name]
	return nn, ok
}

// List answers GET /api/v1/notifiers without secrets.
func (n *notifications) List() []web.NotifierInfo {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := []web.NotifierInfo{}
	for _, c := range n.list {
		info := web.NotifierInfo{Name: c.Name, Type: c.Type, Retries: c.Retries}
		switch c.Type {
		case notify.TypeEmail:
			info.Target = fmt.Sprintf("%v via %s", c.To, c.SMTPHost)
		case notify.TypeSyslog:
			info.Target = c.Network + " " + c.Address
		case notify.TypeCommand:
			info.Target = c.Path
		case notify.TypeWebhook:
			if u, err := url.Parse(c.URL); err == nil {
				info.Target = u.Scheme + "://" + u.Host
			}
		}
		out = append(out, info)
	}
	return out
}

// Settings returns the notifiers, secrets redacted, and the rules.
func (n *notifications) Settings() web.NotificationSettings {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := web.NotificationSettings{Notifiers: make([]notify.Config, len(n.list)), Rules: append([]alert.Rule{}, n.rules...)}
	for i, c := range n.list {
		out.Notifiers[i] = c.Redacted()
	}
	return out
}

// Save validates the new notifiers and rules together, writes them to
// config.yaml and applies them; on any error nothing changes.
func (n *notifications) Save(ctx context.Context, s web.NotificationSettings, user string) (web.NotificationSettings, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	stored := make(map[string]notify.Config, len(n.list))
	for _, c := range n.list {
		stored[c.Name] = c
	}
	for i := range s.Notifiers {
		if err := s.Notifiers[i].Restore(stored[s.Notifiers[i].Name]); err != nil {
			return web.NotificationSettings{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
		}
	}
	cfg, err := n.folder.SaveNotifications(s.Notifiers, s.Rules)
	if err != nil {
		return web.NotificationSettings{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	byKey, err := buildNotifiers(s.Notifiers)
	if err != nil {
		return web.NotificationSettings{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	if err := n.engine.SetRules(cfg.Rules); err != nil {
		return web.NotificationSettings{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	n.list, n.rules, n.byKey = s.Notifiers, cfg.Rules, byKey
	n.events.Write(eventlog.Event{Kind: "CONFIG", Message: fmt.Sprintf("notifiers (%d) and rules (%d) changed by %s", len(s.Notifiers), len(cfg.Rules), user)})
	out := web.NotificationSettings{Notifiers: make([]notify.Config, len(n.list)), Rules: n.rules}
	for i, c := range n.list {
		out.Notifiers[i] = c.Redacted()
	}
	return out, nil
}

// Test sends a TEST message through one configured notifier.
func (n *notifications) Test(ctx context.Context, name, user string) error {
	nn, ok := n.get(name)
	if !ok {
		return fmt.Errorf("%w: no notifier named %q", web.ErrBadRequest, name)
	}
	return n.send(ctx, nn, user)
}

// TestConfig sends a TEST message through a notifier being edited, before
// it is saved; secrets it sends back redacted are the stored ones.
func (n *notifications) TestConfig(ctx context.Context, c notify.Config, user string) error {
	stored, _ := n.get(c.Name)
	if err := c.Restore(stored.cfg); err != nil {
		return fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	nt, err := notify.New(c)
	if err != nil {
		return fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	return n.send(ctx, namedNotifier{cfg: c, n: nt}, user)
}

// send delivers a test with the notifier's retries and logs the outcome as
// a NOTIFY event.
func (n *notifications) send(ctx context.Context, nn namedNotifier, user string) error {
	m := notify.Message{Time: time.Now(), Kind: "TEST", Status: "test", Reason: "test notification requested by " + user}
	err := notify.SendWithRetry(ctx, nn.n, nn.cfg.Retries, nn.cfg.RetryDelay, m)
	msg := fmt.Sprintf("sent test notification via %s (%s)", nn.cfg.Name, nn.cfg.Type)
	if err != nil {
		msg = fmt.Sprintf("test notification via %s (%s) failed: %v", nn.cfg.Name, nn.cfg.Type, err)
	}
	n.events.Write(eventlog.Event{Kind: "NOTIFY", Message: msg})
	return err
}

// Incidents lists the open problems the rules are following.
func (n *notifications) Incidents() []alert.Incident {
	out := n.engine.Open()
	if out == nil {
		out = []alert.Incident{}
	}
	return out
}
