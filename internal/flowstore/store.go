package flowstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"
)

// Store keeps sessions and answers queries on them. OpenDuck and
// OpenClickHouse return one; both give the same answers to the same
// sessions.
type Store interface {
	Writer
	// Top ranks the sessions overlapping [q.From, q.To); sessions that
	// straddle the range count in proportion to their overlap.
	Top(ctx context.Context, q Query) ([]Row, error)
	// TimeChart spreads the range's sessions over about buckets buckets
	// (DefaultBuckets when 0), filtered as q says (q.By, q.Metric and
	// q.Limit are ignored).
	TimeChart(ctx context.Context, q Query, buckets int) (Chart, error)
	// Size is the space the sessions take on disk, in bytes.
	Size(ctx context.Context) (int64, error)
	// Progress reports the reload after a restart.
	Progress() Progress
	// SetLimits changes the size cap and age limit while running; the next
	// maintenance pass (within 30 s of an insert, or Maintain) applies them.
	SetLimits(maxBytes int64, maxAge time.Duration) error
	Close() error
}

// Progress is a store's reload after a restart: sessions found so far
// against the number estimated from the size of what is on disk (which,
// being an estimate, can be passed or not reached).
type Progress struct {
	Loading    bool  `json:"loading"`
	Loaded     int64 `json:"loaded"`
	Estimated  int64 `json:"estimated"`
	Partitions int   `json:"partitions"`
}

// Options configure a store.
type Options struct {
	// MaxBytes caps the store's size: the oldest day is dropped while the
	// store is larger (never the newest). 0 means no cap.
	MaxBytes int64
	// MaxAge drops days that ended longer ago than this. 0 keeps them.
	MaxAge time.Duration
	// Ports names applications.
	Ports Ports
	// Logger receives progress and maintenance messages; nil discards.
	Logger *slog.Logger
}

// DefaultMaxBytes is the size cap InterMapper Flows installs with: 10 GB.
const DefaultMaxBytes = 10_000_000_000

// DefaultOptions returns a 10 GB cap, no age limit and the built-in ports.
func DefaultOptions() Options {
	return Options{MaxBytes: DefaultMaxBytes, Ports: DefaultPorts()}
}

