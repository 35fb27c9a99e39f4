package flow

import (
	"sync"
	"testing"
	"time"
)

// capturesDir holds the shared real captures (see its INDEX.md); tests
// read them in place.
const capturesDir = "../../../shared/testdata/flows"

// captureSink collects what the collector hands over.
type captureSink struct {
	mu      sync.Mutex
	records []Record
	batches int
}

func (s *captureSink) Records(b []Record) {
	s.mu.Lock()
	s.records = append(s.records, b...)
	s.batches++
	s.mu.Unlock()
}

func (s *captureSink) snapshot() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records...)
}

func newTestCollector(t testing.TB) *Collector {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Workers, cfg.Readers = 2, 2
	cfg.PendingTTL = time.Hour // captures are minutes apart
	c, err := New(cfg, Deps{Sink: &captureSink{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
