package chart

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// memBackend is an in-memory Backend for the package's tests: raw points
// only, rolled up on query.
type memBackend struct {
	mu      sync.Mutex
	raw     map[Series]map[int64]float64
	meta    map[Series]Meta
	writes  int
	failing error
	pruned  map[Series]map[Resolution]time.Time
	block   chan struct{} // when set, Write waits on it
}

func newMem() *memBackend {
	return &memBackend{raw: map[Series]map[int64]float64{}, meta: map[Series]Meta{}, pruned: map[Series]map[Resolution]time.Time{}}
}

func (m *memBackend) Write(ctx context.Context, samples []Sample) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing != nil {
		return m.failing
	}
	m.writes++
	for _, s := range samples {
		if m.raw[s.Series] == nil {
			m.raw[s.Series] = map[int64]float64{}
		}
		m.raw[s.Series][s.Time.Unix()] = s.Value
		m.meta[s.Series] = Meta{Series: s.Series, Label: s.Label, Units: s.Units, Interface: s.Interface, Last: s.Time}
	}
	return nil
}

func (m *memBackend) Query(ctx context.Context, s Series, r Resolution, from, to time.Time) ([]Point, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ts []int64
	for t := range m.raw[s] {
		if t >= from.Unix() && t <= to.Unix() {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	var out []Point
	for _, t := range ts {
		v := m.raw[s][t]
		b := time.Unix(r.BucketUnix(t), 0).UTC()
		if n := len(out); n > 0 && out[n-1].Time.Equal(b) && r != Raw {
			p := &out[n-1]
			p.Avg = (p.Avg*float64(p.Count) + v) / float64(p.Count+1)
			p.Min, p.Max, p.Count = min(p.Min, v), max(p.Max, v), p.Count+1
			continue
		}
		out = append(out, Point{Time: b, Min: v, Avg: v, Max: v, Count: 1})
	}
	return out, nil
}

func (m *memBackend) Datasets(ctx context.Context, server, mapName, device string) ([]Meta, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Meta
	for _, md := range m.meta {
		if (server == "" || md.Server == server) && (mapName == "" || md.Map == mapName) && (device == "" || md.Device == device) {
			out = append(out, md)
		}
	}
	return out, nil
}

func (m *memBackend) AllSeries(ctx context.Context) ([]Series, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Series
	for s := range m.meta {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Series) int { return cmpSeries(a, b) })
	return out, nil
}

func cmpSeries(a, b Series) int {
	for _, c := range [][2]string{{a.Server, b.Server}, {a.Map, b.Map}, {a.Device, b.Device}, {a.Dataset, b.Dataset}} {
		if c[0] != c[1] {
			if c[0] < c[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Prune records the cut-off; only raw points are really deleted.
func (m *memBackend) Prune(ctx context.Context, s Series, r Resolution, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing != nil {
		return 0, m.failing
	}
	if m.pruned[s] == nil {
		m.pruned[s] = map[Resolution]time.Time{}
	}
	m.pruned[s][r] = before
	var n int64
	if r == Raw {
		for t := range m.raw[s] {
			if t < before.Unix() {
				delete(m.raw[s], t)
				n++
			}
		}
	}
	return n, nil
}

var errDisk = errors.New("disk full")