// Validate reports options out of range, naming their keys.
func (o Options) Validate() error {
	var errs []error
	if o.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("flows.database.max_bytes: %d is negative", o.MaxBytes))
	}
	if o.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("flows.database.retention: %v is negative", o.MaxAge))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.Ports.names == nil {
		o.Ports = DefaultPorts()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// maxSessionMS bounds a stored session's duration (one day): queries look
// one day before their range for sessions reaching into it.
const maxSessionMS = 24 * 3600 * 1000

// storedTimes is a session's start and duration as stored: milliseconds,
// the duration at most a day (a longer one keeps its end).
func storedTimes(s *Session) (start int64, dur uint32) {
	start, end := s.Start.UnixMilli(), s.End.UnixMilli()
	if end < start {
		end = start
	}
	if end-start > maxSessionMS {
		start = end - maxSessionMS
	}
	return start, uint32(end - start)
}

func flag(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// rowFromText builds a Row from one answer line of topSQL, its columns as
// text.
func rowFromText(by By, ports Ports, v []string) (Row, error) {
	keys := len(keyColumns(by))
	if len(v) != keys+3 {
		return Row{}, fmt.Errorf("answer has %d columns, want %d", len(v), keys+3)
	}
	u := func(i int) uint64 {
		n, _ := strconv.ParseUint(v[i], 10, 64)
		return n
	}
	var r Row
	switch by {
	case ByHost:
		r.Host = addrFromHalves(u(0), u(1)).String()
	case ByClient:
		r.Client = addrFromHalves(u(0), u(1)).String()
	case ByServer:
		r.Server = addrFromHalves(u(0), u(1)).String()
	case ByConversation:
		r.Client = addrFromHalves(u(0), u(1)).String()
		r.Server = addrFromHalves(u(2), u(3)).String()
	case ByProtocol:
		r.Proto = uint8(u(0))
		r.Protocol = ProtoName(r.Proto)
	case ByApplication:
		r.Proto, r.Port = uint8(u(0)), uint16(u(1))
		r.Protocol = ProtoName(r.Proto)
		r.Application = ports.Application(r.Proto, r.Port)
	case ByExporter:
		r.Exporter = v[0]
	case ByInterface:
		r.Exporter, r.IfIndex = v[0], uint32(u(1))
	}
	var err error
	if r.Bytes, err = roundText(v[keys]); err != nil {
		return Row{}, err
	}
	if r.Packets, err = roundText(v[keys+1]); err != nil {
		return Row{}, err
	}
	r.Sessions = u(keys + 2)
	return r, nil
}

// roundText rounds a float answer to the nearest whole number.
func roundText(s string) (uint64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("number %q: %w", s, err)
	}
	if f <= 0 || math.IsNaN(f) {
		return 0, nil
	}
	return uint64(math.Round(f)), nil
}

// newChart lays out n empty buckets over the query's range.
func newChart(q Query, n int) Chart {
	r := msRange(q)
	w := float64(r.to-r.from) / float64(n)
	c := Chart{From: q.From, To: q.To, Step: w / 1000, Buckets: make([]Bucket, n)}
	for i := range c.Buckets {
		c.Buckets[i].Start = time.UnixMilli(r.from + int64(math.Round(float64(i)*w))).UTC()
	}
	return c
}

// chartEvents accumulates the answer lines of chartSQL.
type chartEvents struct {
	rate, in, zero [2][]float64 // [bytes, packets][bucket]
}

func newChartEvents(n int) *chartEvents {
	e := &chartEvents{}
	for k := range 2 {
		e.rate[k], e.in[k], e.zero[k] = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	return e
}

// add takes one answer line: index, then rate, in-bucket part and
// zero-duration volume for bytes, then for packets.
func (e *chartEvents) add(v []string) error {
	if len(v) != 7 {
		return fmt.Errorf("answer has %d columns, want 7", len(v))
	}
	i, err := strconv.Atoi(v[0])
	if err != nil {
		return fmt.Errorf("bucket %q: %w", v[0], err)
	}
	if i < 0 || i >= len(e.rate[0]) {
		return nil // an end rounded onto the range's end
	}
	for k := range 2 {
		for j, dst := range []*float64{&e.rate[k][i], &e.in[k][i], &e.zero[k][i]} {
			f, err := strconv.ParseFloat(v[1+3*k+j], 64)
			if err != nil {
				return fmt.Errorf("number %q: %w", v[1+3*k+j], err)
			}
			*dst += f
		}
	}
	return nil
}

// fill turns the events into bucket volumes: the running rate times the
// width, plus the in-bucket parts.
func (e *chartEvents) fill(c *Chart) {
	w := c.Step * 1000
	for k := range 2 {
		running := 0.0
		for i := range c.Buckets {
			v := running*w + e.in[k][i] + e.zero[k][i]
			running += e.rate[k][i]
			n := uint64(0)
			if v > 0 {
				n = uint64(math.Round(v))
			}
			if k == 0 {
				c.Buckets[i].Bytes = n
				if c.Step > 0 {
					c.Buckets[i].BitsPerSec = v * 8 / c.Step
				}
			} else {
				c.Buckets[i].Packets = n
			}
		}
	}
}

// chartBuckets resolves the bucket count: about 200 by default, and never
// narrower than a millisecond.
func chartBuckets(q Query, n int) int {
	if n <= 0 {
		n = DefaultBuckets
	}
	if span := q.To.Sub(q.From).Milliseconds(); int64(n) > span {
		n = int(max(span, 1))
	}
	return n
}

// Both stores satisfy Store.
var (
	_ Store = (*Duck)(nil)
	_ Store = (*ClickHouse)(nil)
)
