package server

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/flowstore"
	"github.com/vantage-monitor/vantage/internal/web"
)

// flowSettings is GET and PUT /api/v1/flows/settings: the flow settings of
// config.yaml that the Settings page edits. Inside networks, the size cap
// and the age limit are applied to the running collector at once; the
// listener addresses and server ports only when the server next starts
// (the sockets and the session builder are made once), so the view keeps
// the values this run started with beside the saved ones.
type flowSettings struct {
	s *Server

	mu sync.Mutex
	// saved are the settings as config.yaml has them.
	saved config.FlowSettings
	// started are the settings this run started with, listeners as the
	// command line made them.
	started config.FlowSettings
}

// newFlowSettings reads the saved settings once more: the configuration
// the server runs on has the listener flags applied, and the view must
// tell config.yaml's addresses from the flags'.
func (s *Server) newFlowSettings() *flowSettings {
	fs := &flowSettings{s: s, started: s.cfg.FlowSettings()}
	fs.saved = fs.started
	if cfg, err := s.folder.Load(); err != nil {
		// build loaded the same file a moment ago; it can only have been
		// broken since by hand. The next save rewrites these keys anyway.
		s.logger.Warn("flow settings: config.yaml unreadable, showing the running values as saved", "err", err)
	} else {
		fs.saved = cfg.FlowSettings()
	}
	return fs
}

// FlowSettings is GET /api/v1/flows/settings.
func (fs *flowSettings) FlowSettings() web.FlowSettingsView {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.view()
}

// SetFlowSettings saves the edited settings into config.yaml and applies
// what can change while running.
func (fs *flowSettings) SetFlowSettings(ctx context.Context, edit func(*config.FlowSettings) error, user string) (web.FlowSettingsView, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	next := clone(fs.saved)
	if err := edit(&next); err != nil {
		return web.FlowSettingsView{}, err
	}
	// The caller's mistakes (a bad range, a port twice) are told apart
	// from the server's own (config.yaml cannot be written).
	next, err := next.Normalize()
	if err != nil {
		return web.FlowSettingsView{}, web.BadRequest(err)
	}
	cfg, err := fs.s.folder.SaveFlows(next)
	if err != nil {
		return web.FlowSettingsView{}, fmt.Errorf("flow settings not saved: %w", err)
	}
	fs.saved = cfg.FlowSettings()
	if f := fs.s.flows; f != nil {
		if err := f.apply(cfg.Flows); err != nil {
			return web.FlowSettingsView{}, fmt.Errorf("flow settings saved but not applied: %w", err)
		}
	}
	v := fs.view()
	msg := fmt.Sprintf("flow settings changed by %s: inside [%s], max_bytes %d, max_age %s, %d server ports, netflow %s, sflow %s, jflow %s",
		user, strings.Join(fs.saved.Inside, ", "), fs.saved.MaxBytes, fs.saved.MaxAge, len(fs.saved.ServerPorts),
		fs.saved.Listeners.NetFlow, fs.saved.Listeners.SFlow, fs.saved.Listeners.JFlow)
	if len(v.Pending) > 0 {
		msg += "; at the next restart: " + strings.Join(v.Pending, ", ")
	}
	fs.s.events.Write(eventlog.Event{Kind: "CONFIG", Message: msg})
	fs.s.logger.Info("flow settings changed", "user", user, "pending", v.Pending)
	return v, nil
}

