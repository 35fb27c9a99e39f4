package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/dur"
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
	// Written like the other settings' durations ("30d", "2w", "36h").
	MaxAge dur.Duration `yaml:"max_age"`
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
		p, err := parseInside(s)
		if err != nil {
			return nil, fmt.Errorf("flows.inside[%d]: %w", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseInside reads one inside network: a CIDR range, or an address for
// that one host. Host bits are cleared (10.1.2.3/8 is 10.0.0.0/8).
func parseInside(s string) (netip.Prefix, error) {
	t := strings.TrimSpace(s)
	p, err := netip.ParsePrefix(t)
	if err != nil {
		a, aerr := netip.ParseAddr(t)
		if aerr != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR range (e.g. 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32)", s)
		}
		p = netip.PrefixFrom(a.WithZone(""), a.BitLen())
	}
	return p.Masked(), nil
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
	if u := f.Remote.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		errs = append(errs, fmt.Errorf("flows.remote.url: %q is not an http or https address", u))
	}
	if f.Database != "" && !strings.HasPrefix(f.Database, "clickhouse://") {
		errs = append(errs, fmt.Errorf("flows.database: %q: want empty (embedded) or clickhouse://host:8123/db", f.Database))
	}
	return errors.Join(errs...)
}

// FlowListeners are the flow collector's sockets, kept under listeners:
// in config.yaml beside the other listeners.
type FlowListeners struct {
	NetFlow string `json:"netflow"`
	SFlow   string `json:"sflow"`
	JFlow   string `json:"jflow"`
}

// Each lists the listeners by name, in the order the UI shows them.
func (l FlowListeners) Each() [3][2]string {
	return [3][2]string{{"netflow", l.NetFlow}, {"sflow", l.SFlow}, {"jflow", l.JFlow}}
}

// FlowSettings are the flow settings an administrator edits on the
// Settings page (PUT /api/v1/flows/settings). The rest of flows: and
// listeners: is not part of them and stays as config.yaml has it.
type FlowSettings struct {
	// Inside are the networks whose hosts are ours (flows.inside).
	Inside []string `json:"inside"`
	// MaxBytes caps the flow store; 0 is no cap (flows.max_bytes).
	MaxBytes int64 `json:"max_bytes"`
	// MaxAge drops days older than this; 0 keeps them within the cap
	// (flows.max_age).
	MaxAge dur.Duration `json:"max_age"`
	// ServerPorts adds (port → name) or, with an empty name, removes ports
	// of the client/server rule's built-in list (flows.server_ports).
	ServerPorts map[uint16]string `json:"server_ports"`
	// Listeners are listeners.netflow, sflow and jflow.
	Listeners FlowListeners `json:"listeners"`
}

// MinFlowMaxBytes is the smallest size cap the settings page accepts: a
// mistyped unit ("10" for 10 GB) would otherwise drop every day but the
// newest at the next maintenance pass. 0 (no cap) is accepted.
const MinFlowMaxBytes = 1_000_000

// FlowSettings returns the editable flow settings of c.
func (c Config) FlowSettings() FlowSettings {
	s := FlowSettings{
		Inside:      append([]string{}, c.Flows.Inside...),
		MaxBytes:    c.Flows.MaxBytes,
		MaxAge:      c.Flows.MaxAge,
		ServerPorts: make(map[uint16]string, len(c.Flows.ServerPorts)),
		Listeners:   FlowListeners{NetFlow: c.Listeners.NetFlow, SFlow: c.Listeners.SFlow, JFlow: c.Listeners.JFlow},
	}
	for p, n := range c.Flows.ServerPorts {
		s.ServerPorts[p] = n
	}
	return s
}

