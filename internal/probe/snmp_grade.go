package probe

// Parameters of the SNMP probes and how a poll's interfaces set the
// device's status.
//
// SNMP Traffic: an interface administratively up but operationally down
// puts the device in Alarm (Critical with link_critical, InterMapper's
// LINKCRITICAL flag); utilisation and error thresholds apply to every
// interface not in ignore_interfaces; the worst problem wins.
//
// SNMP - High Traffic, as InterMapper's com.dartware.snmp.traffic: only the
// interfaces named by `interface` count; one whose ifOperStatus is not 1
// (up) makes the device Down, else in/out utilisation (and, as InterMapper
// did, bytes per second) against Warning and Alarm thresholds.

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/status"
)

// snmpLimits are Warning, Alarm and Critical thresholds; 0 is off.
type snmpLimits [3]float64

func snmpLevelNames() [3]string { return [3]string{"warning", "alarm", "critical"} }

func snmpLevelOf(i int) status.Level {
	return [3]status.Level{status.Warning, status.Alarm, status.Critical}[i]
}

// check returns the worst threshold v exceeds, as an index into the
// limits, or -1.
func (l snmpLimits) check(v float64) int {
	for i := len(l) - 1; i >= 0; i-- {
		if l[i] > 0 && v > l[i] {
			return i
		}
	}
	return -1
}

// snmpConfig is a poll's parsed parameters.
type snmpConfig struct {
	high     bool
	fallback bool
	// SNMP Traffic.
	linkCritical bool
	ignore       snmpSelector
	util, errs   snmpLimits
	// SNMP - High Traffic.
	watch          snmpSelector
	in, out, bytes snmpLimits
}

// parseSNMPConfig reads params (aliases allowed, defaults filled in);
// errors name the parameter.
func parseSNMPConfig(params map[string]string, high bool) (snmpConfig, error) {
	defs := snmpTrafficParams()
	if high {
		defs = snmpHighTrafficParams()
	}
	p := resolveParams(defs, params)
	c := snmpConfig{high: high}
	bad := func(name string, err error) error {
		return fmt.Errorf("parameter %s: %w", name, err)
	}
	var err error
	if c.fallback, err = parseBool(p["icmp_fallback"], true); err != nil {
		return c, bad("icmp_fallback", err)
	}
	limits := func(prefix string, maxV float64, names ...string) (snmpLimits, error) {
		var l snmpLimits
		for i, lv := range names {
			name := prefix + "_" + lv
			if l[i], err = snmpParseLimit(p[name], maxV); err != nil {
				return l, bad(name, err)
			}
		}
		for i := range names {
			for j := i + 1; j < len(names); j++ {
				if l[i] > 0 && l[j] > 0 && l[i] > l[j] {
					return l, fmt.Errorf("parameter %s_%s (%g) is above %s_%s (%g)", prefix, names[i], l[i], prefix, names[j], l[j])
				}
			}
		}
		return l, nil
	}
	if high {
		if c.watch, err = parseSNMPSelector(p["interface"]); err != nil {
			return c, bad("interface", err)
		}
		if c.watch.empty() {
			return c, bad("interface", errors.New("name at least one interface (ifIndex, name or alias)"))
		}
		if c.in, err = limits("in", 1000, "warning", "alarm"); err != nil {
			return c, err
		}
		if c.out, err = limits("out", 1000, "warning", "alarm"); err != nil {
			return c, err
		}
		c.bytes, err = limits("bytes", math.MaxFloat64, "warning", "alarm")
		return c, err
	}
	if c.linkCritical, err = parseBool(p["link_critical"], false); err != nil {
		return c, bad("link_critical", err)
	}
	if c.ignore, err = parseSNMPSelector(p["ignore_interfaces"]); err != nil {
		return c, bad("ignore_interfaces", err)
	}
	if c.util, err = limits("util", 1000, "warning", "alarm", "critical"); err != nil {
		return c, err
	}
	c.errs, err = limits("errors", math.MaxFloat64, "warning", "alarm", "critical")
	return c, err
}

// snmpParseLimit reads a threshold: a non-negative number, optionally
// followed by %; empty or 0 is off.
func snmpParseLimit(s string, maxV float64) (float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < 0 || v > maxV {
		return 0, fmt.Errorf("%g is out of range (want 0 to %g; 0 turns it off)", v, maxV)
	}
	return v, nil
}

// snmpProblem is one thing wrong with one interface.
type snmpProblem struct {
	level  status.Level
	index  int
	reason string
}

// snmpMaxReasons bounds the reason: a switch with forty dead ports names
// the first few and counts the rest.
const snmpMaxReasons = 3

// snmpGrade sets res's level and reason from the interfaces; it marks the
// ignored ones, and for High Traffic records the watched ones.
func snmpGrade(res *status.Result, cfg snmpConfig, ifs []snmpIfReading) {
	var probs []snmpProblem
	if cfg.high {
		probs = snmpHighTrafficProblems(res, cfg, ifs)
	} else {
		probs = snmpTrafficProblems(cfg, ifs)
	}
	sort.SliceStable(probs, func(a, b int) bool {
		if probs[a].level != probs[b].level {
			return probs[a].level > probs[b].level
		}
		return probs[a].index < probs[b].index
	})
	for i, pr := range probs {
		if i == snmpMaxReasons {
			res.Reason += fmt.Sprintf("; and %d more", len(probs)-i)
			break
		}
		raise(res, pr.level, pr.reason)
	}
}