// view compares the saved settings with the running ones.
func (fs *flowSettings) view() web.FlowSettingsView {
	s := fs.s
	f := s.flows
	running := clone(fs.started)
	if f != nil {
		// What the Settings page applies at once is read back from the
		// collector, so the view shows what queries really use.
		live := f.settings()
		running.Inside = append([]string{}, live.Inside...)
		running.MaxBytes, running.MaxAge = live.MaxBytes, live.MaxAge
	}
	v := web.FlowSettingsView{
		FlowSettings: clone(fs.saved), Running: running, Pending: []string{}, Flags: map[string]string{},
		Listening: []web.FlowListenerState{}, Collecting: f != nil, Notices: []string{},
		BuiltinPorts: builtinPorts(),
	}
	if u := s.cfg.Flows.Remote.URL; u != "" {
		v.Remote = redactURL(u)
	}
	saved := fs.saved.Listeners.Each()
	for i, l := range running.Listeners.Each() {
		name, flag := l[0], s.opts.Listeners[l[0]]
		switch {
		case flag != "":
			v.Flags[name] = flag
			if flag != saved[i][1] {
				v.Notices = append(v.Notices, fmt.Sprintf("--%s %s on the command line wins over listeners.%s (%s) while the server is started with it.", name, flag, name, saved[i][1]))
			}
		case saved[i][1] != l[1]:
			v.Pending = append(v.Pending, "listeners."+name)
		}
	}
	for _, name := range saved {
		for _, l := range s.listeners {
			if l.Name == name[0] {
				v.Listening = append(v.Listening, web.FlowListenerState{Name: l.Name, Address: l.Address, State: l.State, Error: l.Error})
			}
		}
	}
	if !maps.Equal(fs.saved.ServerPorts, running.ServerPorts) {
		v.Pending = append(v.Pending, "flows.server_ports")
	}
	if f == nil {
		// Without a collector nothing is applied at once: every change
		// waits for a start with a flow listener on.
		if !slices.Equal(fs.saved.Inside, running.Inside) {
			v.Pending = append(v.Pending, "flows.inside")
		}
		if fs.saved.MaxBytes != running.MaxBytes {
			v.Pending = append(v.Pending, "flows.max_bytes")
		}
		if fs.saved.MaxAge != running.MaxAge {
			v.Pending = append(v.Pending, "flows.max_age")
		}
	}
	if len(v.Pending) > 0 {
		verb := "take"
		if len(v.Pending) == 1 {
			verb = "takes"
		}
		v.Notices = append(v.Notices, fmt.Sprintf("Saved; %s %s effect when the server restarts.", joinAnd(v.Pending), verb))
	}
	switch {
	case f == nil && v.Remote != "":
		v.Notices = append(v.Notices, fmt.Sprintf("The flows shown come from the collector at %s: its own settings decide its inside networks and database.", v.Remote))
	case f == nil:
		v.Notices = append(v.Notices, "This server does not collect flows: every flow listener is off. Turn one on; it starts with the server.")
	}
	return v
}

// apply puts changed inside networks and store limits into effect, and
// starts a maintenance pass so a lowered cap or age frees space now
// rather than at the next insert's pass.
func (f *flows) apply(c config.Flows) error {
	inside, err := c.InsidePrefixes()
	if err != nil {
		return err
	}
	if err := f.store.SetLimits(c.MaxBytes, c.MaxAge.Std()); err != nil {
		return err
	}
	f.mu.Lock()
	f.inside, f.insideText, f.maxBytes, f.maxAge = inside, c.Inside, c.MaxBytes, c.MaxAge
	f.mu.Unlock()
	m, ok := f.store.(interface{ Maintain(context.Context) error })
	if !ok || f.ctx.Err() != nil {
		return nil
	}
	f.wg.Go(func() {
		if err := m.Maintain(f.ctx); err != nil && f.ctx.Err() == nil {
			f.s.logger.Warn("flow store maintenance after a settings change", "component", "flows", "err", err)
		}
	})
	return nil
}

// clone copies s deeply enough that its lists and map can be changed.
func clone(s config.FlowSettings) config.FlowSettings {
	s.Inside = append([]string{}, s.Inside...)
	s.ServerPorts = maps.Clone(s.ServerPorts)
	if s.ServerPorts == nil {
		s.ServerPorts = map[uint16]string{}
	}
	return s
}

// builtinPorts is the client/server rule's built-in list.
var builtinPorts = sync.OnceValue(func() map[uint16]string {
	p := flowstore.DefaultPorts()
	out := map[uint16]string{}
	for port := 1; port <= 65535; port++ {
		if p.IsServer(uint16(port)) {
			out[uint16(port)] = p.Application(6, uint16(port))
		}
	}
	return out
})

// joinAnd lists words as people do: "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
