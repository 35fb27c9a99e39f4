package alert

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Event kinds a rule can name.
const (
	EventDown        = "DOWN"
	EventCritical    = "CRITICAL"
	EventAlarm       = "ALARM"
	EventWarning     = "WARNING"
	EventUp          = "UP"
	EventOK          = "OK"
	EventTrap        = "TRAP"
	EventUnreachable = "UNREACHABLE"
)

// Reasons a decision is not sent.
const (
	SuppressedAck         = "acknowledged"
	SuppressedMaintenance = "maintenance"
	SuppressedUnreachable = "unreachable"
	SuppressedSchedule    = "outside schedule"
	SuppressedCleared     = "cleared within delay"
)

// severity ranks problem kinds; 0 is not a problem.
func severity(kind string) int {
	switch kind {
	case EventDown:
		return 4
	case EventCritical:
		return 3
	case EventAlarm:
		return 2
	case EventWarning:
		return 1
	}
	return 0
}

func isRecovery(kind string) bool { return kind == EventUp || kind == EventOK }

// isOneShot is a kind announced once, never delayed, with no incident.
func isOneShot(kind string) bool { return kind == EventTrap || kind == EventUnreachable }

func validKind(kind string) bool {
	return severity(kind) > 0 || isRecovery(kind) || isOneShot(kind)
}

// Step is one escalation step: if the problem is not acknowledged After the
// first notice was due, these notifiers are told too (once).
type Step struct {
	After     time.Duration `yaml:"after" json:"after"`
	Notifiers []string      `yaml:"notifiers" json:"notifiers"`
}

// Rule says which notifiers hear about which changes of which devices.
//
// Rules apply by specificity: a device is governed by the rules naming it
// (Map and Device) if there are any, else by the rules naming its map, else
// by the default rules (no Map). Kinds do not take part in that choice, so a
// device rule replaces the map's rules for that device entirely.
type Rule struct {
	Name string `yaml:"name" json:"name"`
	// Map and Device select devices; empty is any. Device needs Map.
	Map    string `yaml:"map,omitempty" json:"map,omitempty"`
	Device string `yaml:"device,omitempty" json:"device,omitempty"`
	// Kinds are the changes announced: DOWN, CRITICAL, ALARM, WARNING
	// (problems), UP, OK (recoveries: either one enables the recovery
	// notice of an announced problem), TRAP, UNREACHABLE (one-shot
	// notices). Empty is DOWN and UP.
	Kinds     []string `yaml:"kinds" json:"kinds"`
	Notifiers []string `yaml:"notifiers" json:"notifiers"`
	// Delay is the wait before the first notice of a problem; a problem
	// that clears within it is never announced, nor is its recovery.
	// Recoveries and one-shot notices are never delayed.
	Delay time.Duration `yaml:"delay" json:"delay"`
	// Repeat is the interval of repeated notices; 0 is once.
	Repeat time.Duration `yaml:"repeat" json:"repeat"`
	// Count is the number of repeats after the first notice; 0 with a
	// Repeat is until the problem is resolved.
	Count int `yaml:"count" json:"count"`
	// Escalate steps are measured from when the first notice was due.
	Escalate []Step `yaml:"escalate" json:"escalate"`
	// Schedule is when the rule may send; the zero Schedule is always.
	Schedule Schedule `yaml:"schedule" json:"schedule"`
}

// Validate checks the rule. Notifier names are checked against known
// unless known is nil. Errors name the rule and the field.
func (r Rule) Validate(known map[string]bool) error {
	_, err := r.compile(known)
	return err
}

// compiledRule is a checked rule ready to use.
type compiledRule struct {
	Rule
	index int
	kinds map[string]bool
	sched *schedule
}

