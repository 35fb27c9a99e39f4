package alert

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// monday is Monday 5 January 2026, 10:00 UTC.
func monday() time.Time { return time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC) }

// step is one moment of a scenario: an event (Kind set) or a tick.
type step struct {
	at     time.Duration // since monday()
	kind   string        // "" = Tick
	mp     string        // default "m"
	dev    string        // default "r1"
	st     DeviceState   // for the event, or for every device at the tick
	want   []string
	reason string
}

func fmtDecision(d Decision) string {
	s := fmt.Sprintf("%s %s %s %s:%s", d.Rule, d.Notifier, d.Event.Kind, d.Event.Map, d.Event.Device)
	if d.Repeat > 0 {
		s += fmt.Sprintf(" r%d", d.Repeat)
	}
	if d.Escalation > 0 {
		s += fmt.Sprintf(" e%d", d.Escalation)
	}
	if d.Suppressed != "" {
		s += " !" + d.Suppressed
	}
	return s
}

func run(t *testing.T, rules []Rule, steps []step) *Engine {
	t.Helper()
	now := monday()
	e, err := NewEngine(rules, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		now = monday().Add(s.at)
		var ds []Decision
		what := "tick"
		if s.kind == "" {
			ds = e.Tick(func(string, string) DeviceState { return s.st })
		} else {
			ev := Event{Map: orDefault(s.mp, "m"), Device: orDefault(s.dev, "r1"), Kind: s.kind, Reason: s.reason, Time: now}
			what = s.kind + " " + ev.Map + ":" + ev.Device
			ds = e.Observe(ev, s.st)
		}
		var got []string
		for _, d := range ds {
			got = append(got, fmtDecision(d))
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("step %d (%v, %s):\n got %q\nwant %q", i, s.at, what, got, s.want)
		}
	}
	return e
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestEngine(t *testing.T) {
	m := time.Minute
	mail := Rule{Name: "page", Notifiers: []string{"mail"}}
	delayed := mail
	delayed.Delay = 5 * m
	repeating := mail
	repeating.Repeat = 10 * m
	repeating.Count = 2
	escalating := mail
	escalating.Repeat = 10 * m
	escalating.Escalate = []Step{{After: 15 * m, Notifiers: []string{"boss"}}, {After: 30 * m, Notifiers: []string{"cto"}}}
	alarms := Rule{Name: "page", Notifiers: []string{"mail"}, Kinds: []string{"alarm", "down", "up"}, Delay: 2 * m}
	traps := Rule{Name: "traps", Notifiers: []string{"log"}, Kinds: []string{"TRAP"}, Delay: 5 * m, Repeat: m}
	work := mail
	work.Schedule = Schedule{Days: "mon-fri", Hours: "08:00-18:00", Location: "UTC"}
	night := mail
	night.Schedule = Schedule{Days: "fri", Hours: "22:00-06:00", Location: "UTC"}

	cases := []struct {
		name  string
		rules []Rule
		steps []step
	}{
		{"immediate down and up", []Rule{mail}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: m, kind: "DOWN"}, // no change: nothing
			{at: 2 * m, kind: "UP", want: []string{"page mail UP m:r1"}},
			{at: 3 * m, kind: "UP"}, // nothing open
		}},
		{"cleared within delay", []Rule{delayed}, []step{
			{at: 0, kind: "DOWN"},
			{at: 4 * m},
			{at: 4*m + 59*time.Second, kind: "UP", want: []string{"page mail DOWN m:r1 !cleared within delay"}},
			{at: 10 * m},
		}},
		{"first notice after delay", []Rule{delayed}, []step{
			{at: 0, kind: "DOWN"},
			{at: 4 * m},
			{at: 5 * m, want: []string{"page mail DOWN m:r1"}},
			{at: 6 * m},
			{at: 7 * m, kind: "UP", want: []string{"page mail UP m:r1"}},
		}},
		{"repeats with count", []Rule{repeating}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: 9 * m},
			{at: 10 * m, want: []string{"page mail DOWN m:r1 r1"}},
			{at: 15 * m},
			{at: 20 * m, want: []string{"page mail DOWN m:r1 r2"}},
			{at: 30 * m},
			{at: 90 * m},
			{at: 91 * m, kind: "UP", want: []string{"page mail UP m:r1"}},
		}},
		{"late tick collapses repeats", []Rule{{Name: "page", Notifiers: []string{"mail"}, Repeat: 10 * m}}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: 35 * m, want: []string{"page mail DOWN m:r1 r3"}},
			{at: 40 * m, want: []string{"page mail DOWN m:r1 r4"}},
		}},
		{"escalation", []Rule{escalating}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: 10 * m, want: []string{"page mail DOWN m:r1 r1"}},
			{at: 14 * m},
			{at: 15 * m, want: []string{"page boss DOWN m:r1 e1"}},
			{at: 20 * m, want: []string{"page mail DOWN m:r1 r2"}},
			{at: 30 * m, want: []string{"page mail DOWN m:r1 r3", "page cto DOWN m:r1 e2"}},
			{at: 31 * m, kind: "UP", want: []string{"page mail UP m:r1", "page boss UP m:r1", "page cto UP m:r1"}},
		}},
		{"ack stops repeats and escalation", []Rule{escalating}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: 10 * m, st: DeviceState{Acknowledged: true}, want: []string{"page mail DOWN m:r1 r1 !acknowledged"}},
			{at: 15 * m, st: DeviceState{Acknowledged: true}, want: []string{"page boss DOWN m:r1 e1 !acknowledged"}},
			{at: 16 * m, kind: "UP", want: []string{"page mail UP m:r1"}},
		}},
		{"ack does not stop the first notice", []Rule{delayed}, []step{
			{at: 0, kind: "DOWN", st: DeviceState{Acknowledged: true}},
			{at: 5 * m, st: DeviceState{Acknowledged: true}, want: []string{"page mail DOWN m:r1"}},
		}},
		{"maintenance", []Rule{repeating}, []step{
			{at: 0, kind: "DOWN", st: DeviceState{Maintenance: true}, want: []string{"page mail DOWN m:r1 !maintenance"}},
			{at: 10 * m, st: DeviceState{Maintenance: true}, want: []string{"page mail DOWN m:r1 r1 !maintenance"}},
			// Maintenance over: the next repeat goes out, and so the UP.
			{at: 20 * m, want: []string{"page mail DOWN m:r1 r2"}},
			{at: 25 * m, kind: "UP", want: []string{"page mail UP m:r1"}},
		}},
		{"maintenance throughout: no UP", []Rule{mail}, []step{
			{at: 0, kind: "DOWN", st: DeviceState{Maintenance: true}, want: []string{"page mail DOWN m:r1 !maintenance"}},
			{at: m, kind: "UP", st: DeviceState{Maintenance: true}},
			{at: 2 * m, kind: "TRAP"},
		}},
		{"unreachable never announced", []Rule{repeating}, []step{
			{at: 0, kind: "DOWN", st: DeviceState{Unreachable: true}, want: []string{"page mail DOWN m:r1 !unreachable"}},
			{at: 10 * m},
			{at: 20 * m},
			{at: 30 * m, kind: "UP"},
		}},
		{"unreachable during delay drops the incident", []Rule{delayed}, []step{
			{at: 0, kind: "DOWN"},
			{at: 5 * m, st: DeviceState{Unreachable: true}, want: []string{"page mail DOWN m:r1 !unreachable"}},
			{at: 6 * m},
			{at: 7 * m, kind: "UP"},
		}},
		{"UNREACHABLE event drops the pending incident", []Rule{delayed}, []step{
			{at: 0, kind: "DOWN"},
			{at: m, kind: "UNREACHABLE", st: DeviceState{Unreachable: true}, want: []string{"page mail DOWN m:r1 !unreachable"}},
			{at: 10 * m},
			{at: 11 * m, kind: "UP"},
		}},
		{"UNREACHABLE by name is announced", []Rule{{Name: "u", Kinds: []string{"UNREACHABLE"}, Notifiers: []string{"log"}}}, []step{
			{at: 0, kind: "UNREACHABLE", st: DeviceState{Unreachable: true}, want: []string{"u log UNREACHABLE m:r1"}},
			{at: m, kind: "UNREACHABLE", st: DeviceState{Unreachable: true, Maintenance: true}, want: []string{"u log UNREACHABLE m:r1 !maintenance"}},
		}},
		{"announced then shadowed: repeats suppressed, UP sent", []Rule{repeating}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: 10 * m, st: DeviceState{Unreachable: true}, want: []string{"page mail DOWN m:r1 r1 !unreachable"}},
			{at: 11 * m, kind: "UP", want: []string{"page mail UP m:r1"}},
		}},
		{"worse problem replaces", []Rule{alarms}, []step{
			{at: 0, kind: "ALARM"},
			{at: m, kind: "DOWN"}, // replaces the pending ALARM; its delay starts again
			{at: 2 * m},
			{at: 3 * m, want: []string{"page mail DOWN m:r1"}},
			{at: 4 * m, kind: "ALARM"}, // better but still a problem: replaces, delayed
			{at: 5 * m, kind: "UP", want: []string{"page mail ALARM m:r1 !cleared within delay", "page mail UP m:r1"}},
		}},
		{"unnamed kinds are ignored", []Rule{mail}, []step{
			{at: 0, kind: "WARNING"},
			{at: m, kind: "OK"},
			{at: 2 * m, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},
			{at: 3 * m, kind: "ALARM"}, // not named: the DOWN incident stays
			{at: 4 * m, kind: "OK", want: []string{"page mail OK m:r1"}},
			{at: 5 * m, kind: "UNKNOWN"},
		}},
		{"trap is one-shot", []Rule{traps}, []step{
			{at: 0, kind: "TRAP", reason: "linkDown", want: []string{"traps log TRAP m:r1"}},
			{at: 10 * m},
			{at: 11 * m, kind: "TRAP", st: DeviceState{Acknowledged: true}, want: []string{"traps log TRAP m:r1"}},
			{at: 12 * m, kind: "DOWN"},
			{at: 13 * m, kind: "UP"},
		}},
		{"rules by map and device", []Rule{
			{Name: "default", Notifiers: []string{"d"}},
			{Name: "core", Map: "core", Notifiers: []string{"c"}, Kinds: []string{"DOWN"}},
			{Name: "core-2", Map: "core", Notifiers: []string{"c2"}},
			{Name: "router", Map: "core", Device: "gw", Notifiers: []string{"g"}, Kinds: []string{"ALARM"}},
		}, []step{
			{at: 0, kind: "DOWN", mp: "edge", dev: "x", want: []string{"default d DOWN edge:x"}},
			{at: 0, kind: "DOWN", mp: "core", dev: "x", want: []string{"core c DOWN core:x", "core-2 c2 DOWN core:x"}},
			{at: 0, kind: "DOWN", mp: "core", dev: "gw"}, // the device rule replaces the map's
			{at: 0, kind: "ALARM", mp: "core", dev: "gw", want: []string{"router g ALARM core:gw"}},
			{at: m, kind: "UP", mp: "core", dev: "x", want: []string{"core-2 c2 UP core:x"}},
			{at: m, kind: "UP", mp: "edge", dev: "x", want: []string{"default d UP edge:x"}},
		}},
		{"schedule: working hours", []Rule{work}, []step{
			{at: 0, kind: "DOWN", want: []string{"page mail DOWN m:r1"}},                                                       // Monday 10:00
			{at: 8 * time.Hour, kind: "UP", want: []string{"page mail UP m:r1 !outside schedule"}},                             // 18:00
			{at: 8*time.Hour - time.Second, kind: "DOWN", dev: "r2", want: []string{"page mail DOWN m:r2"}},                    // 17:59:59
			{at: -2*time.Hour - time.Second, kind: "DOWN", dev: "r3", want: []string{"page mail DOWN m:r3 !outside schedule"}}, // 07:59:59
			{at: -2 * time.Hour, kind: "DOWN", dev: "r4", want: []string{"page mail DOWN m:r4"}},                               // 08:00
			{at: 5 * 24 * time.Hour, kind: "DOWN", dev: "r5", want: []string{"page mail DOWN m:r5 !outside schedule"}},         // Saturday 10:00
			{at: 4 * 24 * time.Hour, kind: "DOWN", dev: "r6", want: []string{"page mail DOWN m:r6"}},                           // Friday 10:00
		}},
		{"schedule: repeats only inside hours", []Rule{{Name: "page", Notifiers: []string{"mail"}, Delay: time.Hour, Repeat: time.Hour,
			Schedule: Schedule{Hours: "12:00-13:00", Location: "UTC"}}}, []step{
			{at: 0, kind: "DOWN"},
			{at: time.Hour, want: []string{"page mail DOWN m:r1 !outside schedule"}},
			{at: 2 * time.Hour, want: []string{"page mail DOWN m:r1 r1"}},
			{at: 3 * time.Hour, want: []string{"page mail DOWN m:r1 r2 !outside schedule"}},
			{at: 4 * time.Hour, kind: "UP", want: []string{"page mail UP m:r1 !outside schedule"}},
		}},
		{"schedule: overnight range", []Rule{night}, []step{
			{at: 4*24*time.Hour + 12*time.Hour - time.Second, kind: "DOWN", dev: "z", want: []string{"page mail DOWN m:z !outside schedule"}}, // Fri 21:59:59
			{at: 4*24*time.Hour + 12*time.Hour, kind: "DOWN", dev: "a", want: []string{"page mail DOWN m:a"}},                                 // Fri 22:00
			{at: 4*24*time.Hour + 14*time.Hour, kind: "DOWN", dev: "b", want: []string{"page mail DOWN m:b"}},                                 // Sat 00:00
			{at: 4*24*time.Hour + 20*time.Hour - time.Second, kind: "DOWN", dev: "c", want: []string{"page mail DOWN m:c"}},                   // Sat 05:59:59
			{at: 4*24*time.Hour + 20*time.Hour, kind: "DOWN", dev: "d", want: []string{"page mail DOWN m:d !outside schedule"}},               // Sat 06:00
			{at: 5*24*time.Hour + 12*time.Hour, kind: "DOWN", dev: "e", want: []string{"page mail DOWN m:e !outside schedule"}},               // Sat 22:00
			{at: -14 * time.Hour, kind: "DOWN", dev: "f", want: []string{"page mail DOWN m:f !outside schedule"}},                             // Sun 20:00 before
			{at: -6 * time.Hour, kind: "DOWN", dev: "g", want: []string{"page mail DOWN m:g !outside schedule"}},                              // Mon 04:00 (Sunday night not listed)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.rules, c.steps) })
	}
}

