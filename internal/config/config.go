// Package config lays out the settings folder and reads config.yaml: the
// server's listeners, poller, event-log and ICMP settings. Every package owns
// its own section; this one composes them, decodes strictly and reports
// errors with the key and line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/poller"
	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/report"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/trap"
)

// Listeners are the server's sockets; "off" disables one.
type Listeners struct {
	HTTP    string `yaml:"http"`
	Remote  string `yaml:"remote"`
	Traps   string `yaml:"traps"`
	NetFlow string `yaml:"netflow"`
	SFlow   string `yaml:"sflow"`
	JFlow   string `yaml:"jflow"`
	Console string `yaml:"console"`
	// HTTPPlain serves the web UI and API without TLS (--http-plain):
	// only when asked for, e.g. behind a TLS-terminating proxy.
	HTTPPlain bool `yaml:"http_plain"`
}

// ICMP selects how ping packets are sent.
type ICMP struct {
	// Mode is auto (raw socket when permitted, else unprivileged ping
	// sockets), raw or dgram.
	Mode string `yaml:"mode"`
}

// Config is config.yaml.
type Config struct {
	Listeners Listeners `yaml:"listeners"`
	// DefaultInterval is the poll interval of devices that set none.
	DefaultInterval time.Duration `yaml:"default_interval"`
	// DownAfter is how many consecutive unanswered polls make a device down
	// when the device does not say.
	DownAfter int `yaml:"down_after"`
	// MapReload is how often the maps folder is checked for edits.
	MapReload time.Duration   `yaml:"map_reload"`
	Poller    poller.Config   `yaml:"poller"`
	EventLog  eventlog.Config `yaml:"eventlog"`
	ICMP      ICMP            `yaml:"icmp"`
	// SNMP are the default credentials of devices whose map and own
	// settings leave fields empty.
	SNMP snmp.Credentials `yaml:"snmp"`
	// SNMPClient tunes the SNMP client: timeouts, retries, sockets.
	SNMPClient snmp.Config `yaml:"snmp_client"`
	// Traps configures the trap receiver (its addresses come from
	// listeners.traps / --traps).
	Traps trap.Config `yaml:"traps"`
	// Notifiers are the ways people are told (email, webhook, command,
	// syslog, Slack, Teams).
	Notifiers []Notifier `yaml:"notifiers"`
	// Rules say which notifiers hear about which status changes.
	Rules []alert.Rule `yaml:"rules"`
	// ServerName labels this server's data in a shared central database;
	// the machine's host name when empty.
	ServerName string `yaml:"server_name"`
	// Database is the central database several servers can share.
	Database Database `yaml:"database"`
	// Retention says how long chart data is kept at each resolution.
	Retention chart.Policies `yaml:"retention"`
	// Flows configures flow collection and storage.
	Flows Flows `yaml:"flows"`
	// DNS is Vantage's own resolver for DNS name monitoring.
	DNS dnsmon.Config `yaml:"dns"`
	// Reports are scheduled reports sent through notifiers.
	Reports []report.Schedule `yaml:"reports"`
	// Servers are other Vantage servers whose maps the map list shows.
	Servers []remotes.Server `yaml:"servers"`
	// Auth holds the external directories (LDAP, RADIUS) and the login
	// throttle; local users and groups live in the database.
	Auth auth.Config `yaml:"auth"`
	// Access holds the IP allow-lists of the http, remote and console
	// listeners.
	Access auth.AccessConfig `yaml:"access"`
}

// Database configures the central PostgreSQL database. Chart data is
// always kept in the embedded database too; with a URL it is also
// forwarded, labelled with server_name, and spooled to DIR/db while the
// central database is unreachable.
type Database struct {
	// URL is postgres://user:password@host:5432/db?sslmode=require.
	URL string `yaml:"url"`
	// SpoolMax bounds the spool file in bytes (default 1 GiB).
	SpoolMax int64 `yaml:"spool_max"`
}

