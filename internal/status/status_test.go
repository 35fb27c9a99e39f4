package status

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestOrderingAndWorst(t *testing.T) {
	order := []Level{Unknown, OK, Warning, Alarm, Critical, Down}
	for i := 1; i < len(order); i++ {
		if !(order[i] > order[i-1]) {
			t.Fatalf("%v should be worse than %v", order[i], order[i-1])
		}
	}
	if got := Worst(OK, Down, Warning); got != Down {
		t.Fatalf("Worst = %v", got)
	}
	if got := Worst(); got != Unknown {
		t.Fatalf("Worst() = %v", got)
	}
}

func TestParseNames(t *testing.T) {
	for _, l := range []Level{Unknown, OK, Warning, Alarm, Critical, Down} {
		got, err := Parse(strings.ToUpper(l.String()))
		if err != nil || got != l {
			t.Fatalf("Parse(%q) = %v, %v", l, got, err)
		}
	}
	if _, err := Parse("purple"); err == nil {
		t.Fatal("Parse accepted purple")
	}
	if OK.EventKind() != "UP" || Down.EventKind() != "DOWN" || Warning.EventKind() != "WARNING" {
		t.Fatal("event kinds")
	}
}

func TestResultJSON(t *testing.T) {
	b, _ := json.Marshal(Result{Level: Warning, Reason: "slow", RTT: 1500 * time.Microsecond})
	s := string(b)
	if !strings.Contains(s, `"status":"warning"`) || !strings.Contains(s, `"rtt_ms":1.5`) {
		t.Fatalf("json = %s", s)
	}
}

func TestApplyDownAfter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := Result{Level: OK, Reason: "RTT 1 ms"}
	lost := Result{Level: Down, Reason: "no reply to 3 pings", NoResponse: true}
	steps := []struct {
		r      Result
		want   Level
		change bool
		reason string
	}{
		{ok, OK, true, "RTT 1 ms"},
		{lost, OK, false, "no reply to 3 pings (1 of 3 missed polls before down)"},
		{lost, OK, false, "no reply to 3 pings (2 of 3 missed polls before down)"},
		{lost, Down, true, "no reply to 3 pings"},
		{lost, Down, false, "no reply to 3 pings"},
		{Result{Level: Warning, Reason: "RTT 412 ms > 300 ms warning threshold"}, Warning, true, "RTT 412 ms > 300 ms warning threshold"},
		{ok, OK, true, "RTT 1 ms"},
	}
	var s State
	for i, st := range steps {
		st.r.Time = t0.Add(time.Duration(i) * 30 * time.Second)
		var ch *Change
		s, ch = s.Apply(st.r, 3)
		if s.Level != st.want || (ch != nil) != st.change || s.Reason != st.reason {
			t.Fatalf("step %d: level %v change %v reason %q; want %v %v %q", i, s.Level, ch, s.Reason, st.want, st.change, st.reason)
		}
	}
	if s.Polls != 7 || s.Failures != 4 {
		t.Fatalf("counters polls=%d failures=%d", s.Polls, s.Failures)
	}
}

func TestApplyChangeDuration(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _ := State{}.Apply(Result{Level: OK, Time: t0}, 1)
	s, ch := s.Apply(Result{Level: Down, NoResponse: true, Time: t0.Add(90 * time.Second)}, 1)
	if ch == nil || ch.From != OK || ch.To != Down || ch.Lasted != 90*time.Second || !s.Since.Equal(t0.Add(90*time.Second)) {
		t.Fatalf("change = %+v state = %+v", ch, s)
	}
}