func (r Rule) compile(known map[string]bool) (*compiledRule, error) {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("rule %q: %s: %s", r.Name, field, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(r.Name) == "" {
		return nil, fail("name", "empty")
	}
	if r.Device != "" && r.Map == "" {
		return nil, fail("device", "%q needs a map", r.Device)
	}
	c := &compiledRule{Rule: r, kinds: map[string]bool{}}
	kinds := r.Kinds
	if len(kinds) == 0 {
		kinds = []string{EventDown, EventUp}
	}
	for _, k := range kinds {
		u := strings.ToUpper(strings.TrimSpace(k))
		if !validKind(u) {
			return nil, fail("kinds", "%q is not DOWN, UP, CRITICAL, ALARM, WARNING, OK, TRAP or UNREACHABLE", k)
		}
		c.kinds[u] = true
	}
	checkNotifiers := func(field string, names []string) error {
		if len(names) == 0 {
			return fail(field, "no notifiers")
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" {
				return fail(field, "empty notifier name")
			}
			if known != nil && !known[n] {
				return fail(field, "unknown notifier %q", n)
			}
			if seen[n] {
				return fail(field, "notifier %q listed twice", n)
			}
			seen[n] = true
		}
		return nil
	}
	if err := checkNotifiers("notifiers", r.Notifiers); err != nil {
		return nil, err
	}
	if r.Delay < 0 {
		return nil, fail("delay", "negative")
	}
	if r.Repeat < 0 {
		return nil, fail("repeat", "negative")
	}
	if r.Count < 0 {
		return nil, fail("count", "negative")
	}
	if r.Count > 0 && r.Repeat == 0 {
		return nil, fail("count", "%d repeats need a repeat interval", r.Count)
	}
	var last time.Duration
	for i, s := range r.Escalate {
		field := fmt.Sprintf("escalate[%d]", i)
		if s.After <= 0 {
			return nil, fail(field+".after", "must be positive")
		}
		if s.After <= last {
			return nil, fail(field+".after", "%v is not after the previous step (%v)", s.After, last)
		}
		last = s.After
		if err := checkNotifiers(field+".notifiers", s.Notifiers); err != nil {
			return nil, err
		}
	}
	sc, err := r.Schedule.compile()
	if err != nil {
		return nil, fail("schedule", "%v", err)
	}
	c.sched = sc
	return c, nil
}

// recovers reports whether the rule announces recoveries.
func (c *compiledRule) recovers() bool { return c.kinds[EventUp] || c.kinds[EventOK] }

// DeviceState is what the caller knows of a device when deciding.
type DeviceState struct {
	Acknowledged bool // a basic acknowledgement is in force
	Maintenance  bool // a maintenance window is in force
	Unreachable  bool // shadowed by a failed device towards the vantage point
}

// Event is a status change or trap for a device.
type Event struct {
	Map    string    `json:"map"`
	Device string    `json:"device"`
	Kind   string    `json:"kind"`
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
}

// Decision is one thing to do (or not do) now: tell Notifier about Event.
type Decision struct {
	Rule     string `json:"rule"`
	Notifier string `json:"notifier"`
	// Event is what is announced: the problem for first notices, repeats,
	// escalations and "cleared within delay"; the recovery or one-shot
	// event otherwise.
	Event Event `json:"event"`
	// Repeat is 0 for the first notice, n for the n-th repeat.
	Repeat int `json:"repeat"`
	// Escalation is 0 for none, n for escalation step n (from 1).
	Escalation int `json:"escalation"`
	// Suppressed, when not empty, says why this is not sent.
	Suppressed string `json:"suppressed,omitempty"`
}

// Sent reports whether the decision is to send.
func (d Decision) Sent() bool { return d.Suppressed == "" }

// Incident is an open problem of one device under one rule.
type Incident struct {
	Rule   string    `json:"rule"`
	Map    string    `json:"map"`
	Device string    `json:"device"`
	Kind   string    `json:"kind"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since"`
	// Announced is true once a notice of the problem has been sent; only
	// then is the recovery announced, to Notified.
	Announced bool     `json:"announced"`
	Notified  []string `json:"notified,omitempty"`
	// Repeats is the number of repeats due so far (sent or suppressed);
	// Escalations the number of steps reached.
	Repeats     int `json:"repeats"`
	Escalations int `json:"escalations"`
	// Next is when something is next due (zero when nothing is: only the
	// recovery is left); NextWhat says what ("first notice", "repeat 2",
	// "escalation 1").
	Next     time.Time `json:"next,omitzero"`
	NextWhat string    `json:"next_what,omitempty"`
}

type incKey struct{ rule, mapName, device string }

type incident struct {
	rule      *compiledRule
	ev        Event
	first     time.Time // when the first notice is due
	firstDone bool
	repeats   int
	esc       int
	notified  []string
}

func (in *incident) announced() bool { return len(in.notified) > 0 }

func (in *incident) notify(name string) {
	if !slices.Contains(in.notified, name) {
		in.notified = append(in.notified, name)
	}
}

// repeatsLeft reports whether another repeat may come.
func (in *incident) repeatsLeft() bool {
	r := in.rule
	return r.Repeat > 0 && (r.Count == 0 || in.repeats < r.Count)
}

// next returns the next due time and what it is; zero when nothing is.
func (in *incident) next() (time.Time, string) {
	if !in.firstDone {
		return in.first, "first notice"
	}
	var t time.Time
	var what string
	if in.repeatsLeft() {
		t = in.first.Add(time.Duration(in.repeats+1) * in.rule.Repeat)
		what = fmt.Sprintf("repeat %d", in.repeats+1)
	}
	if in.esc < len(in.rule.Escalate) {
		e := in.first.Add(in.rule.Escalate[in.esc].After)
		if t.IsZero() || e.Before(t) {
			t, what = e, fmt.Sprintf("escalation %d", in.esc+1)
		}
	}
	return t, what
}

