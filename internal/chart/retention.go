package chart

import (
	"errors"
	"fmt"
	"path"
	"time"
)

// Policy says how long each resolution is kept; zero keeps it forever.
type Policy struct {
	Raw         Duration `yaml:"raw" json:"raw"`
	FiveMinutes Duration `yaml:"five_minutes" json:"five_minutes"`
	Hour        Duration `yaml:"hour" json:"hour"`
	Day         Duration `yaml:"day" json:"day"`
}

// DefaultPolicy is the seed's rule of thumb: raw points for 2 days,
// 5-minute roll-ups for 90 days, hourly for a year, daily forever. One
// dataset polled every 5 minutes then takes about 1.5 MB in SQLite, most
// of it the 90 days of 5-minute roll-ups.
func DefaultPolicy() Policy {
	return Policy{Raw: Duration(2 * day), FiveMinutes: Duration(90 * day), Hour: Duration(year), Day: 0}
}

// Keep is how long resolution r is kept; zero is forever.
func (p Policy) Keep(r Resolution) time.Duration {
	switch r {
	case Raw:
		return p.Raw.Std()
	case FiveMinutes:
		return p.FiveMinutes.Std()
	case Hour:
		return p.Hour.Std()
	case Day:
		return p.Day.Std()
	}
	return 0
}

// Cutoff is the time before which resolution r's points are expired at
// now, rounded down to r's bucket so that a bucket partly inside the
// period is kept whole; ok is false when r is kept forever.
func (p Policy) Cutoff(r Resolution, now time.Time) (cutoff time.Time, ok bool) {
	keep := p.Keep(r)
	if keep <= 0 {
		return time.Time{}, false
	}
	return r.Bucket(now.Add(-keep)), true
}

// Covers reports whether r's data for time t is still kept at now.
func (p Policy) Covers(r Resolution, t, now time.Time) bool {
	c, ok := p.Cutoff(r, now)
	return !ok || !r.Bucket(t).Before(c)
}

// Validate checks that no period is negative, that each roll-up is kept
// at least one bucket long, and that coarser resolutions are kept at least
// as long as finer ones (otherwise a long chart would find the fine data
// and not the coarse).
func (p Policy) Validate() error {
	return errors.Join(validatePeriods(func(r Resolution) (time.Duration, bool) { return p.Keep(r), true })...)
}

// validatePeriods checks the periods that are set (set reports which).
func validatePeriods(get func(Resolution) (time.Duration, bool)) []error {
	var errs []error
	var finer Resolution
	var finerKeep time.Duration
	haveFiner := false
	for _, r := range Resolutions() {
		keep, set := get(r)
		if !set {
			continue
		}
		name := resolutionKey(r)
		switch {
		case keep < 0:
			errs = append(errs, fmt.Errorf("%s: %s is negative", name, time.Duration(keep)))
			continue
		case keep > 0 && keep < r.Step():
			errs = append(errs, fmt.Errorf("%s: %s is shorter than one %s bucket; keep at least %s or 0 for forever",
				name, Duration(keep), r, Duration(r.Step())))
		}
		if haveFiner && forever(finerKeep) > forever(keep) {
			errs = append(errs, fmt.Errorf("%s (%s) is kept for less time than %s (%s): coarser roll-ups must be kept at least as long as finer ones",
				name, Duration(keep), resolutionKey(finer), Duration(finerKeep)))
		}
		finer, finerKeep, haveFiner = r, keep, true
	}
	return errs
}

// forever maps 0 (forever) above every finite period, for comparisons.
func forever(d time.Duration) time.Duration {
	if d == 0 {
		return 1<<63 - 1
	}
	return d
}

// resolutionKey is r's key in config.yaml.
func resolutionKey(r Resolution) string {
	switch r {
	case Raw:
		return "raw"
	case FiveMinutes:
		return "five_minutes"
	case Hour:
		return "hour"
	case Day:
		return "day"
	}
	return r.String()
}

