// Package probe defines the Probe interface, the registry of probes by
// InterMapper identifier, and the built-in probes.
package probe

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// Target is what a probe polls: an address (IP literal or DNS name) and the
// probe's parameters by name, as written in the map file.
type Target struct {
	Address string
	Params  map[string]string
	// Timeout bounds the whole poll; probes must return by then.
	Timeout time.Duration
	// SNMP holds the device's SNMP credentials, already merged with the
	// map's and the server's defaults.
	SNMP snmp.Credentials
	// Map is the device's map when its poll is its own (probes that are
	// not Shareable); empty for a shared poll, which serves several maps.
	Map string
}

// Probe polls one target once. Poll must honour ctx and Target.Timeout and
// must never panic on a bad answer: a bad answer is a status with a reason.
type Probe interface {
	Poll(ctx context.Context, t Target) status.Result
}

// Param describes one probe parameter, for validation and for the UI.
type Param struct {
	// Name is the canonical short name used in map files ("count").
	Name string `json:"name"`
	// Aliases are other accepted spellings, notably InterMapper's own
	// parameter names ("Number of Data Bytes").
	Aliases []string `json:"aliases,omitempty"`
	Default string   `json:"default"`
	Help    string   `json:"help,omitempty"`
	// Kind is how the UI edits it: text (default), password, dropdown or
	// checkbox (probe files' "Name*", "Name[a,b]" and "Name[true,false]").
	Kind string `json:"kind,omitempty"`
	// Choices are a dropdown's or checkbox's values.
	Choices []string `json:"choices,omitempty"`
}

// Info describes a registered probe.
type Info struct {
	// ID is InterMapper's canonical identifier, e.g. com.dartware.ping.
	ID string `json:"id"`
	// Name is the human name, e.g. "Ping/Echo".
	Name string `json:"name"`
	// Aliases are short names accepted in map files ("ping", "http").
	Aliases []string `json:"aliases,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	// Shareable probes are polled once for identical devices on any map.
	Shareable bool `json:"shareable"`
	// Category is the probe's place in the probe picker, from its probe
	// file's display_name ("Servers-Standard/HTTP & HTTPS").
	Category string `json:"category,omitempty"`
	// Description is the probe file's <description>, in IMML.
	Description string `json:"description,omitempty"`
	// Type is the probe file type: built-in, custom-snmp, tcp-script …
	Type string `json:"type,omitempty"`
	// File is where a probe-file probe came from ("probes/x.txt",
	// "builtin:x.txt"); empty for probes implemented in Go only.
	File string `json:"file,omitempty"`
	// Revision changes whenever the probe's definition changes, so
	// devices using it start afresh.
	Revision string `json:"revision,omitempty"`
	// New builds the probe.
	New func() Probe `json:"-"`
}

// Registry maps probe identifiers and aliases to probes. Probes written in
// Go are registered once; probes from probe files are replaced as a set
// whenever the probe folder is reloaded. It is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	byID  map[string]*Info
	alias map[string]string
	files map[string]bool // IDs that came from SetFiles
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byID: map[string]*Info{}, alias: map[string]string{}, files: map[string]bool{}}
}

// Register adds a probe; a duplicate identifier or alias is an error.
func (r *Registry) Register(info Info) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.register(info)
}

func (r *Registry) register(info Info) error {
	if _, ok := r.byID[info.ID]; ok {
		return fmt.Errorf("probe %q registered twice", info.ID)
	}
	for _, a := range info.Aliases {
		if _, ok := r.alias[a]; ok {
			return fmt.Errorf("probe alias %q registered twice", a)
		}
	}
	i := info
	r.byID[info.ID] = &i
	for _, a := range info.Aliases {
		r.alias[a] = info.ID
	}
	return nil
}

// SetFiles replaces the probes that came from probe files with infos. A
// probe file may not replace a probe written in Go; such a clash is
// reported and the Go probe kept. Describe, not replace, a Go probe with a
// "built-in" probe file (see Describe).
func (r *Registry) SetFiles(infos []Info) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.files {
		if i := r.byID[id]; i != nil {
			for _, a := range i.Aliases {
				delete(r.alias, a)
			}
		}
		delete(r.byID, id)
	}
	r.files = map[string]bool{}
	var errs []error
	for _, info := range infos {
		if err := r.register(info); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", info.File, err))
			continue
		}
		r.files[info.ID] = true
	}
	return errs
}

// Describe adds a probe file's human name, category and description to a
// probe written in Go (InterMapper's type = "built-in" files). It reports
// false when no such probe exists.
func (r *Registry) Describe(id, name, category, description, file string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.byID[id]
	if !ok {
		return false
	}
	if name != "" {
		i.Name = name
	}
	i.Category, i.Description, i.File, i.Type = category, description, file, "built-in"
	return true
}

// Canonical resolves an identifier or alias to the canonical identifier.
func (r *Registry) Canonical(id string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.canonical(id)
}

func (r *Registry) canonical(id string) (string, bool) {
	if _, ok := r.byID[id]; ok {
		return id, true
	}
	c, ok := r.alias[id]
	return c, ok
}

// Lookup returns the probe registered under id or one of its aliases.
func (r *Registry) Lookup(id string) (*Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.canonical(id)
	if !ok {
		return nil, false
	}
	i := *r.byID[c]
	return &i, true
}

// All lists the registered probes sorted by identifier.
func (r *Registry) All() []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Info, 0, len(r.byID))
	for _, i := range r.byID {
		out = append(out, *i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// WithDefaults returns params with the probe's defaults filled in, so that
// two devices differing only by an omitted default compare equal.
func (i *Info) WithDefaults(params map[string]string) map[string]string {
	out := make(map[string]string, len(i.Params))
	for _, p := range i.Params {
		out[p.Name] = p.Default
	}
	for k, v := range params {
		out[i.paramName(k)] = v
	}
	return out
}

// paramName maps an alias to its parameter's canonical name; unknown names
// are kept as they are so that probe-specific extras survive.
func (i *Info) paramName(k string) string {
	for _, p := range i.Params {
		if p.Name == k {
			return k
		}
		for _, a := range p.Aliases {
			if a == k {
				return p.Name
			}
		}
	}
	return k
}

// ParamChecker is implemented by probes that can validate their parameters
// before polling, so a bad value is refused when a device is saved rather
// than discovered at the first poll.
type ParamChecker interface {
	CheckParams(params map[string]string) error
}

// CheckParams validates params (defaults filled in) when the probe can.
func (i *Info) CheckParams(params map[string]string) error {
	if i.New == nil {
		return nil
	}
	if c, ok := i.New().(ParamChecker); ok {
		return c.CheckParams(i.WithDefaults(params))
	}
	return nil
}
