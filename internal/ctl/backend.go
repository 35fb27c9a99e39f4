// Package ctl holds the administrator's commands shared by the console
// (telnet-style, --console) and `vantage ctl` (POST /api/v1/ctl): both
// print the same text for the same command, because they run this code.
package ctl

import (
	"context"
	"errors"
	"time"
)

// Backend is what the commands read and do; the server implements it.
type Backend interface {
	// Maps lists the monitored maps, sorted by name.
	Maps() []Map
	// Devices lists a map's devices with their live status; false when
	// the map does not exist.
	Devices(mapName string) ([]Device, bool)
	// Status returns one device; false when it does not exist.
	Status(mapName, device string) (Device, bool)
	// PollNow polls a device at once and waits for the poll to finish
	// (or ctx to end).
	PollNow(ctx context.Context, mapName, device string) error
	// FlowExporters lists the flow exporters heard from; ErrNoFlows when
	// no flow collector runs.
	FlowExporters() ([]Exporter, error)
	// External reports the links to outside services: the central
	// database and the flow stores.
	External() []Link
}

// ErrNoFlows says the server runs no flow collector.
var ErrNoFlows = errors.New("flow collector not running")

// Map is one map's summary.
type Map struct {
	Name    string
	Status  string
	Devices int
	// Down counts devices whose status is down.
	Down int
}

// Device is a device and its live status.
type Device struct {
	Map      string
	Name     string
	Address  string
	Probe    string
	Status   string
	Reason   string
	Since    time.Time
	LastPoll time.Time
	Polls    int64
	Failures int64
	// Acknowledged and Maintenance are the alert flags.
	Acknowledged bool
	Maintenance  bool
}

// Exporter is a flow exporter (router, switch, softflowd) heard from.
type Exporter struct {
	Address  string
	Versions map[string]uint64
	Records  uint64
	LastSeen time.Time
}

// Link is the state of a connection to an outside service.
type Link struct {
	// Kind is "central database", "flow store" …
	Kind string
	// Target is where it goes, without secrets.
	Target string
	// State is connected, disconnected, off …
	State  string
	Detail string
}