func TestOpen(t *testing.T) {
	m := time.Minute
	e := run(t, []Rule{{Name: "page", Notifiers: []string{"mail"}, Delay: 5 * m, Repeat: 10 * m, Count: 1,
		Escalate: []Step{{After: 8 * m, Notifiers: []string{"boss"}}}}}, []step{
		{at: 0, kind: "DOWN", dev: "b", reason: "no answer"},
		{at: m, kind: "ALARM", dev: "a"},
	})
	got := e.Open()
	if len(got) != 1 || got[0].Device != "b" || got[0].Kind != "DOWN" || got[0].Reason != "no answer" ||
		got[0].Announced || !got[0].Next.Equal(monday().Add(5*m)) || got[0].NextWhat != "first notice" {
		t.Fatalf("open = %+v", got)
	}
	now := monday().Add(13 * m)
	e.now = func() time.Time { return now }
	if ds := e.Tick(nil); len(ds) != 2 {
		t.Fatalf("tick = %+v", ds)
	}
	got = e.Open()
	if !got[0].Announced || !slices.Equal(got[0].Notified, []string{"mail", "boss"}) || got[0].Escalations != 1 ||
		!got[0].Next.Equal(monday().Add(15*m)) || got[0].NextWhat != "repeat 1" {
		t.Fatalf("open = %+v", got)
	}
	now = monday().Add(15 * m)
	e.Tick(nil)
	if got = e.Open(); !got[0].Next.IsZero() || got[0].NextWhat != "" || got[0].Repeats != 1 {
		t.Fatalf("open = %+v", got)
	}
}

