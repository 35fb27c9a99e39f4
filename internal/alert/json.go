package alert

import (
	"encoding/json"
	"time"

	"github.com/vantage-monitor/vantage/internal/dur"
)

// Rules travel through the API with durations as text ("5m"), as they are
// written in config.yaml, not as nanoseconds.

type stepJSON struct {
	After     dur.Duration `json:"after"`
	Notifiers []string     `json:"notifiers"`
}

// MarshalJSON writes After as text.
func (s Step) MarshalJSON() ([]byte, error) {
	return json.Marshal(stepJSON{After: dur.Duration(s.After), Notifiers: s.Notifiers})
}

// UnmarshalJSON reads After as text or seconds.
func (s *Step) UnmarshalJSON(b []byte) error {
	var v stepJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Step{After: time.Duration(v.After), Notifiers: v.Notifiers}
	return nil
}

// ruleJSON shadows Rule's durations: the shallower fields win.
type ruleJSON struct {
	plainRule
	Delay  dur.Duration `json:"delay"`
	Repeat dur.Duration `json:"repeat"`
}

type plainRule Rule

// MarshalJSON writes Delay and Repeat as text.
func (r Rule) MarshalJSON() ([]byte, error) {
	return json.Marshal(ruleJSON{plainRule: plainRule(r), Delay: dur.Duration(r.Delay), Repeat: dur.Duration(r.Repeat)})
}

// UnmarshalJSON reads Delay and Repeat as text or seconds.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var v ruleJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Rule(v.plainRule)
	r.Delay, r.Repeat = time.Duration(v.Delay), time.Duration(v.Repeat)
	return nil
}