// snmpTrafficProblems applies SNMP Traffic's link check and thresholds.
func snmpTrafficProblems(cfg snmpConfig, ifs []snmpIfReading) []snmpProblem {
	var probs []snmpProblem
	linkLevel := status.Alarm
	if cfg.linkCritical {
		linkLevel = status.Critical
	}
	for i := range ifs {
		r := &ifs[i]
		if cfg.ignore.match(r.SNMPInterface) {
			r.Ignored = true
			continue
		}
		label := r.Label()
		if r.admin == 1 && (r.oper == 2 || r.oper == 7) {
			reason := "interface " + label + " is down"
			if r.oper == 7 {
				reason += " (lowerLayerDown)"
			}
			probs = append(probs, snmpProblem{linkLevel, r.Index, reason})
		}
		if pr, ok := snmpWorstDirection(r.Index, cfg.util, r.InUtilPct, r.OutUtilPct, func(dir string, v, th float64, lv string) string {
			return fmt.Sprintf("interface %s %s utilisation %s%% > %s%% %s threshold", label, dir, snmpFigure(v, th), snmpNumber(th), lv)
		}); ok {
			probs = append(probs, pr)
		}
		if pr, ok := snmpWorstDirection(r.Index, cfg.errs, r.InErrorsPerMin, r.OutErrorsPerMin, func(dir string, v, th float64, lv string) string {
			return fmt.Sprintf("interface %s %s errors %s/min > %s/min %s threshold", label, dir, snmpFigure(v, th), snmpNumber(th), lv)
		}); ok {
			probs = append(probs, pr)
		}
	}
	return probs
}

// snmpHighTrafficProblems applies High Traffic's checks to the watched
// interfaces and lists them in res.Values["monitored"].
func snmpHighTrafficProblems(res *status.Result, cfg snmpConfig, ifs []snmpIfReading) []snmpProblem {
	var probs []snmpProblem
	watched := []int{}
	for i := range ifs {
		r := &ifs[i]
		if !cfg.watch.match(r.SNMPInterface) {
			continue
		}
		watched = append(watched, r.Index)
		label := r.Label()
		if r.oper != 1 {
			reason := fmt.Sprintf("interface %s is %s (ifOperStatus %d)", label, r.OperStatus, r.oper)
			if r.oper == 0 {
				reason = "interface " + label + " has no ifOperStatus"
			}
			probs = append(probs, snmpProblem{status.Down, r.Index, reason})
			continue
		}
		if pr, ok := snmpWorstDirection(r.Index, cfg.in, r.InUtilPct, nil, func(dir string, v, th float64, lv string) string {
			return fmt.Sprintf("interface %s inbound utilisation %s%% > %s%% %s threshold", label, snmpFigure(v, th), snmpNumber(th), lv)
		}); ok {
			probs = append(probs, pr)
		}
		if pr, ok := snmpWorstDirection(r.Index, cfg.out, nil, r.OutUtilPct, func(dir string, v, th float64, lv string) string {
			return fmt.Sprintf("interface %s outbound utilisation %s%% > %s%% %s threshold", label, snmpFigure(v, th), snmpNumber(th), lv)
		}); ok {
			probs = append(probs, pr)
		}
		if pr, ok := snmpWorstDirection(r.Index, cfg.bytes, r.InBytesPerSec, r.OutBytesPerSec, func(dir string, v, th float64, lv string) string {
			return fmt.Sprintf("interface %s %s traffic %s bytes/s > %s bytes/s %s threshold", label, dir, snmpFigure(v, th), snmpNumber(th), lv)
		}); ok {
			probs = append(probs, pr)
		}
	}
	res.Values["monitored"] = watched
	if len(watched) == 0 {
		probs = append(probs, snmpProblem{status.Alarm, 0,
			fmt.Sprintf("no interface matches interface=%q (the agent lists %d)", cfg.watch.text, len(ifs))})
	}
	return probs
}

// snmpWorstDirection checks the inbound and outbound readings (nil: not
// known) against limits and describes the worse; inbound wins a tie.
func snmpWorstDirection(index int, l snmpLimits, in, out *float64, describe func(dir string, v, th float64, level string) string) (snmpProblem, bool) {
	best, bestDir, bestV := -1, "", 0.0
	for _, d := range []struct {
		name string
		v    *float64
	}{{"inbound", in}, {"outbound", out}} {
		if d.v == nil {
			continue
		}
		if i := l.check(*d.v); i > best {
			best, bestDir, bestV = i, d.name, *d.v
		}
	}
	if best < 0 {
		return snmpProblem{}, false
	}
	return snmpProblem{snmpLevelOf(best), index, describe(bestDir, bestV, l[best], snmpLevelNames()[best])}, true
}

// snmpNumber prints a threshold as written, to a hundredth.
func snmpNumber(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// snmpFigure prints a reading with as few decimals as keep it visibly
// above its threshold ("90.4% > 90%", never "90% > 90%").
func snmpFigure(v, threshold float64) string {
	for _, p := range []float64{1, 10, 100} {
		if r := math.Round(v*p) / p; r > threshold {
			return strconv.FormatFloat(r, 'f', -1, 64)
		}
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}