func TestValidate(t *testing.T) {
	known := map[string]bool{"mail": true, "boss": true}
	ok := Rule{Name: "r", Notifiers: []string{"mail"}}
	cases := []struct {
		name string
		edit func(*Rule)
		want string // substring; "" = valid
	}{
		{"ok", func(*Rule) {}, ""},
		{"full", func(r *Rule) {
			r.Map, r.Device, r.Kinds = "m", "d", []string{"down", "Up", "TRAP", "unreachable", "critical", "alarm", "warning", "ok"}
			r.Delay, r.Repeat, r.Count = time.Minute, time.Minute, 3
			r.Escalate = []Step{{After: time.Minute, Notifiers: []string{"boss"}}, {After: 2 * time.Minute, Notifiers: []string{"mail"}}}
			r.Schedule = Schedule{Days: "sat-mon, wed", Hours: "00:00-01:00,22:00-24:00 23:00-02:00", Location: "Europe/Paris"}
		}, ""},
		{"no name", func(r *Rule) { r.Name = " " }, `rule " ": name: empty`},
		{"device without map", func(r *Rule) { r.Device = "d" }, `rule "r": device: "d" needs a map`},
		{"bad kind", func(r *Rule) { r.Kinds = []string{"DOWN", "SOS"} }, `rule "r": kinds: "SOS"`},
		{"no notifiers", func(r *Rule) { r.Notifiers = nil }, `rule "r": notifiers: no notifiers`},
		{"unknown notifier", func(r *Rule) { r.Notifiers = []string{"pager"} }, `rule "r": notifiers: unknown notifier "pager"`},
		{"twice", func(r *Rule) { r.Notifiers = []string{"mail", "mail"} }, `listed twice`},
		{"negative delay", func(r *Rule) { r.Delay = -1 }, `rule "r": delay: negative`},
		{"negative repeat", func(r *Rule) { r.Repeat = -1 }, `rule "r": repeat: negative`},
		{"negative count", func(r *Rule) { r.Count = -1 }, `rule "r": count: negative`},
		{"count without repeat", func(r *Rule) { r.Count = 2 }, `rule "r": count: 2 repeats need a repeat interval`},
		{"escalate after 0", func(r *Rule) { r.Escalate = []Step{{Notifiers: []string{"boss"}}} }, `rule "r": escalate[0].after: must be positive`},
		{"escalate order", func(r *Rule) {
			r.Escalate = []Step{{After: 2 * time.Minute, Notifiers: []string{"boss"}}, {After: time.Minute, Notifiers: []string{"boss"}}}
		}, `rule "r": escalate[1].after`},
		{"escalate unknown", func(r *Rule) { r.Escalate = []Step{{After: time.Minute, Notifiers: []string{"cto"}}} }, `rule "r": escalate[0].notifiers: unknown notifier "cto"`},
		{"bad day", func(r *Rule) { r.Schedule.Days = "mon-fry" }, `rule "r": schedule: days: "fry"`},
		{"bad hours", func(r *Rule) { r.Schedule.Hours = "8-18" }, `rule "r": schedule: hours: "8"`},
		{"hour 25", func(r *Rule) { r.Schedule.Hours = "08:00-25:00" }, `schedule: hours: "25:00"`},
		{"no range", func(r *Rule) { r.Schedule.Hours = "08:00" }, `schedule: hours: "08:00" is not a range`},
		{"empty range", func(r *Rule) { r.Schedule.Hours = "08:00-08:00" }, `is empty`},
		{"bad location", func(r *Rule) { r.Schedule.Location = "Mars/Olympus" }, `rule "r": schedule: location`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.edit(&r)
			err := r.Validate(known)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// Without known names only the structure is checked; NewEngine also
	// refuses duplicate names and reports every bad rule.
	if err := (Rule{Name: "r", Notifiers: []string{"anything"}}).Validate(nil); err != nil {
		t.Fatal(err)
	}
	_, err := NewEngine([]Rule{ok, ok, {Name: "x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), `rule "r": name: used twice`) || !strings.Contains(err.Error(), `rule "x": notifiers`) {
		t.Fatalf("NewEngine error %v", err)
	}
}

func TestScheduleIn(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	s, err := Schedule{Days: "fri-mon", Hours: "08:00-09:00", Location: "Europe/Paris"}.compile()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 1, 9, 8, 0, 0, 0, paris), true},     // Friday
		{time.Date(2026, 1, 12, 8, 59, 59, 0, paris), true},  // Monday
		{time.Date(2026, 1, 13, 8, 30, 0, 0, paris), false},  // Tuesday
		{time.Date(2026, 1, 9, 7, 30, 0, 0, time.UTC), true}, // 08:30 in Paris
		{time.Date(2026, 1, 9, 8, 30, 0, 0, time.UTC), false},
		{time.Date(2026, 7, 10, 6, 30, 0, 0, time.UTC), true}, // summer time: 08:30 in Paris
	}
	for _, c := range cases {
		if got := s.in(c.t); got != c.want {
			t.Errorf("in(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	if !(*schedule)(nil).in(monday()) {
		t.Error("nil schedule is not always")
	}
	all, _ := Schedule{}.compile()
	if !all.in(monday()) {
		t.Error("zero schedule is not always")
	}
}