// Engine decides which notifications are due. It is pure: it keeps open
// incidents in memory, reads time only from its clock, starts nothing and
// sends nothing. It is safe for concurrent use.
type Engine struct {
	now   func() time.Time
	rules []*compiledRule

	mu   sync.Mutex
	open map[incKey]*incident
}

// NewEngine checks the rules (notifier names are not checked here: use
// Rule.Validate with the configured names) and returns an engine reading
// time from now (time.Now when nil).
func NewEngine(rules []Rule, now func() time.Time) (*Engine, error) {
	if now == nil {
		now = time.Now
	}
	compiled, err := compileRules(rules)
	if err != nil {
		return nil, err
	}
	return &Engine{now: now, rules: compiled, open: map[incKey]*incident{}}, nil
}

// ValidateRules checks rules as NewEngine does, and their notifier names
// against known unless known is nil.
func ValidateRules(rules []Rule, known map[string]bool) error {
	var errs []error
	names := map[string]bool{}
	for _, r := range rules {
		if err := r.Validate(known); err != nil {
			errs = append(errs, err)
		} else if names[r.Name] {
			errs = append(errs, fmt.Errorf("rule %q: name: used twice", r.Name))
		}
		names[r.Name] = true
	}
	return errors.Join(errs...)
}

func compileRules(rules []Rule) ([]*compiledRule, error) {
	if err := ValidateRules(rules, nil); err != nil {
		return nil, err
	}
	out := make([]*compiledRule, 0, len(rules))
	for i, r := range rules {
		c, err := r.compile(nil)
		if err != nil {
			return nil, err
		}
		c.index = i
		out = append(out, c)
	}
	return out, nil
}

// SetRules replaces the rules while running, as when an administrator
// edits them. Open incidents of rules that still exist (by name) keep their
// history and follow the new settings; incidents of removed rules are
// closed silently, since nobody is to be told under them any more.
func (e *Engine) SetRules(rules []Rule) error {
	compiled, err := compileRules(rules)
	if err != nil {
		return err
	}
	byName := make(map[string]*compiledRule, len(compiled))
	for _, c := range compiled {
		byName[c.Name] = c
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = compiled
	for key, in := range e.open {
		if c, ok := byName[key.rule]; ok {
			in.rule = c
		} else {
			delete(e.open, key)
		}
	}
	return nil
}

// matching returns the rules governing a device, most specific level only.
func (e *Engine) matching(mapName, device string) []*compiledRule {
	var dev, mp, def []*compiledRule
	for _, r := range e.rules {
		switch {
		case r.Map == "":
			def = append(def, r)
		case r.Map != mapName:
		case r.Device == "":
			mp = append(mp, r)
		case r.Device == device:
			dev = append(dev, r)
		}
	}
	switch {
	case len(dev) > 0:
		return dev
	case len(mp) > 0:
		return mp
	}
	return def
}

// why returns the reason to suppress a notice at t, or "". The first
// notice and recoveries are not suppressed by acknowledgement.
func why(r *compiledRule, st DeviceState, ackApplies bool, t time.Time) string {
	switch {
	case st.Unreachable:
		return SuppressedUnreachable
	case st.Maintenance:
		return SuppressedMaintenance
	case ackApplies && st.Acknowledged:
		return SuppressedAck
	case !r.sched.in(t):
		return SuppressedSchedule
	}
	return ""
}

// Observe takes a status change or trap and returns what to do now.
//
// A problem (DOWN, CRITICAL, ALARM, WARNING) the rule names opens an
// incident per rule and device; another problem kind the rule names
// replaces the open one (its first notice, repeats and escalation start
// again; who was told stays, for the recovery); a problem kind the rule
// does not name leaves the open incident as it is. UP or OK closes the
// incident: if the problem was announced the recovery goes to the
// notifiers that were told, else nothing is sent ("cleared within delay"
// when it closes during the delay). Unreachable devices get no notice and
// no incident; an unannounced incident is dropped when its device becomes
// unreachable. TRAP and UNREACHABLE are announced at once, once, with no
// incident.
func (e *Engine) Observe(ev Event, st DeviceState) []Decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	ev.Kind = strings.ToUpper(ev.Kind)
	if ev.Time.IsZero() {
		ev.Time = now
	}
	var out []Decision
	emit := func(r *compiledRule, names []string, ev Event, repeat, esc int, reason string) {
		for _, n := range names {
			out = append(out, Decision{Rule: r.Name, Notifier: n, Event: ev, Repeat: repeat, Escalation: esc, Suppressed: reason})
		}
	}
	for _, r := range e.matching(ev.Map, ev.Device) {
		key := incKey{r.Name, ev.Map, ev.Device}
		in := e.open[key]
		switch {
		case severity(ev.Kind) > 0:
			if !r.kinds[ev.Kind] || (in != nil && in.ev.Kind == ev.Kind) {
				continue
			}
			if st.Unreachable {
				if in != nil && !in.announced() {
					delete(e.open, key)
				}
				emit(r, r.Notifiers, ev, 0, 0, SuppressedUnreachable)
				continue
			}
			n := &incident{rule: r, ev: ev, first: ev.Time.Add(r.Delay)}
			if in != nil {
				n.notified = in.notified
			}
			e.open[key] = n
			out = append(out, e.step(n, st, now)...)
		case isRecovery(ev.Kind):
			if in == nil {
				continue
			}
			delete(e.open, key)
			if !in.firstDone {
				emit(r, r.Notifiers, in.ev, 0, 0, SuppressedCleared)
			}
			if in.announced() && r.recovers() {
				emit(r, in.notified, ev, 0, 0, why(r, st, false, now))
			}
		case isOneShot(ev.Kind):
			if ev.Kind == EventUnreachable && in != nil && !in.announced() {
				delete(e.open, key)
				emit(r, r.Notifiers, in.ev, 0, 0, SuppressedUnreachable)
			}
			if !r.kinds[ev.Kind] {
				continue
			}
			s := st
			if ev.Kind == EventUnreachable {
				s.Unreachable = false // asked for by name
			}
			emit(r, r.Notifiers, ev, 0, 0, why(r, s, false, now))
		}
	}
	return out
}

