package monitor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
)

// chain is the seed's topology: vantage point — n2 — n1 — n3.
func chain() fakeMaps {
	return fakeMaps{{Name: "M", Vantage: "im",
		Devices: []netmap.Device{
			{Name: "im", Address: "192.0.2.10"},
			{Name: "n2", Address: "192.0.2.2", DownAfter: 1},
			{Name: "n1", Address: "192.0.2.1", DownAfter: 1},
			{Name: "n3", Address: "192.0.2.3", DownAfter: 1},
		},
		Links: []netmap.Link{{From: "im", To: "n2"}, {From: "n2", To: "n1"}, {From: "n1", To: "n3"}},
	}}
}

type changeRec struct {
	dev         string
	to          status.Level
	unreachable bool
}

// TestShadowedInAnyOrder cuts n2 off and lets the devices notice in every
// order: only n2 is ever DOWN; n1 and n3 are UNREACHABLE and every status
// change reported for them carries the unreachable mark.
func TestShadowedInAnyOrder(t *testing.T) {
	orders := [][]string{
		{"n2", "n1", "n3", "n1", "n3"},
		{"n3", "n2", "n1", "n3", "n1"},
		{"n1", "n3", "n2", "n1", "n3"},
		{"n3", "n1", "n2", "n3", "n1"},
	}
	for _, order := range orders {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			sched := &fakeScheduler{}
			ev := &events{}
			var m *Monitor
			var changes []changeRec
			m = New(Config{}, Deps{Maps: chain(), Probes: registry(t), Scheduler: sched, Events: ev,
				OnChange: func(mp, dev string, from, to status.Level) {
					st, _ := m.Status(mp, dev)
					changes = append(changes, changeRec{dev, to, st.Behind != ""})
				}})
			m.Sync()
			key := map[string]string{}
			for _, d := range []string{"im", "n2", "n1", "n3"} {
				key[d] = m.KeyOf("M", d)
			}
			t0 := time.Now()
			for _, d := range []string{"im", "n2", "n1", "n3"} {
				m.Observe(key[d], status.Result{Level: status.OK, Reason: "ok", Time: t0})
			}
			changes = nil
			ev.evs = nil
			lost := func(d string, i int) {
				m.Observe(key[d], status.Result{Level: status.Down, NoResponse: true, Reason: "no reply", Time: t0.Add(time.Duration(i+1) * time.Second)})
			}
			for i, d := range order {
				lost(d, i)
			}
			// The re-checks happen in goroutines; give every device one more
			// lost poll, as the re-polls would.
			for i, d := range []string{"n2", "n1", "n3"} {
				lost(d, 10+i)
			}
			kinds := map[string][]string{}
			for _, e := range ev.evs {
				kinds[e.Device] = append(kinds[e.Device], e.Kind)
			}
			if fmt.Sprint(kinds["n2"]) != "[DOWN]" || fmt.Sprint(kinds["n1"]) != "[UNREACHABLE]" || fmt.Sprint(kinds["n3"]) != "[UNREACHABLE]" {
				t.Fatalf("events %v", kinds)
			}
			for _, c := range changes {
				if c.dev != "n2" && !c.unreachable {
					t.Fatalf("%s reported without the unreachable mark: %+v", c.dev, changes)
				}
			}
			if st, _ := m.Status("M", "n3"); st.Behind != "n2" {
				t.Fatalf("n3 behind %q", st.Behind)
			}

			// n2 recovers: n1 and n3 are re-polled at once.
			sched.mu.Lock()
			sched.polled = nil
			sched.mu.Unlock()
			m.Observe(key["n2"], status.Result{Level: status.OK, Reason: "ok", Time: t0.Add(time.Minute)})
			sched.mu.Lock()
			polled := fmt.Sprint(sched.polled)
			sched.mu.Unlock()
			if !strings.Contains(polled, key["n1"]) || !strings.Contains(polled, key["n3"]) {
				t.Fatalf("dependents not re-polled: %s", polled)
			}
			// n1 answers; n3 is still dead on its own: now it is DOWN.
			m.Observe(key["n1"], status.Result{Level: status.OK, Reason: "ok", Time: t0.Add(61 * time.Second)})
			ev.evs = nil
			lost("n3", 70)
			if len(ev.evs) != 1 || ev.evs[0].Kind != "DOWN" || !strings.Contains(ev.evs[0].Message, "no longer behind n2") {
				t.Fatalf("n3 after recovery: %+v", ev.evs)
			}
		})
	}
}

