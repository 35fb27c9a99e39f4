package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
	"github.com/vantage-monitor/vantage/internal/flowstore"
)

// Flows configures flow collection (the listeners are under listeners:),
// session building and the flow store.
type Flows struct {
	Collector flow.Config  `yaml:"collector"`
	Sessions  FlowSessions `yaml:"sessions"`
	// Database is empty for the embedded store in DIR/flows, or a
	// ClickHouse HTTP URL (clickhouse://user:pw@host:8123/db).
	Database string `yaml:"database"`
	// MaxBytes caps the store (default 10 GB): the oldest days go first.
	MaxBytes int64 `yaml:"max_bytes"`
	// MaxAge drops days older than this; 0 keeps them (within MaxBytes).
	MaxAge time.Duration `yaml:"max_age"`
	// Inside are the networks whose hosts are ours: top-host views list
	// only them.
	Inside []string `yaml:"inside"`
	// ServerPorts adds (name) or, with an empty name, removes ports of the
	// built-in list used by the client/server rule.
	ServerPorts map[uint16]string `yaml:"server_ports"`
	// Remote, when its URL is set, is a flow collector on another machine
	// (`vantage serve` with flow listeners) whose flows this server shows.
	Remote FlowsRemote `yaml:"remote"`
}

// FlowsRemote is a separate flow collector reached over its HTTP API.
type FlowsRemote struct {
	// URL is the collector's web address (https://flows1:8080).
	URL string `yaml:"url"`
	// Token is an API token of a user on the collector.
	Token string `yaml:"token"`
	// Insecure accepts any certificate (a self-signed one).
	Insecure bool `yaml:"insecure"`
}

// FlowSessions tunes how records become sessions.
type FlowSessions struct {
	// Inactive closes a session after this long without a record; it must
	// exceed the exporters' active timeout.
	Inactive time.Duration `yaml:"inactive"`
	// Active is the longest piece of a session before it is stored.
	Active time.Duration `yaml:"active"`
	// MaxOpen bounds the sessions held in memory.
	MaxOpen int `yaml:"max_open"`
}

// DefaultFlows is the embedded store with InterMapper Flows' 10 GB cap.
func DefaultFlows() Flows {
	b := flowstore.DefaultBuilderConfig()
	return Flows{
		Collector: flow.DefaultConfig(),
		Sessions:  FlowSessions{Inactive: b.Inactive, Active: b.Active, MaxOpen: b.MaxOpen},
		MaxBytes:  flowstore.DefaultMaxBytes,
	}
}

// InsidePrefixes parses Inside.
func (f Flows) InsidePrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for i, s := range f.Inside {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			if a, aerr := netip.ParseAddr(strings.TrimSpace(s)); aerr == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			} else {
				return nil, fmt.Errorf("flows.inside[%d]: %q is not an address or CIDR range", i, s)
			}
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Ports is the client/server rule's port list with ServerPorts applied.
func (f Flows) Ports() flowstore.Ports {
	add := map[uint16]string{}
	var remove []uint16
	for p, name := range f.ServerPorts {
		if name == "" {
			remove = append(remove, p)
		} else {
			add[p] = name
		}
	}
	return flowstore.NewPorts(add, remove)
}

// BuilderConfig is the session builder's configuration.
func (f Flows) BuilderConfig() flowstore.BuilderConfig {
	b := flowstore.DefaultBuilderConfig()
	b.Inactive, b.Active, b.MaxOpen, b.Ports = f.Sessions.Inactive, f.Sessions.Active, f.Sessions.MaxOpen, f.Ports()
	return b
}

// Validate checks the flows section.
func (f Flows) Validate() error {
	errs := []error{f.Collector.Validate(), f.BuilderConfig().Validate()}
	if _, err := f.InsidePrefixes(); err != nil {
		errs = append(errs, err)
	}
	if f.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("flows.max_bytes: %d is negative", f.MaxBytes))
	}
	if f.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("flows.max_age: %v is negative", f.MaxAge))
	}
	if u := f.Remote.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		errs = append(errs, fmt.Errorf("flows.remote.url: %q is not an http or https address", u))
	}
	if f.Database != "" && !strings.HasPrefix(f.Database, "clickhouse://") {
		errs = append(errs, fmt.Errorf("flows.database: %q: want empty (embedded) or clickhouse://host:8123/db", f.Database))
	}
	return errors.Join(errs...)
}