// serviceName is what a server port may be called: the characters of
// /etc/services names.
var serviceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+/-]{0,31}$`)

// Normalize checks s and returns it in the form config.yaml keeps: inside
// networks as canonical ranges (addresses for single hosts), without
// blanks or repeats; names and addresses trimmed; a bare listener port
// ("2055") as ":2055". Every problem is reported, each naming its key and
// the offending entry.
func (s FlowSettings) Normalize() (FlowSettings, error) {
	var errs []error
	out := FlowSettings{Inside: []string{}, MaxBytes: s.MaxBytes, MaxAge: s.MaxAge, ServerPorts: map[uint16]string{}}
	seen := map[netip.Prefix]bool{}
	for i, v := range s.Inside {
		if strings.TrimSpace(v) == "" {
			continue
		}
		p, err := parseInside(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("flows.inside[%d]: %w", i, err))
			continue
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		if p.IsSingleIP() {
			out.Inside = append(out.Inside, p.Addr().String())
		} else {
			out.Inside = append(out.Inside, p.String())
		}
	}
	switch {
	case s.MaxBytes < 0:
		errs = append(errs, fmt.Errorf("flows.max_bytes: %d is negative (0 means no cap)", s.MaxBytes))
	case s.MaxBytes > 0 && s.MaxBytes < MinFlowMaxBytes:
		errs = append(errs, fmt.Errorf("flows.max_bytes: %d bytes is below the 1 MB minimum, too small to hold a day of flows (0 means no cap)", s.MaxBytes))
	}
	if s.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("flows.max_age: %v is negative (0 keeps flows within the size cap)", s.MaxAge.Std()))
	}
	builtin := flowstore.DefaultPorts()
	for _, p := range slices.Sorted(maps.Keys(s.ServerPorts)) {
		name := strings.TrimSpace(s.ServerPorts[p])
		switch {
		case p == 0:
			errs = append(errs, errors.New("flows.server_ports: port 0 is not a port (1 to 65535)"))
		case name == "" && !builtin.IsServer(p):
			errs = append(errs, fmt.Errorf("flows.server_ports[%d]: no name, and %d is not on the built-in list: give it a name to add it, or leave it out", p, p))
		case name != "" && !serviceName.MatchString(name):
			errs = append(errs, fmt.Errorf("flows.server_ports[%d]: name %q: use at most 32 letters, digits and . _ + / - (like https-alt)", p, name))
		default:
			out.ServerPorts[p] = name
		}
	}
	addrs := [3]*string{&out.Listeners.NetFlow, &out.Listeners.SFlow, &out.Listeners.JFlow}
	for i, l := range s.Listeners.Each() {
		a, err := normListener(l[1])
		if err != nil {
			errs = append(errs, fmt.Errorf("listeners.%s: %w", l[0], err))
		}
		*addrs[i] = a
	}
	// The flow sockets share their port (SO_REUSEPORT), so two listeners
	// on one port would bind and quietly split the datagrams between them.
	each := out.Listeners.Each()
	for i := range each {
		for j := range i {
			if clash(each[j][1], each[i][1]) {
				errs = append(errs, fmt.Errorf("listeners.%s: %s is also listeners.%s's port; each flow listener needs its own", each[i][0], each[i][1], each[j][0]))
			}
		}
	}
	return out, errors.Join(errs...)
}

// normListener checks one flow listener address: off, or [host]:port with
// a port from 1 to 65535 (exporters must be told which).
func normListener(v string) (string, error) {
	a := strings.TrimSpace(v)
	switch {
	case a == "":
		return "", errors.New("empty: give an address like :2055 or 127.0.0.1:2055, or off")
	case strings.EqualFold(a, "off"):
		return "off", nil
	case strings.TrimLeft(a, "0123456789") == "":
		a = ":" + a
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a, fmt.Errorf("%q is not an address like :2055, 0.0.0.0:2055 or [::1]:2055, or off", v)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return a, fmt.Errorf("%q: the port must be a number from 1 to 65535", v)
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil && !hostName.MatchString(host) {
			return a, fmt.Errorf("%q: %q is not an IP address or host name", v, host)
		}
	}
	return a, nil
}

var hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)

// clash says whether two listener addresses would bind the same port: the
// same port on the same host, or on all addresses.
func clash(a, b string) bool {
	if a == "off" || b == "off" {
		return false
	}
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb {
		return false
	}
	wild := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wild(ha) || wild(hb)
}
