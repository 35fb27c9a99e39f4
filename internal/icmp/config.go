// Package icmp is Vantage's one shared ICMP engine: a single socket per
// address family serves every ping (and later traceroute) in the process, so
// thousands of monitored devices cost two file descriptors and two receive
// goroutines, not one socket each.
//
// Replies are matched to waiting callers by (address, sequence number), and
// checked against a per-engine random nonce and the send time carried in the
// echo payload, so replies meant for other ping programs are counted as
// strays and ignored.
package icmp

import (
	"fmt"
)

// Socket modes.
const (
	// ModeAuto opens raw sockets when permitted and falls back to
	// unprivileged ping sockets.
	ModeAuto = "auto"
	// ModeRaw opens raw ICMP sockets: needs root or CAP_NET_RAW.
	ModeRaw = "raw"
	// ModeDgram opens unprivileged ping sockets (SOCK_DGRAM, IPPROTO_ICMP):
	// needs the process's group inside net.ipv4.ping_group_range.
	ModeDgram = "dgram"
)

// Config configures an Engine.
type Config struct {
	// Mode is ModeAuto (the default when empty), ModeRaw or ModeDgram.
	Mode string `yaml:"mode"`
	// ReadBuffer is the socket receive buffer in bytes. A sweep of 10,000
	// hosts on a fast network returns 10,000 replies within milliseconds,
	// far more than the kernel's default buffer (about 200 KiB) holds, so
	// the default is 4 MiB, forced past net.core.rmem_max when running with
	// CAP_NET_ADMIN (root).
	ReadBuffer int `yaml:"read_buffer"`
}

// DefaultConfig returns the defaults: auto mode, 4 MiB receive buffers.
func DefaultConfig() Config {
	return Config{Mode: ModeAuto, ReadBuffer: 4 << 20}
}

// Validate checks the configuration; errors name the key.
func (c Config) Validate() error {
	switch c.Mode {
	case "", ModeAuto, ModeRaw, ModeDgram:
	default:
		return fmt.Errorf("icmp mode %q: want %q, %q or %q", c.Mode, ModeAuto, ModeRaw, ModeDgram)
	}
	if c.ReadBuffer < 0 {
		return fmt.Errorf("icmp read_buffer %d: must not be negative", c.ReadBuffer)
	}
	return nil
}
