// Package chart turns probe readings into datasets: it records a sample of
// every numeric value at each poll, keeps 5-minute, hourly and daily
// roll-ups (min, max, average, count) beside the raw points, applies
// retention policies, and answers strip-chart queries at the resolution
// that fits the range asked for.
package chart

import (
	"context"
	"time"
)

// Series names one dataset of one device, as recorded by one server (the
// label that keeps several servers apart in a central database).
type Series struct {
	Server  string `json:"server,omitempty"`
	Map     string `json:"map"`
	Device  string `json:"device"`
	Dataset string `json:"dataset"`
}

// Meta describes a dataset for pickers and chart legends.
type Meta struct {
	Series
	// Label is the human name ("Round-trip time", "eth0 in").
	Label string `json:"label"`
	// Units is what the values measure ("ms", "%", "bit/s").
	Units string `json:"units,omitempty"`
	// Interface is the interface name for interface datasets.
	Interface string `json:"interface,omitempty"`
	// Last is when the dataset last got a sample.
	Last time.Time `json:"last"`
}

// Sample is one reading of one dataset.
type Sample struct {
	Series
	Time  time.Time
	Value float64
	// Label, Units and Interface describe the dataset (see Meta); they
	// travel with every sample so a backend can keep its catalogue current.
	Label     string
	Units     string
	Interface string
}

// Resolution is one of the stored resolutions.
type Resolution int

// The stored resolutions, finest first.
const (
	Raw Resolution = iota
	FiveMinutes
	Hour
	Day
)

// Point is one point of a chart: a raw sample (Min = Avg = Max, Count 1)
// or a roll-up bucket starting at Time.
type Point struct {
	Time  time.Time `json:"t"`
	Min   float64   `json:"min"`
	Avg   float64   `json:"avg"`
	Max   float64   `json:"max"`
	Count int64     `json:"count"`
}

// Backend stores samples and their roll-ups. Write is idempotent by series
// and time: writing the same sample twice changes nothing (a replayed spool
// must not double roll-ups).
type Backend interface {
	Write(ctx context.Context, samples []Sample) error
	Query(ctx context.Context, s Series, r Resolution, from, to time.Time) ([]Point, error)
	Datasets(ctx context.Context, server, mapName, device string) ([]Meta, error)
	// AllSeries lists every stored series, for retention.
	AllSeries(ctx context.Context) ([]Series, error)
	// Prune deletes s's points at resolution r older than before.
	Prune(ctx context.Context, s Series, r Resolution, before time.Time) (int64, error)
}