// ring is a ring of four devices reached through two uplinks:
// im — ua — r1 — r2 — r3 — ub — im, and r3 — r4 — r1.
func ring() fakeMaps {
	devs := []netmap.Device{{Name: "im", Address: "192.0.2.10"}}
	for i, n := range []string{"ua", "ub", "r1", "r2", "r3", "r4"} {
		devs = append(devs, netmap.Device{Name: n, Address: fmt.Sprintf("192.0.2.%d", 20+i), DownAfter: 1})
	}
	return fakeMaps{{Name: "M", Vantage: "im", Devices: devs,
		Links: []netmap.Link{{From: "im", To: "ua"}, {From: "im", To: "ub"}, {From: "ua", To: "r1"}, {From: "ub", To: "r3"},
			{From: "r1", To: "r2"}, {From: "r2", To: "r3"}, {From: "r3", To: "r4"}, {From: "r4", To: "r1"}}}}
}

// TestShadowedOnEveryPath: a device with several paths to the vantage
// point is unreachable, not down, once every path is cut, whichever device
// notices first; and before it is declared, the devices on all its paths
// are re-checked, not only those it depends on alone (here none).
func TestShadowedOnEveryPath(t *testing.T) {
	ringDevs := []string{"r1", "r2", "r3", "r4"}
	for _, order := range [][]string{
		{"ua", "ub", "r1", "r2", "r3", "r4"},
		{"r2", "r4", "r1", "r3", "ub", "ua"},
		{"r3", "ua", "r2", "ub", "r1", "r4"},
	} {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			sched := &fakeScheduler{}
			ev := &events{}
			var m *Monitor
			m = New(Config{}, Deps{Maps: ring(), Probes: registry(t), Scheduler: sched, Events: ev})
			m.Sync()
			key := map[string]string{}
			for _, d := range append([]string{"im", "ua", "ub"}, ringDevs...) {
				key[d] = m.KeyOf("M", d)
			}
			t0 := time.Now()
			for _, k := range key {
				m.Observe(k, status.Result{Level: status.OK, Reason: "ok", Time: t0})
			}
			lost := func(d string, i int) {
				m.Observe(key[d], status.Result{Level: status.Down, NoResponse: true, Reason: "no reply", Time: t0.Add(time.Duration(i+1) * time.Second)})
			}

			// One uplink lost: only it is down; the ring still answers.
			lost("ua", 0)
			lost("ua", 1)
			for _, d := range ringDevs {
				m.Observe(key[d], status.Result{Level: status.OK, Reason: "ok", Time: t0.Add(2 * time.Second)})
			}
			m.Observe(key["ub"], status.Result{Level: status.OK, Reason: "ok", Time: t0.Add(2 * time.Second)})
			m.Observe(key["ua"], status.Result{Level: status.OK, Reason: "ok", Time: t0.Add(3 * time.Second)})
			ev.evs = nil

			// Both lost, noticed in order; the first miss of a ring device
			// re-checks both uplinks (and the ring devices on its paths).
			sched.mu.Lock()
			sched.polled = nil
			sched.mu.Unlock()
			for i, d := range order {
				lost(d, 10+i)
			}
			for i, d := range order {
				lost(d, 20+i)
			}
			kinds := map[string][]string{}
			for _, e := range ev.evs {
				kinds[e.Device] = append(kinds[e.Device], e.Kind)
			}
			if fmt.Sprint(kinds["ua"]) != "[DOWN]" || fmt.Sprint(kinds["ub"]) != "[DOWN]" {
				t.Fatalf("uplinks: events %v", kinds)
			}
			for _, d := range ringDevs {
				if fmt.Sprint(kinds[d]) != "[UNREACHABLE]" {
					t.Fatalf("%s: events %v", d, kinds)
				}
				if st, _ := m.Status("M", d); st.Behind != "ua, ub" {
					t.Fatalf("%s behind %q", d, st.Behind)
				}
			}
			m.mu.RLock()
			between := m.between("M", "r2")
			m.mu.RUnlock()
			if fmt.Sprint(between) != "[ua ub r1 r3]" {
				t.Fatalf("devices between the vantage point and r2: %v", between)
			}

			// ua is back: the ring is reached again and re-polled at once.
			sched.mu.Lock()
			sched.polled = nil
			sched.mu.Unlock()
			m.Observe(key["ua"], status.Result{Level: status.OK, Reason: "ok", Time: t0.Add(time.Minute)})
			sched.mu.Lock()
			polled := fmt.Sprint(sched.polled)
			sched.mu.Unlock()
			for _, d := range ringDevs {
				if !strings.Contains(polled, key[d]) {
					t.Fatalf("%s not re-polled when ua came back: %s", d, polled)
				}
			}
		})
	}
}
