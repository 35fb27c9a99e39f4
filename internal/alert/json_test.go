package alert

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRuleJSONRoundTrip(t *testing.T) {
	r := Rule{Name: "ops", Map: "Campus", Kinds: []string{"DOWN", "UP"}, Notifiers: []string{"mail"},
		Delay: 2 * time.Minute, Repeat: time.Hour, Count: 3,
		Escalate: []Step{{After: 30 * time.Minute, Notifiers: []string{"boss"}}},
		Schedule: Schedule{Days: "mon-fri", Hours: "08:00-18:00"}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"delay":"2m0s"`, `"repeat":"1h0m0s"`, `"after":"30m0s"`} {
		if !json.Valid(b) || !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip: %+v\nwant %+v", back, r)
	}
	for _, bad := range []string{`{"name":"x","delay":"soon"}`, `{"name":"x","escalate":[{"after":"x"}]}`, `{"name":5}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestSetRulesKeepsIncidents(t *testing.T) {
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	e, err := NewEngine([]Rule{{Name: "a", Notifiers: []string{"n"}}, {Name: "b", Map: "m", Notifiers: []string{"n"}, Delay: time.Hour}}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	e.Observe(Event{Map: "other", Device: "d", Kind: EventDown}, DeviceState{})
	e.Observe(Event{Map: "m", Device: "d", Kind: EventDown}, DeviceState{})
	if n := len(e.Open()); n != 2 {
		t.Fatalf("open incidents %d, want 2", n)
	}
	if err := e.SetRules([]Rule{{Name: "a", Notifiers: []string{"n"}, Repeat: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	open := e.Open()
	if len(open) != 1 || open[0].Rule != "a" || open[0].NextWhat != "repeat 1" {
		t.Fatalf("after SetRules: %+v", open)
	}
	if err := e.SetRules([]Rule{{Name: "a"}}); err == nil {
		t.Error("a rule without notifiers was accepted")
	}
	if err := ValidateRules([]Rule{{Name: "a", Notifiers: []string{"x"}}}, map[string]bool{"n": true}); err == nil {
		t.Error("unknown notifier accepted")
	}
	if err := ValidateRules([]Rule{{Name: "a", Notifiers: []string{"n"}}, {Name: "a", Notifiers: []string{"n"}}}, nil); err == nil {
		t.Error("duplicate names accepted")
	}
}
