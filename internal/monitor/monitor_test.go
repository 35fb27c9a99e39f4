package monitor

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/poller"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

type fakeMaps []*netmap.Map

func (f fakeMaps) Maps() []*netmap.Map { return f }

type fakeScheduler struct {
	jobs   []poller.Job
	mu     sync.Mutex
	polled []string
}

func (f *fakeScheduler) Set(j []poller.Job) { f.jobs = j }
func (f *fakeScheduler) PollNow(key string) bool {
	f.mu.Lock()
	f.polled = append(f.polled, key)
	f.mu.Unlock()
	return true
}

func (f *fakeScheduler) PollNowDone(key string) <-chan struct{} {
	f.PollNow(key)
	c := make(chan struct{})
	close(c)
	return c
}

type events struct {
	mu  sync.Mutex
	evs []eventlog.Event
}

func (e *events) Write(ev eventlog.Event) error {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
	return nil
}

type nopProbe struct{}

func (nopProbe) Poll(context.Context, probe.Target) status.Result { return status.Result{} }

func registry(t *testing.T) *probe.Registry {
	r := probe.NewRegistry()
	for _, i := range []probe.Info{
		{ID: "com.dartware.ping", Aliases: []string{"ping"}, Shareable: true, Params: []probe.Param{{Name: "count", Default: "3"}}, New: func() probe.Probe { return nopProbe{} }},
		{ID: "com.dartware.tcp.http", Aliases: []string{"http"}, New: func() probe.Probe { return nopProbe{} }},
	} {
		if err := r.Register(i); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestSharingAndEvents(t *testing.T) {
	maps := fakeMaps{
		{Name: "A", Devices: []netmap.Device{
			{Name: "gw", Address: "192.0.2.1", Probe: "ping", Interval: netmap.Duration(time.Minute)},
			{Name: "gw-copy", Address: "192.0.2.1", Params: map[string]string{"count": "3"}, Interval: netmap.Duration(10 * time.Second)},
			{Name: "web", Address: "192.0.2.1", Probe: "http"},
			{Name: "odd", Address: "192.0.2.1", Probe: "nope"},
		}},
		{Name: "B", Devices: []netmap.Device{
			{Name: "gw", Address: "192.0.2.1", Probe: "com.dartware.ping"},
			{Name: "web", Address: "192.0.2.1", Probe: "http"},
			{Name: "gw4", Address: "192.0.2.1", Probe: "ping", Params: map[string]string{"count": "4"}},
		}},
	}
	sched := &fakeScheduler{}
	ev := &events{}
	m := New(Config{DefaultInterval: 30 * time.Second, DownAfter: 2}, Deps{Maps: maps, Probes: registry(t), Scheduler: sched, Events: ev})
	m.Sync()
	// ping shared by A:gw, A:gw-copy and B:gw (defaults filled in); http per device; gw4 differs.
	if len(sched.jobs) != 4 {
		t.Fatalf("jobs = %d, want 4", len(sched.jobs))
	}
	devices, monitored := m.Counts()
	if devices != 7 || monitored != 4 {
		t.Fatalf("counts = %d, %d", devices, monitored)
	}
	var pingKey string
	for _, j := range sched.jobs {
		if strings.Contains(j.Key, "count=3") || (j.Interval == 10*time.Second) {
			pingKey = j.Key
			if j.Interval != 10*time.Second {
				t.Fatalf("shared job interval %v, want the shortest", j.Interval)
			}
		}
	}
	if pingKey == "" {
		t.Fatalf("no shared ping job in %+v", sched.jobs)
	}
	st, _ := m.Status("A", "odd")
	if !strings.Contains(st.Reason, "unknown probe") {
		t.Fatalf("odd reason %q", st.Reason)
	}

	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.Observe(pingKey, status.Result{Level: status.OK, Reason: "RTT 1 ms", Time: t0})
	m.Observe(pingKey, status.Result{Level: status.Down, NoResponse: true, Reason: "no reply to 3 pings", Time: t0.Add(30 * time.Second)})
	if len(ev.evs) != 3 {
		t.Fatalf("events after first miss = %+v", ev.evs)
	}
	m.Observe(pingKey, status.Result{Level: status.Down, NoResponse: true, Reason: "no reply to 3 pings", Time: t0.Add(60 * time.Second)})
	if len(ev.evs) != 6 {
		t.Fatalf("events = %+v", ev.evs)
	}
	last := ev.evs[5]
	if last.Kind != "DOWN" || last.Message != "no reply to 3 pings (was ok for 1 minute, 0 seconds)" {
		t.Fatalf("down event %+v", last)
	}
	st, _ = m.Status("B", "gw")
	if st.Level != status.Down || st.Shared != 3 {
		t.Fatalf("B:gw = %+v", st)
	}
	if m.MapStatus("A") != status.Down || m.MapStatus("B") != status.Down {
		t.Fatal("map status is not the worst device's")
	}
	if c := m.LevelCounts(); c["down"] != 3 {
		t.Fatalf("level counts %v", c)
	}
}

func TestSyncKeepsState(t *testing.T) {
	maps := fakeMaps{{Name: "A", Devices: []netmap.Device{{Name: "gw", Address: "192.0.2.1"}}}}
	sched := &fakeScheduler{}
	m := New(Config{}, Deps{Maps: maps, Probes: registry(t), Scheduler: sched, Events: &events{}})
	m.Sync()
	m.Observe(sched.jobs[0].Key, status.Result{Level: status.OK, Time: time.Now()})
	m.Sync()
	if st, _ := m.Status("A", "gw"); st.Level != status.OK {
		t.Fatalf("state lost on resync: %+v", st)
	}
	maps[0].Devices[0].Address = "192.0.2.2"
	m.Sync()
	if st, _ := m.Status("A", "gw"); st.Level != status.Unknown || st.Reason != "not polled yet" {
		t.Fatalf("changed device kept old state: %+v", st)
	}
}

func TestSubscribe(t *testing.T) {
	maps := fakeMaps{{Name: "A", Devices: []netmap.Device{{Name: "gw", Address: "192.0.2.1"}}}}
	sched := &fakeScheduler{}
	m := New(Config{}, Deps{Maps: maps, Probes: registry(t), Scheduler: sched, Events: &events{}})
	var got []Update
	cancel := m.Subscribe(func(u Update) { got = append(got, u) })
	m.Sync()
	m.Observe(sched.jobs[0].Key, status.Result{Level: status.OK, Time: time.Now()})
	m.Sync() // unchanged: no map update
	cancel()
	m.Observe(sched.jobs[0].Key, status.Result{Level: status.OK, Time: time.Now()})
	want := []Update{{Map: "A", MapChanged: true}, {Map: "A", Device: "gw"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("updates = %+v", got)
	}
}

func TestSNMPCredentialsMerged(t *testing.T) {
	maps := fakeMaps{{Name: "A", SNMP: &netmap.SNMPSettings{Community: "mapcomm"}, Devices: []netmap.Device{
		{Name: "sw1", Address: "192.0.2.1"},
		{Name: "sw2", Address: "192.0.2.2", SNMP: &netmap.SNMPSettings{Community: "own", Port: 1161}},
	}}}
	sched := &fakeScheduler{}
	m := New(Config{SNMP: snmp.DefaultCredentials()}, Deps{Maps: maps, Probes: registry(t), Scheduler: sched, Events: &events{}})
	m.Sync()
	got := map[string]snmp.Credentials{}
	for _, j := range sched.jobs {
		got[j.Target.Address] = j.Target.SNMP
	}
	if c := got["192.0.2.1"]; c.Community != "mapcomm" || c.Version != "2c" || c.Port != 161 {
		t.Fatalf("sw1 creds %+v", c)
	}
	if c := got["192.0.2.2"]; c.Community != "own" || c.Port != 1161 {
		t.Fatalf("sw2 creds %+v", c)
	}
}

// TestNetBIOSDevices: a device written \NAME is polled at the address its
// NetBIOS name resolves to, never by DNS, and waits unpolled until then.
func TestNetBIOSDevices(t *testing.T) {
	maps := fakeMaps{{Name: "A", Devices: []netmap.Device{{Name: "fs", Address: `\fileserver`, Probe: "ping"}}}}
	sched := &fakeScheduler{}
	resolved := map[string]netip.Addr{}
	m := New(Config{DefaultInterval: 30 * time.Second, DownAfter: 2}, Deps{Maps: maps, Probes: registry(t), Scheduler: sched, Events: &events{},
		NetBIOS: func(name string) (netip.Addr, bool) { a, ok := resolved[name]; return a, ok }})
	m.Sync()
	if len(sched.jobs) != 0 {
		t.Fatalf("polled before the name resolved: %+v", sched.jobs)
	}
	if st, _ := m.Status("A", "fs"); st.Level != status.Unknown || !strings.Contains(st.Reason, "FILESERVER not resolved") {
		t.Fatalf("status before resolution: %+v", st)
	}
	resolved["FILESERVER"] = netip.MustParseAddr("192.0.2.77")
	m.Sync()
	if len(sched.jobs) != 1 || sched.jobs[0].Target.Address != "192.0.2.77" {
		t.Fatalf("jobs after resolution: %+v", sched.jobs)
	}
}