// step emits what is due for one incident at now.
func (e *Engine) step(in *incident, st DeviceState, now time.Time) []Decision {
	r := in.rule
	var out []Decision
	emit := func(names []string, repeat, esc int, reason string) {
		for _, n := range names {
			out = append(out, Decision{Rule: r.Name, Notifier: n, Event: in.ev, Repeat: repeat, Escalation: esc, Suppressed: reason})
			if reason == "" {
				in.notify(n)
			}
		}
	}
	if !in.firstDone {
		if now.Before(in.first) {
			return nil
		}
		in.firstDone = true
		emit(r.Notifiers, 0, 0, why(r, st, false, now))
	}
	// Repeats missed by a late tick are collapsed into one.
	if in.repeatsLeft() {
		k := int(now.Sub(in.first) / r.Repeat)
		if r.Count > 0 {
			k = min(k, r.Count)
		}
		if k > in.repeats {
			in.repeats = k
			emit(r.Notifiers, k, 0, why(r, st, true, now))
		}
	}
	for in.esc < len(r.Escalate) && !now.Before(in.first.Add(r.Escalate[in.esc].After)) {
		in.esc++
		emit(r.Escalate[in.esc-1].Notifiers, 0, in.esc, why(r, st, true, now))
	}
	return out
}

// Tick returns the delayed first notices, repeats and escalations due now,
// sent or suppressed with the reason. states tells the current state of a
// device. An unannounced incident whose device is unreachable is dropped.
func (e *Engine) Tick(states func(mapName, device string) DeviceState) []Decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	var out []Decision
	for _, key := range e.sortedKeys() {
		in := e.open[key]
		if t, _ := in.next(); t.IsZero() || now.Before(t) {
			continue
		}
		var st DeviceState
		if states != nil {
			st = states(key.mapName, key.device)
		}
		if st.Unreachable && !in.announced() {
			delete(e.open, key)
			for _, n := range in.rule.Notifiers {
				out = append(out, Decision{Rule: in.rule.Name, Notifier: n, Event: in.ev, Suppressed: SuppressedUnreachable})
			}
			continue
		}
		out = append(out, e.step(in, st, now)...)
	}
	return out
}

// sortedKeys orders incidents by rule order, map and device.
func (e *Engine) sortedKeys() []incKey {
	keys := make([]incKey, 0, len(e.open))
	for k := range e.open {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b incKey) int {
		return cmp.Or(
			cmp.Compare(e.open[a].rule.index, e.open[b].rule.index),
			cmp.Compare(a.mapName, b.mapName),
			cmp.Compare(a.device, b.device))
	})
	return keys
}

// Open returns the open incidents with their next due times.
func (e *Engine) Open() []Incident {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Incident
	for _, key := range e.sortedKeys() {
		in := e.open[key]
		next, what := in.next()
		out = append(out, Incident{
			Rule: key.rule, Map: key.mapName, Device: key.device,
			Kind: in.ev.Kind, Reason: in.ev.Reason, Since: in.ev.Time,
			Announced: in.announced(), Notified: slices.Clone(in.notified),
			Repeats: in.repeats, Escalations: in.esc,
			Next: next, NextWhat: what,
		})
	}
	return out
}