// Rule overrides the server's policy for the series it matches. Map,
// Device and Dataset are path.Match patterns ("if.*.in_bps", "core-*");
// an empty one matches anything. Each period left out (nil) comes from the
// next less specific rule, and finally from the server's policy.
type Rule struct {
	Map         string    `yaml:"map,omitempty" json:"map,omitempty"`
	Device      string    `yaml:"device,omitempty" json:"device,omitempty"`
	Dataset     string    `yaml:"dataset,omitempty" json:"dataset,omitempty"`
	Raw         *Duration `yaml:"raw,omitempty" json:"raw,omitempty"`
	FiveMinutes *Duration `yaml:"five_minutes,omitempty" json:"five_minutes,omitempty"`
	Hour        *Duration `yaml:"hour,omitempty" json:"hour,omitempty"`
	Day         *Duration `yaml:"day,omitempty" json:"day,omitempty"`
}

// period is the rule's period for r, nil when it leaves it to others.
func (u Rule) period(r Resolution) *Duration {
	switch r {
	case Raw:
		return u.Raw
	case FiveMinutes:
		return u.FiveMinutes
	case Hour:
		return u.Hour
	case Day:
		return u.Day
	}
	return nil
}

// specificity orders rules: a dataset pattern beats a device pattern,
// which beats a map pattern; patterns add up (dataset and device beats
// dataset alone).
func (u Rule) specificity() int {
	n := 0
	if u.Dataset != "" {
		n += 4
	}
	if u.Device != "" {
		n += 2
	}
	if u.Map != "" {
		n++
	}
	return n
}

// Matches reports whether the rule applies to s. A malformed pattern
// matches nothing (Validate reports it).
func (u Rule) Matches(s Series) bool {
	return match(u.Map, s.Map) && match(u.Device, s.Device) && match(u.Dataset, s.Dataset)
}

func match(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// Policies are the server's retention settings (config.yaml "retention:")
// with per map, device and dataset rules. Decode config.yaml onto
// DefaultPolicies() so that keys left out keep their defaults.
type Policies struct {
	Policy `yaml:",inline"`
	Rules  []Rule `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// DefaultPolicies is DefaultPolicy with no rules.
func DefaultPolicies() Policies { return Policies{Policy: DefaultPolicy()} }

// For resolves the policy of one series: for each resolution, the most
// specific matching rule that sets it wins (dataset > device > map); among
// equally specific rules, the first listed; else the server's policy.
func (ps Policies) For(s Series) Policy {
	out := ps.Policy
	for _, r := range Resolutions() {
		best := -1
		var pick *Duration
		for _, u := range ps.Rules {
			d := u.period(r)
			if d == nil || !u.Matches(s) {
				continue
			}
			if sp := u.specificity(); sp > best {
				best, pick = sp, d
			}
		}
		if pick != nil {
			out.set(r, *pick)
		}
	}
	return out
}

func (p *Policy) set(r Resolution, d Duration) {
	switch r {
	case Raw:
		p.Raw = d
	case FiveMinutes:
		p.FiveMinutes = d
	case Hour:
		p.Hour = d
	case Day:
		p.Day = d
	}
}

// Validate reports every problem at once, naming the rule: bad patterns,
// rules without a scope or without periods, and the checks of
// Policy.Validate on the server's policy and on each rule's own periods.
func (ps Policies) Validate() error {
	var errs []error
	for _, err := range validatePeriods(func(r Resolution) (time.Duration, bool) { return ps.Keep(r), true }) {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	for i, u := range ps.Rules {
		where := fmt.Sprintf("retention rule %d", i+1)
		if u.specificity() == 0 {
			errs = append(errs, fmt.Errorf("%s: needs a map, device or dataset pattern (set the server-wide periods above the rules instead)", where))
		}
		for _, f := range []struct{ key, pat string }{{"map", u.Map}, {"device", u.Device}, {"dataset", u.Dataset}} {
			if f.pat == "" {
				continue
			}
			if _, err := path.Match(f.pat, ""); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s pattern %q: %w", where, f.key, f.pat, err))
			}
		}
		setsAny := false
		perr := validatePeriods(func(r Resolution) (time.Duration, bool) {
			d := u.period(r)
			if d == nil {
				return 0, false
			}
			setsAny = true
			return d.Std(), true
		})
		for _, err := range perr {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if !setsAny {
			errs = append(errs, fmt.Errorf("%s: sets no period (raw, five_minutes, hour or day)", where))
		}
	}
	return errors.Join(errs...)
}
