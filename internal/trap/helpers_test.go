package trap

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vantage-monitor/vantage/internal/eventlog"
)

// fakeDir maps addresses to devices.
type fakeDir map[netip.Addr][]DeviceRef

func (d fakeDir) DevicesAt(a netip.Addr) []DeviceRef { return d[a] }

// sink collects what the receiver hands out.
type sink struct {
	mu         sync.Mutex
	events     []eventlog.Event
	deliveries []delivery
	records    []Record
	changed    chan struct{}
}

type delivery struct {
	dev  DeviceRef
	trap Trap
}

func newSink() *sink { return &sink{changed: make(chan struct{}, 1)} }

func (s *sink) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *sink) Write(e eventlog.Event) error {
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
	s.poke()
	return nil
}

func (s *sink) deliver(d DeviceRef, t Trap) {
	s.mu.Lock()
	s.deliveries = append(s.deliveries, delivery{d, t})
	s.mu.Unlock()
	s.poke()
}

func (s *sink) observe(r Record) {
	s.mu.Lock()
	s.records = append(s.records, r)
	s.mu.Unlock()
	s.poke()
}

// waitRecords waits until n traps have been observed and returns them.
func (s *sink) waitRecords(t *testing.T, n int) []Record {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		if len(s.records) >= n {
			out := append([]Record(nil), s.records...)
			s.mu.Unlock()
			return out
		}
		s.mu.Unlock()
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %d traps, got %d", n, len(s.records))
		}
	}
}

func (s *sink) snapshot() ([]eventlog.Event, []delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]eventlog.Event(nil), s.events...), append([]delivery(nil), s.deliveries...)
}

// startService runs a receiver on 127.0.0.1 at a free port until the test
// ends and returns it with its address.
func startService(t *testing.T, cfg Config, dir Directory) (*Service, *sink, netip.AddrPort) {
	t.Helper()
	if len(cfg.Listen) == 0 || cfg.Listen[0] == ":162" {
		cfg.Listen = []string{"127.0.0.1:0"}
	}
	k := newSink()
	s, err := New(cfg, Deps{Directory: dir, Deliver: k.deliver, Events: k, Observe: k.observe,
		Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s, k, s.Addrs()[0]
}

// waitStats polls until cond holds on the receiver's counters.
func waitStats(t *testing.T, s *Service, what string, cond func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.Stats()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stats %+v", what, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