// Default is the embedded configuration the server runs on.
func Default() Config {
	return Config{
		Listeners: Listeners{
			HTTP: ":8080", Remote: ":8181", Traps: ":162", NetFlow: ":2055",
			SFlow: ":6343", JFlow: ":9996", Console: "off",
		},
		DefaultInterval: 30 * time.Second,
		DownAfter:       3,
		MapReload:       2 * time.Second,
		Poller:          poller.DefaultConfig(),
		EventLog:        eventlog.DefaultConfig(),
		ICMP:            ICMP{Mode: "auto"},
		SNMP:            snmp.DefaultCredentials(),
		SNMPClient:      snmp.DefaultConfig(),
		Traps:           trap.DefaultConfig(),
		Retention:       chart.DefaultPolicies(),
		Database:        Database{SpoolMax: 1 << 30},
		DNS:             dnsmon.DefaultConfig(),
		Flows:           DefaultFlows(),
		Auth:            auth.DefaultConfig(),
	}
}

// Validate checks every section and returns all problems at once.
func (c Config) Validate() error {
	var errs []error
	if c.DefaultInterval < time.Second {
		errs = append(errs, fmt.Errorf("default_interval: %s is below 1s", c.DefaultInterval))
	}
	if c.DownAfter < 1 || c.DownAfter > 100 {
		errs = append(errs, fmt.Errorf("down_after: %d is outside 1..100", c.DownAfter))
	}
	if c.MapReload < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("map_reload: %s is below 100ms", c.MapReload))
	}
	switch c.ICMP.Mode {
	case "auto", "raw", "dgram":
	default:
		errs = append(errs, fmt.Errorf("icmp.mode: %q is not auto, raw or dgram", c.ICMP.Mode))
	}
	if err := c.SNMP.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.SNMPClient.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("snmp_client: %w", err))
	}
	if err := c.Traps.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("traps: %w", err))
	}
	errs = append(errs, validateNotifiers(c.Notifiers)...)
	known := map[string]bool{}
	for _, n := range c.Notifiers {
		known[n.Name] = true
	}
	for _, r := range c.Rules {
		if err := r.Validate(known); err != nil {
			errs = append(errs, fmt.Errorf("rules: %w", err))
		}
	}
	if c.Database.SpoolMax < 0 {
		errs = append(errs, fmt.Errorf("database.spool_max: %d is negative", c.Database.SpoolMax))
	}
	for i, r := range c.Reports {
		if err := r.Validate(); err != nil {
			errs = append(errs, err)
		}
		for _, n := range r.Notifiers {
			if !known[n] {
				errs = append(errs, fmt.Errorf("reports[%d] (%s): unknown notifier %q", i, r.Name, n))
			}
		}
	}
	if err := c.Flows.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := remotes.ValidateAll(c.Servers); err != nil {
		errs = append(errs, err)
	}
	if err := c.Auth.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Access.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.DNS.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Retention.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	errs = append(errs, c.Poller.Validate(), c.EventLog.Validate())
	return errors.Join(errs...)
}

// Parse decodes config.yaml over the defaults; unknown keys are errors.
func Parse(data []byte) (Config, error) {
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, errEOF(err)) {
		return c, err
	}
	return c, c.Validate()
}

// errEOF lets an empty file decode to the defaults.
func errEOF(err error) error {
	if err != nil && err.Error() == "EOF" {
		return err
	}
	return errors.New("not EOF")
}

// Folder is the settings folder's layout.
type Folder struct{ Root string }

// Paths inside the settings folder (see DESIGN.md).
func (f Folder) Config() string        { return filepath.Join(f.Root, "config.yaml") }
func (f Folder) Maps() string          { return filepath.Join(f.Root, "maps") }
func (f Folder) Probes() string        { return filepath.Join(f.Root, "probes") }
func (f Folder) MIBs() string          { return filepath.Join(f.Root, "mibs") }
func (f Folder) DB() string            { return filepath.Join(f.Root, "db", "vantage.db") }
func (f Folder) Logs() string          { return filepath.Join(f.Root, "logs") }
func (f Folder) TLS() string           { return filepath.Join(f.Root, "tls") }
func (f Folder) AdminPassword() string { return filepath.Join(f.Root, "initial-admin-password") }

