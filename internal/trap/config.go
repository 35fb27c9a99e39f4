package trap

import (
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// Config is the trap receiver's configuration.
type Config struct {
	// Listen are the UDP addresses to receive on: ":162" (the default),
	// "127.0.0.1:1162", "[::1]:162" …; more than one is allowed (InterMapper
	// optionally listens on 161 as well).
	Listen []string `yaml:"listen"`
	// Verbose selects the verbose event-log form ({ oid : "value", … })
	// instead of the short one ({ "value", … }).
	Verbose bool `yaml:"verbose"`
	// Users are the SNMPv3 USM users traps and informs may come from.
	Users []V3User `yaml:"users,omitempty"`
	// EngineID is this receiver's SNMPv3 engine ID in hex ("80001f8804…"),
	// which senders of v3 informs discover and localize their keys with.
	// Empty: derived from the host name (stable across restarts).
	EngineID string `yaml:"engine_id,omitempty"`
	// QueueSize is how many received datagrams may wait for a worker
	// (shared between workers); more are dropped and counted.
	QueueSize int `yaml:"queue_size"`
	// Workers decode and dispatch in parallel; traps from one sender always
	// go to the same worker, so they are handled in arrival order. 0: the
	// number of CPUs.
	Workers int `yaml:"workers"`
	// ReadBuffer is the socket receive buffer (SO_RCVBUF) in bytes. Linux
	// caps it at net.core.rmem_max unless the process has CAP_NET_ADMIN
	// (root). A small trap costs the kernel about 830 bytes of it, so the
	// default 16 MiB absorbs 0.4 s of a 50,000 traps/s burst while the
	// process is kept off the CPU.
	ReadBuffer int `yaml:"read_buffer"`
	// MaxDatagram is the largest datagram accepted; larger ones are counted
	// as oversized and dropped.
	MaxDatagram int `yaml:"max_datagram"`
	// Recent is how many traps are kept in memory for the API.
	Recent int `yaml:"recent"`
}

// V3User is an SNMPv3 user allowed to send traps and informs. Protocol
// names are those snmp.Credentials accepts (MD5, SHA, SHA-256 …; DES, AES,
// AES-256 …).
type V3User struct {
	User    string `yaml:"user" json:"user"`
	Auth    string `yaml:"auth,omitempty" json:"auth,omitempty"`
	AuthKey string `yaml:"auth_key,omitempty" json:"auth_key,omitempty"`
	Priv    string `yaml:"priv,omitempty" json:"priv,omitempty"`
	PrivKey string `yaml:"priv_key,omitempty" json:"priv_key,omitempty"`
	// EngineIDs, when set, are the sender engine IDs (hex) this user's
	// traps may come from; traps from other engines are counted as
	// unknown engine IDs. Informs to this receiver's own engine ID are
	// always accepted. Empty: any engine ID (the keys are localized for
	// each sender's engine ID as it arrives).
	EngineIDs []string `yaml:"engine_ids,omitempty" json:"engine_ids,omitempty"`
}

// String never shows the keys.
func (u V3User) String() string {
	return fmt.Sprintf("user=%s auth=%s priv=%s", u.User, u.Auth, u.Priv)
}

// DefaultConfig listens on :162 with a 64k-datagram queue, 16 MiB socket
// buffers and 10,000 recent traps.
func DefaultConfig() Config {
	return Config{
		Listen:      []string{":162"},
		QueueSize:   65536,
		ReadBuffer:  16 << 20,
		MaxDatagram: 16384,
		Recent:      10000,
	}
}

// Validate reports the first setting that cannot work, naming its key.
func (c Config) Validate() error {
	if len(c.Listen) == 0 {
		return fmt.Errorf("traps.listen: at least one address is needed")
	}
	seen := map[string]bool{}
	for i, a := range c.Listen {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			return fmt.Errorf("traps.listen[%d]: %q is not HOST:PORT: %w", i, a, err)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			return fmt.Errorf("traps.listen[%d]: %q: port %q is not a number 0-65535", i, a, port)
		}
		if host != "" && net.ParseIP(strings.Trim(host, "[]")) == nil {
			return fmt.Errorf("traps.listen[%d]: %q: the host must be an IP address or empty", i, a)
		}
		if seen[a] {
			return fmt.Errorf("traps.listen[%d]: %q is listed twice", i, a)
		}
		seen[a] = true
	}
	if c.QueueSize < 1 {
		return fmt.Errorf("traps.queue_size: must be at least 1, got %d", c.QueueSize)
	}
	if c.Workers < 0 {
		return fmt.Errorf("traps.workers: must not be negative, got %d", c.Workers)
	}
	if c.ReadBuffer < 0 {
		return fmt.Errorf("traps.read_buffer: must not be negative, got %d", c.ReadBuffer)
	}
	if c.MaxDatagram < 484 || c.MaxDatagram > 65535 {
		return fmt.Errorf("traps.max_datagram: %d is not between 484 and 65535", c.MaxDatagram)
	}
	if c.Recent < 0 {
		return fmt.Errorf("traps.recent: must not be negative, got %d", c.Recent)
	}
	if c.EngineID != "" {
		if err := checkEngineID(c.EngineID); err != nil {
			return fmt.Errorf("traps.engine_id: %w", err)
		}
	}
	users := map[string]bool{}
	for i, u := range c.Users {
		if err := u.validate(); err != nil {
			return fmt.Errorf("traps.users[%d]: %w", i, err)
		}
		if users[u.User] {
			return fmt.Errorf("traps.users[%d]: user %q is listed twice", i, u.User)
		}
		users[u.User] = true
	}
	return nil
}

func (u V3User) validate() error {
	cr := snmp.Credentials{Version: "3", User: u.User, Auth: u.Auth, AuthKey: u.AuthKey, Priv: u.Priv, PrivKey: u.PrivKey}
	if err := cr.Validate(); err != nil {
		// snmp.Credentials names its keys "snmp.x"; ours are the user's own.
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "snmp."))
	}
	for j, e := range u.EngineIDs {
		if err := checkEngineID(e); err != nil {
			return fmt.Errorf("engine_ids[%d]: %w", j, err)
		}
	}
	return nil
}

// checkEngineID accepts 5 to 32 octets of hex, with an optional 0x.
func checkEngineID(s string) error {
	b, err := parseEngineID(s)
	if err != nil {
		return err
	}
	if len(b) < 5 || len(b) > 32 {
		return fmt.Errorf("%q: an engine ID is 5 to 32 octets, got %d", s, len(b))
	}
	return nil
}

func parseEngineID(s string) ([]byte, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	t = strings.NewReplacer(":", "", " ", "").Replace(t)
	b, err := hex.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("%q is not hex: %w", s, err)
	}
	return b, nil
}
