// Package monitor joins the maps to the poller: it turns every device into a
// poll job (identical devices share one), folds poll results into each
// device's live status, and writes state changes to the event log.
package monitor

import (
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/poller"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// Scheduler is the part of the poller the monitor drives.
type Scheduler interface {
	Set(jobs []poller.Job)
	PollNow(key string) bool
	PollNowDone(key string) <-chan struct{}
}

// EventWriter receives state-change events.
type EventWriter interface {
	Write(e eventlog.Event) error
}

// MapSource lists the maps to monitor.
type MapSource interface {
	Maps() []*netmap.Map
}

// Config holds the defaults a device falls back to.
type Config struct {
	DefaultInterval time.Duration
	DownAfter       int
	// SNMP are the server's default SNMP credentials.
	SNMP snmp.Credentials
}

// Deps are the monitor's collaborators.
type Deps struct {
	Maps      MapSource
	Probes    *probe.Registry
	Scheduler Scheduler
	Events    EventWriter
	Logger    *slog.Logger
	// OnChange, when set, hears every device status change (after it is
	// logged), e.g. to clear acknowledgements.
	OnChange func(mapName, device string, from, to status.Level)
	// NetBIOS resolves the names of devices written \\NAME (nil: they are
	// not polled); ok is false while a name is not resolved.
	NetBIOS func(name string) (addr netip.Addr, ok bool)
	// OnResult, when set, hears every poll's result for every device that
	// shares it (strip charts record from it). It runs on the poller's
	// goroutine and must not block.
	OnResult func(mapName, device string, r status.Result)
}

// Monitor keeps the live status of every device on every map.
type Monitor struct {
	cfg  Config
	deps Deps
	now  func() time.Time

	mu      sync.RWMutex
	states  map[string]status.State // by poll key
	devices map[ref]binding
	byKey   map[string][]ref
	byAddr  map[netip.Addr][]ref
	maps    []*netmap.Map
	graphs  map[string]*netmap.Graph
	// unreach holds, for devices down behind a failed device, that
	// device's name.
	unreach map[ref]string
	// rechecked marks keys whose upstream devices were re-checked for the
	// current failure.
	rechecked map[string]bool

	subMu  sync.Mutex
	subs   map[int]func(Update)
	nextID int
}

// Update tells a subscriber what changed: a device's status (Device set),
// or a whole map (MapChanged or MapDeleted).
type Update struct {
	Map        string
	Device     string
	MapChanged bool
	MapDeleted bool
}

// Subscribe calls fn for every update until cancel is called. fn runs on
// the poller's goroutines and must not block.
func (m *Monitor) Subscribe(fn func(Update)) (cancel func()) {
	m.subMu.Lock()
	defer m.subMu.Unlock()
	if m.subs == nil {
		m.subs = map[int]func(Update){}
	}
	id := m.nextID
	m.nextID++
	m.subs[id] = fn
	return func() {
		m.subMu.Lock()
		delete(m.subs, id)
		m.subMu.Unlock()
	}
}

func (m *Monitor) publish(u Update) {
	m.subMu.Lock()
	defer m.subMu.Unlock()
	for _, fn := range m.subs {
		fn(u)
	}
}

type ref struct{ Map, Device string }

type binding struct {
	key       string
	downAfter int
	// problem is set when the device cannot be polled at all.
	problem string
}

// New builds a monitor; call Sync to load the maps.
func New(cfg Config, deps Deps) *Monitor {
	if cfg.DefaultInterval <= 0 {
		cfg.DefaultInterval = 30 * time.Second
	}
	if cfg.DownAfter <= 0 {
		cfg.DownAfter = status.DefaultDownAfter
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Monitor{cfg: cfg, deps: deps, now: time.Now, states: map[string]status.State{}, devices: map[ref]binding{}, byKey: map[string][]ref{}}
}

// Sync rebuilds the poll jobs from the current maps. Devices whose poll key
// is unchanged keep their status and their place in the schedule.
func (m *Monitor) Sync() {
	all := m.deps.Maps.Maps()
	jobs := map[string]*poller.Job{}
	devices := map[ref]binding{}
	byKey := map[string][]ref{}
	byAddr := map[netip.Addr][]ref{}
	for _, mp := range all {
		for _, d := range mp.Devices {
			r := ref{mp.Name, d.Name}
			if a, ok := d.Addr(); ok {
				byAddr[a] = append(byAddr[a], r)
			}
			b, job := m.jobFor(mp, d)
			devices[r] = b
			if job == nil {
				continue
			}
			byKey[b.key] = append(byKey[b.key], r)
			if j, ok := jobs[b.key]; ok {
				// Shared devices poll at the shortest interval any of them asks for.
				j.Interval = min(j.Interval, job.Interval)
				continue
			}
			jobs[b.key] = job
		}
	}
	list := make([]poller.Job, 0, len(jobs))
	for _, j := range jobs {
		list = append(list, *j)
	}
	m.mu.Lock()
	old := m.maps
	m.devices, m.byKey, m.byAddr, m.maps = devices, byKey, byAddr, all
	m.graphs = make(map[string]*netmap.Graph, len(all))
	for _, mp := range all {
		m.graphs[mp.Name] = netmap.NewGraph(mp)
	}
	for k := range m.states {
		if _, ok := jobs[k]; !ok {
			delete(m.states, k)
		}
	}
	m.mu.Unlock()
	m.deps.Scheduler.Set(list)
	m.publishMapChanges(old, all)
}

// publishMapChanges tells subscribers which maps differ between two syncs.
func (m *Monitor) publishMapChanges(old, cur []*netmap.Map) {
	before := make(map[string]*netmap.Map, len(old))
	for _, mp := range old {
		before[mp.Name] = mp
	}
	for _, mp := range cur {
		if prev, ok := before[mp.Name]; !ok || !reflect.DeepEqual(prev, mp) {
			m.publish(Update{Map: mp.Name, MapChanged: true})
		}
		delete(before, mp.Name)
	}
	for name := range before {
		m.publish(Update{Map: name, MapDeleted: true})
	}
}

// jobFor works out a device's poll key and job. Probes that InterMapper
// shares (ping, SNMP) are keyed by address, probe and parameters alone, so
// identical devices anywhere poll once; others are keyed per device.
func (m *Monitor) jobFor(mp *netmap.Map, d netmap.Device) (binding, *poller.Job) {
	mapName := mp.Name
	downAfter := d.DownAfter
	if downAfter <= 0 {
		downAfter = m.cfg.DownAfter
	}
	info, ok := m.deps.Probes.Lookup(d.ProbeID())
	if !ok {
		return binding{downAfter: downAfter, problem: fmt.Sprintf("unknown probe %q: device is not polled", d.ProbeID())}, nil
	}
	params := info.WithDefaults(d.Params)
	// The key also holds the timeout, SNMP credentials and down_after, so
	// devices differing only in those do not share a poll.
	creds := credentials(d.SNMP, mp.SNMP, m.cfg.SNMP)
	keyParams := info.WithDefaults(d.PollParams())
	keyParams[":down_after"] = strconv.Itoa(downAfter)
	if info.Revision != "" {
		// An edited probe file must not keep polling with the old one.
		keyParams[":revision"] = info.Revision
	}
	if mp.SNMP != nil {
		// Map defaults change what is polled, so they are part of the key.
		for k, v := range (&netmap.Device{SNMP: mp.SNMP}).PollParams() {
			keyParams[":map"+k] = v
		}
	}
	address := d.Address
	if name, ok := netmap.NetBIOSName(address); ok {
		var a netip.Addr
		if m.deps.NetBIOS != nil {
			a, ok = m.deps.NetBIOS(name)
		}
		if !ok {
			return binding{downAfter: downAfter, problem: fmt.Sprintf("NetBIOS name %s not resolved on the local networks (yet)", name)}, nil
		}
		address = a.String()
	}
	key := netmap.PollKey(address, info.ID, keyParams)
	target := probe.Target{Address: address, Params: params, Timeout: d.Timeout.Std(), SNMP: creds}
	if !info.Shareable {
		key = mapName + "\x00" + d.Name + "\x00" + key
		// A poll of one device may know its map (the Map Status probe
		// looks for loops back to it).
		target.Map = mapName
	}
	interval := d.Interval.Std()
	if interval <= 0 {
		interval = m.cfg.DefaultInterval
	}
	return binding{key: key, downAfter: downAfter}, &poller.Job{
		Key:      key,
		Probe:    info.New(),
		Target:   target,
		Interval: interval,
	}
}

// Observe is the poller's sink: it folds r into the shared state and logs a
// change once for every device that shares the poll.
func (m *Monitor) Observe(key string, r status.Result) {
	m.mu.Lock()
	refs := m.byKey[key]
	if len(refs) == 0 {
		m.mu.Unlock()
		return
	}
	prev := m.states[key]
	downAfter := m.devices[refs[0]].downAfter
	recheck := m.deferDown(key, refs, prev, r, downAfter)
	if recheck != nil {
		// Hold the declaration one more poll: the devices between this one
		// and the vantage point are re-checked first.
		downAfter++
	}
	next, change := prev.Apply(r, downAfter)
	m.states[key] = next
	refs = append([]ref(nil), refs...)
	shadow := m.classify(refs, next)
	repoll := m.dependentsToRepoll(refs, change)
	m.mu.Unlock()
	if recheck != nil {
		go m.recheck(key, recheck)
	}
	for _, k := range repoll {
		m.deps.Scheduler.PollNow(k)
	}
	for _, d := range refs {
		if m.deps.OnResult != nil {
			m.deps.OnResult(d.Map, d.Device, r)
		}
		m.publish(Update{Map: d.Map, Device: d.Device})
		for _, pe := range r.Events {
			m.write(eventlog.Event{Time: r.Time, Kind: pe.Kind, Map: d.Map, Device: d.Device, Message: pe.Message})
		}
	}
	if change == nil {
		m.announceShadowChanges(refs, shadow, next, r.Time)
		return
	}
	msg := next.Reason
	if change.From != status.Unknown && change.Lasted > 0 {
		msg = fmt.Sprintf("%s (was %s for %s)", msg, change.From, eventlog.Duration(change.Lasted))
	}
	for i, d := range refs {
		e := eventlog.Event{Time: r.Time, Kind: change.To.EventKind(), Map: d.Map, Device: d.Device, Message: msg}
		if change.To == status.Unknown {
			e.Kind = "UNKNOWN"
		}
		if change.To == status.Down && shadow[i].now != "" {
			e.Kind, e.Message = "UNREACHABLE", fmt.Sprintf("behind %s: %s", shadow[i].now, msg)
		}
		m.write(e)
		if m.deps.OnChange != nil {
			m.deps.OnChange(d.Map, d.Device, change.From, change.To)
		}
	}
}

// Touch tells subscribers a device changed in a way polls do not show (an
// acknowledgement), so open browsers update.
func (m *Monitor) Touch(mapName, device string) {
	m.publish(Update{Map: mapName, Device: device})
}

func (m *Monitor) write(e eventlog.Event) {
	if err := m.deps.Events.Write(e); err != nil {
		m.deps.Logger.Error("cannot write event", "err", err)
	}
}

// DevicesAt lists the devices, on every map, whose address is a; traps are
// dispatched with it. Devices known by DNS name are matched by IP address
// only once they are resolved (not yet).
func (m *Monitor) DevicesAt(a netip.Addr) (maps, devices []string) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, r := range m.byAddr[a.Unmap()] {
		maps, devices = append(maps, r.Map), append(devices, r.Device)
	}
	return maps, devices
}

// KeyOf returns the poll key of a device, "" when it is not polled.
func (m *Monitor) KeyOf(mapName, device string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.devices[ref{mapName, device}].key
}

// PollNow asks for an immediate poll of a device.
func (m *Monitor) PollNow(mapName, device string) bool {
	m.mu.RLock()
	b, ok := m.devices[ref{mapName, device}]
	m.mu.RUnlock()
	return ok && b.key != "" && m.deps.Scheduler.PollNow(b.key)
}

// DeviceStatus is a device's live status.
type DeviceStatus struct {
	status.State
	// Shared counts the devices, on any map, polled by the same poll.
	Shared int `json:"shared"`
	// Behind names the failed device between this one and the vantage
	// point when this one is unreachable rather than down.
	Behind string `json:"behind,omitempty"`
}

// Status returns a device's live status.
func (m *Monitor) Status(mapName, device string) (DeviceStatus, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.devices[ref{mapName, device}]
	if !ok {
		return DeviceStatus{}, false
	}
	if b.problem != "" {
		return DeviceStatus{State: status.State{Level: status.Unknown, Reason: b.problem}}, true
	}
	st := m.states[b.key]
	if st.LastPoll.IsZero() {
		st.Reason = "not polled yet"
	}
	return DeviceStatus{State: st, Shared: len(m.byKey[b.key]), Behind: m.unreach[ref{mapName, device}]}, true
}

// MapStatus is the worst status of the map's devices.
func (m *Monitor) MapStatus(mapName string) status.Level {
	m.mu.RLock()
	defer m.mu.RUnlock()
	worst := status.Unknown
	for r, b := range m.devices {
		if r.Map == mapName && b.key != "" {
			worst = status.Worst(worst, m.states[b.key].Level)
		}
	}
	return worst
}

// Counts returns how many devices are on the maps and how many distinct
// polls monitor them (the InterMapper licence count).
func (m *Monitor) Counts() (devices, monitored int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.devices), len(m.byKey)
}

// LevelCounts counts devices by status, for the server summary.
func (m *Monitor) LevelCounts() map[string]int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[string]int{}
	for _, b := range m.devices {
		out[m.states[b.key].Level.String()]++
	}
	return out
}

// SortedMapNames lists the monitored maps.
func (m *Monitor) SortedMapNames() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	names := make([]string, 0, len(m.maps))
	for _, mp := range m.maps {
		names = append(names, mp.Name)
	}
	sort.Strings(names)
	return names
}
