package status

import (
	"fmt"
	"time"
)

// DefaultDownAfter is how many consecutive unanswered polls make a device
// down, as InterMapper's "number of lost packets" default.
const DefaultDownAfter = 3

// State is a device's live status as the poller has seen it over time.
type State struct {
	Level  Level  `json:"status"`
	Reason string `json:"reason"`
	// Since is when Level last changed.
	Since time.Time `json:"since"`
	// LastPoll is when the last poll finished.
	LastPoll time.Time `json:"last_poll"`
	// Misses counts consecutive polls with no response.
	Misses int `json:"misses"`
	// Last is the latest poll result with the probe's values.
	Last Result `json:"last"`
	// Polls and Failures count every poll since the server started.
	Polls    int64 `json:"polls"`
	Failures int64 `json:"failures"`
}

// Change describes a transition of Level.
type Change struct {
	From, To Level
	// Lasted is how long the previous level held.
	Lasted time.Duration
}

// Apply folds one poll result into the state. A poll with no response only
// makes the device down after downAfter consecutive ones; until then the
// previous level stays and the reason says how close the device is to down.
// It returns the new state and, when the level changed, the change.
func (s State) Apply(r Result, downAfter int) (State, *Change) {
	if downAfter < 1 {
		downAfter = DefaultDownAfter
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	next := s
	next.LastPoll = r.Time
	next.Last = r
	next.Polls++
	level, reason := r.Level, r.Reason
	if r.NoResponse {
		next.Failures++
		next.Misses++
		if next.Misses < downAfter {
			level = s.Level
			if level == Down {
				level = Unknown
			}
			reason = fmt.Sprintf("%s (%d of %d missed polls before down)", r.Reason, next.Misses, downAfter)
		}
	} else {
		next.Misses = 0
	}
	next.Level, next.Reason = level, reason
	if level == s.Level {
		return next, nil
	}
	var lasted time.Duration
	if !s.Since.IsZero() {
		lasted = r.Time.Sub(s.Since)
	}
	next.Since = r.Time
	return next, &Change{From: s.Level, To: level, Lasted: lasted}
}
