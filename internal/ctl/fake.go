//go:build !release

package ctl

import (
	"context"
	"fmt"
	"sync"
)

// Fake is an in-memory Backend for tests of ctl and its callers.
type Fake struct {
	Mu        sync.Mutex
	MapList   []Map
	DeviceMap map[string][]Device
	// Exporters is nil when no flow collector runs.
	Exporters []Exporter
	Links     []Link
	// Polled records the PollNow calls as MAP~DEVICE.
	Polled []string
}

// Maps implements Backend.
func (f *Fake) Maps() []Map {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]Map(nil), f.MapList...)
}

// Devices implements Backend.
func (f *Fake) Devices(mapName string) ([]Device, bool) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	d, ok := f.DeviceMap[mapName]
	return append([]Device(nil), d...), ok
}

// Status implements Backend.
func (f *Fake) Status(mapName, device string) (Device, bool) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, d := range f.DeviceMap[mapName] {
		if d.Name == device {
			return d, true
		}
	}
	return Device{}, false
}

// PollNow implements Backend.
func (f *Fake) PollNow(_ context.Context, mapName, device string) error {
	if _, ok := f.Status(mapName, device); !ok {
		return fmt.Errorf("no device %q on map %q", device, mapName)
	}
	f.Mu.Lock()
	f.Polled = append(f.Polled, Ref(mapName, device))
	f.Mu.Unlock()
	return nil
}

// FlowExporters implements Backend.
func (f *Fake) FlowExporters() ([]Exporter, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Exporters == nil {
		return nil, ErrNoFlows
	}
	return append([]Exporter(nil), f.Exporters...), nil
}

// External implements Backend.
func (f *Fake) External() []Link {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]Link(nil), f.Links...)
}

// SetStatus changes a device's status, for tests that watch changes.
func (f *Fake) SetStatus(mapName, device, status, reason string) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for i, d := range f.DeviceMap[mapName] {
		if d.Name == device {
			f.DeviceMap[mapName][i].Status = status
			f.DeviceMap[mapName][i].Reason = reason
		}
	}
}

// NewFake returns a Fake with two maps: Lab (gw ok, web down) and Branch
// (gw ok), so "gw" is ambiguous and "web" unique.
func NewFake() *Fake {
	return &Fake{
		MapList: []Map{{Name: "Branch", Status: "ok", Devices: 1}, {Name: "Lab", Status: "down", Devices: 2, Down: 1}},
		DeviceMap: map[string][]Device{
			"Lab": {
				{Map: "Lab", Name: "gw", Address: "192.0.2.1", Probe: "com.dartware.ping", Status: "ok", Reason: "RTT 1 ms", Polls: 10},
				{Map: "Lab", Name: "web", Address: "192.0.2.80", Probe: "com.dartware.tcp.http", Status: "down", Reason: "connection\nrefused", Polls: 10, Failures: 4},
			},
			"Branch": {{Map: "Branch", Name: "gw", Address: "198.51.100.1", Probe: "com.dartware.ping", Status: "ok"}},
		},
	}
}