// Init creates the folder's sub-folders and, when absent, a commented
// config.yaml holding the defaults, then loads config.yaml.
func (f Folder) Init() (Config, error) {
	for _, d := range []string{f.Root, f.Maps(), f.Probes(), f.MIBs(), filepath.Dir(f.DB()), f.Logs(), f.TLS()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Config{}, fmt.Errorf("settings folder: %w", err)
		}
	}
	if _, err := os.Stat(f.Config()); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(f.Config(), []byte(Template), 0o644); err != nil {
			return Config{}, fmt.Errorf("write default config: %w", err)
		}
	}
	return f.Load()
}

// Load reads config.yaml; errors name the file.
func (f Folder) Load() (Config, error) {
	data, err := os.ReadFile(f.Config())
	if err != nil {
		return Config{}, fmt.Errorf("read settings: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return c, fmt.Errorf("%s: %w", f.Config(), err)
	}
	return c, nil
}

// Template is the config.yaml written on first start: the defaults, with
// each key explained, all commented out so upgrades can change defaults.
const Template = `# Vantage server settings. Every key is optional; the values shown are the
# defaults. Command-line flags (--http, --remote ...) override listeners.
#
# listeners:            # "off" disables one
#   http: ":8080"       # web UI and /api/v1
#   remote: ":8181"     # remote-access protocol
#   traps: ":162"       # SNMP traps (needs root or CAP_NET_BIND_SERVICE)
#   netflow: ":2055"
#   sflow: ":6343"
#   jflow: ":9996"
#   console: "off"
#   http_plain: false   # true serves http:// instead of https:// (--http-plain)
# default_interval: 30s # poll interval of devices that set none
# down_after: 3         # consecutive unanswered polls before a device is down
# map_reload: 2s        # how often maps/ is checked for hand edits
# poller:
#   concurrency: 1000   # polls in flight at most
#   grace: 5s           # extra time after a probe's own timeout
# eventlog:
#   max_size: 10485760  # bytes before logs/event.log rotates
#   keep: 10            # rotated files kept
# icmp:
#   mode: auto          # auto, raw (needs CAP_NET_RAW) or dgram (ping sockets)
# snmp:                 # default SNMP credentials (maps and devices override)
#   version: 2c         # 1, 2c or 3
#   community: public
#   port: 161
# snmp_client:
#   timeout: 2s         # wait for one answer
#   retries: 1
#   max_repetitions: 25 # GetBulk
#   max_oids: 16        # OIDs per Get/GetNext request
#   max_sessions: 256   # sockets at most (one per request in flight)
#   idle_timeout: 2m0s
#   max_walk: 1000000   # values before a walk is declared endless
# traps:                # the receiver (addresses: the traps listener)
#   verbose: false      # event-log lines with every OID and value
#   users:              # SNMPv3 users, a list of {user, auth, auth_key, priv, priv_key}
# notifiers:            # e.g. - {name: ops-mail, type: email, smtp_host: mail.example.net,
#                       #         from: vantage@example.net, to: [noc@example.net]}
#                       # types: email, webhook, slack, teams, command, syslog;
#                       # test one with POST /api/v1/notifiers/NAME/test
# rules:                # e.g. - {name: outages, kinds: [DOWN, UP], notifiers: [ops-mail],
#                       #         delay: 1m, repeat: 30m, count: 3,
#                       #         escalate: [{after: 15m, notifiers: [boss]}],
#                       #         schedule: {days: mon-fri, hours: "08:00-18:00"}}
# server_name: ""       # labels this server's data in a central database (host name)
# database:             # central PostgreSQL shared by several servers (--db overrides)
#   url: ""             # postgres://vantage:PASSWORD@db.example.net/vantage?sslmode=require
#   spool_max: 1073741824 # bytes kept locally while it is unreachable
# retention:            # how long chart data is kept; 0 is forever
#   raw: 2d             # every poll
#   five_minutes: 90d   # 5-minute min/avg/max
#   hour: 1y
#   day: 0
#   rules:              # e.g. - {map: Core, dataset: "if.*", raw: 7d}
# flows:                # NetFlow/IPFIX/sFlow (listeners: netflow, sflow, jflow)
#   database: ""        # empty: embedded store in flows/; or clickhouse://host:8123/db (--flowdb)
#   max_bytes: 10000000000 # the oldest days are dropped beyond this
#   max_age: 0s         # drop days older than this; 0 keeps them
#   inside:             # our networks, e.g. [10.0.0.0/8, 192.0.2.0/24]: top hosts lists only these
#   server_ports:       # e.g. {8443: https-alt, 8080: ""} adds / removes server ports
#   remote:             # show the flows of a collector on another machine instead
#     url: ""           # https://flows1:8080 (vantage serve with flow listeners there)
#     token: ""         # an API token of a user on that server
#     insecure: false   # accept a self-signed certificate
#   sessions:
#     inactive: 1m30s   # a session closes after this long without a record
#     active: 2m0s      # long sessions are stored in pieces this long
#     max_open: 500000
# dns:                  # Vantage's own resolver (DNS name monitoring, discovery names)
#   servers:            # e.g. ["192.0.2.53", "[2001:db8::53]:53"]; none: /etc/resolv.conf
#   timeout: 2s
#   min_ttl: 1m0s       # re-resolve a watched name at most this often
#   attempts: 2
# reports:              # e.g. - {name: weekly-core, map: Core, period: week, at: "07:00",
#                       #         location: Europe/Paris, notifiers: [ops-mail], format: html}
# servers:              # other Vantage servers whose maps the map list shows (vantage sync keeps them), e.g.
#                       # - {name: Site B, url: "https://vantage-b:8080", token: TOKEN, fingerprint: "SHA256:AB:CD:…"}
#                       # token: an API token of a user who may read maps there; fingerprint pins a
#                       # self-signed certificate (or insecure: true skips the check)
# auth:                 # external users; local users and groups are managed in the UI or API
#   ldap:               # LDAP / Active Directory; users bind as themselves
#     url: ""           # ldap://dc.example.net:389 or ldaps://…:636
#     start_tls: false
#     bind_dn: ""       # service account that finds users and groups (empty: anonymous)
#     bind_password: ""
#     user_base: ""     # ou=people,dc=example,dc=net
#     user_filter: "(uid=%s)"      # Active Directory: (sAMAccountName=%s)
#     group_base: ""    # ou=groups,dc=example,dc=net (empty: the user's memberOf)
#     group_filter: "(member=%s)"
#     group_map:        # {"cn=netops,ou=groups,dc=example,dc=net": ops}
#     timeout: 5s
#   radius:             # PAP Access-Request; Filter-Id values name Vantage groups
#     address: ""       # radius.example.net:1812
#     secret: ""
#     timeout: 3s
#     groups:           # groups of every RADIUS user
#   lockout:            # failed logins per user name and per address
#     attempts: 10      # then locked out for duration (addresses: twice as many)
#     duration: 15m0s
#     delay: 1s         # wait after a failure, doubled each time up to max_delay
#     max_delay: 30s
# access:               # IP allow-lists, first match decides, no match allows
#   http:               # e.g. [{allow: 10.0.0.0/8}, {allow: "::1"}, {deny: 0.0.0.0/0}, {deny: "::/0"}]
#   remote:             # ranges too: {deny: 192.0.2.10-192.0.2.20}
#   console:            # the console stays on loopback unless --console says otherwise
`
