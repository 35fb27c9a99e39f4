package chart

import (
	"math"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile/engine"
	"github.com/vantage-monitor/vantage/internal/status"
)

// Dataset names of the built-in probes' readings.
const (
	DatasetRTT      = "rtt"
	DatasetLoss     = "loss"
	DatasetCertDays = "cert_days"
)

// Filter decides which datasets are recorded (per-device overrides of the
// probe's <datasets>); it sees each sample's description. A nil Filter
// records everything Extract finds.
type Filter func(Meta) bool

// Extract turns one poll result into samples, one per numeric dataset:
// response time, packet loss, certificate days, interface rates,
// utilisation and errors (SNMP probes), and the probe file's recorded
// <datasets>. Samples carry r.Time (the recorder stamps results that lack
// one) and an empty Server (the recorder's label). Values of unexpected
// types, NaN and infinities are skipped: a probe's oddity must never cost
// the poller a panic.
func Extract(mapName, device string, r status.Result) []Sample {
	x := extractor{base: Sample{Series: Series{Map: mapName, Device: device}, Time: r.Time}, seen: map[string]bool{}}
	v := r.Values
	switch {
	case x.number(v["rtt_ms"], DatasetRTT, "Round-trip time", "ms", ""):
	case r.RTT > 0 && x.add(DatasetRTT, "Round-trip time", "ms", "", float64(r.RTT.Microseconds())/1000):
	default:
		// The SNMP probes' ping fallback when the agent is silent.
		x.number(v["ping_rtt_ms"], DatasetRTT, "Round-trip time", "ms", "")
	}
	x.number(v["loss_pct"], DatasetLoss, "Packet loss", "%", "")
	x.number(v["cert_days"], DatasetCertDays, "Certificate days left", "days", "")
	x.interfaces(v["interfaces"])
	x.datasets(v["datasets"])
	return x.out
}

// extractor collects one result's samples; seen keeps dataset names
// unique when a probe reports one twice.
type extractor struct {
	base Sample
	seen map[string]bool
	out  []Sample
}

// add appends a sample unless the value is not finite or the dataset is
// already taken; it reports whether it did.
func (x *extractor) add(dataset, label, units, iface string, v float64) bool {
	if dataset == "" || x.seen[dataset] || math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	x.seen[dataset] = true
	s := x.base
	s.Dataset, s.Label, s.Units, s.Interface, s.Value = dataset, label, units, iface, v
	x.out = append(x.out, s)
	return true
}

// number adds v when it is a number of any Go numeric kind.
func (x *extractor) number(v any, dataset, label, units, iface string) bool {
	f, ok := toFloat(v)
	return ok && x.add(dataset, label, units, iface, f)
}

// toFloat reads the numeric kinds probes put in Values.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case *float64:
		if n != nil {
			return *n, true
		}
	}
	return 0, false
}

// interfaces adds the rates of Values["interfaces"]: in/out bit rates,
// utilisation and errors per minute; a nil rate (first poll, counter
// discontinuity) gives no sample rather than a false zero.
func (x *extractor) interfaces(v any) {
	var ifs []probe.SNMPInterface
	switch l := v.(type) {
	case []probe.SNMPInterface:
		ifs = l
	case []*probe.SNMPInterface:
		for _, i := range l {
			if i != nil {
				ifs = append(ifs, *i)
			}
		}
	default:
		return
	}
	for _, i := range ifs {
		name := strings.TrimSpace(i.Name)
		if name == "" {
			name = strings.TrimSpace(i.Descr)
		}
		if name == "" {
			name = "#" + strconv.Itoa(i.Index)
		}
		p := "if." + strconv.Itoa(i.Index) + "."
		for _, d := range []struct {
			suffix, label, units string
			v                    *float64
		}{
			{"in_bps", " in", "bit/s", i.InBps},
			{"out_bps", " out", "bit/s", i.OutBps},
			{"in_util", " in utilisation", "%", i.InUtilPct},
			{"out_util", " out utilisation", "%", i.OutUtilPct},
			{"in_errors", " in errors", "/min", i.InErrorsPerMin},
			{"out_errors", " out errors", "/min", i.OutErrorsPerMin},
		} {
			if d.v != nil {
				x.add(p+d.suffix, name+d.label, d.units, name, *d.v)
			}
		}
	}
}

// datasets adds the probe file's <datasets> values marked for recording.
func (x *extractor) datasets(v any) {
	var ds []engine.DatasetValue
	switch l := v.(type) {
	case []engine.DatasetValue:
		ds = l
	case []*engine.DatasetValue:
		for _, d := range l {
			if d != nil {
				ds = append(ds, *d)
			}
		}
	default:
		return
	}
	for _, d := range ds {
		if !d.Record {
			continue
		}
		tag := strings.TrimSpace(d.Tag)
		if tag == "" {
			tag = strings.TrimSpace(d.Variable)
		}
		if tag == "" {
			continue
		}
		label := strings.TrimSpace(d.Legend)
		if label == "" {
			label = tag
		}
		x.add("ds."+tag, label, strings.TrimSpace(d.Units), "", d.Value)
	}
}
