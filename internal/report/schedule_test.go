package report

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestScheduleValidate(t *testing.T) {
	good := Schedule{Name: "w", Map: "m", Period: "week", At: "07:00", Location: "Europe/Paris", Notifiers: []string{"mail"}, Format: "csv"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit func(*Schedule)
		want string
	}{
		{func(s *Schedule) { s.Name = "" }, "needs a name"},
		{func(s *Schedule) { s.Map = "" }, "reports[w].map"},
		{func(s *Schedule) { s.Period = "year" }, "reports[w].period"},
		{func(s *Schedule) { s.At = "7am" }, "reports[w].at"},
		{func(s *Schedule) { s.At = "25:00" }, "reports[w].at"},
		{func(s *Schedule) { s.Location = "Mars/Olympus" }, "reports[w].location"},
		{func(s *Schedule) { s.Notifiers = nil }, "reports[w].notifiers"},
		{func(s *Schedule) { s.Format = "pdf" }, "reports[w].format"},
	} {
		s := good
		s.Notifiers = append([]string(nil), good.Notifiers...)
		tc.edit(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one with %q", err, tc.want)
		}
	}
}

func TestScheduleNextAndRange(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	d := func(y int, m time.Month, day, h, min int) time.Time { return time.Date(y, m, day, h, min, 0, 0, paris) }
	for _, tc := range []struct {
		period, at string
		after      time.Time
		next       time.Time
		from, to   time.Time
	}{
		{"day", "07:00", d(2026, 11, 20, 6, 59), d(2026, 11, 20, 7, 0), d(2026, 11, 19, 0, 0), d(2026, 11, 20, 0, 0)},
		{"day", "07:00", d(2026, 11, 20, 7, 0), d(2026, 11, 21, 7, 0), d(2026, 11, 20, 0, 0), d(2026, 11, 21, 0, 0)},
		// Friday → next Monday; the week before it.
		{"week", "07:00", d(2026, 11, 20, 12, 0), d(2026, 11, 23, 7, 0), d(2026, 11, 16, 0, 0), d(2026, 11, 23, 0, 0)},
		{"month", "", d(2026, 12, 15, 0, 0), d(2027, 1, 1, 0, 0), d(2026, 12, 1, 0, 0), d(2027, 1, 1, 0, 0)},
		// Across the spring DST change the day is 23 hours long.
		{"day", "03:30", d(2026, 3, 29, 0, 0), d(2026, 3, 29, 3, 30), d(2026, 3, 28, 0, 0), d(2026, 3, 29, 0, 0)},
	} {
		s := Schedule{Name: "x", Map: "m", Period: tc.period, At: tc.at, Location: "Europe/Paris", Notifiers: []string{"n"}}
		next := s.Next(tc.after)
		if !next.Equal(tc.next) {
			t.Errorf("%s %s after %v: next %v, want %v", tc.period, tc.at, tc.after, next, tc.next)
			continue
		}
		from, to := s.Range(next)
		if !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("%s at %v covers %v..%v, want %v..%v", tc.period, next, from, to, tc.from, tc.to)
		}
	}
}

// fakeClock moves only when told; After waiters fire as it passes them.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	waiting chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	c.mu.Unlock()
	select {
	case c.waiting <- struct{}{}:
	default:
	}
	return ch
}

// settle returns once the scheduler is waiting on the clock.
func (c *fakeClock) settle() {
	for {
		c.mu.Lock()
		n := len(c.waiters)
		c.mu.Unlock()
		if n > 0 {
			return
		}
		<-c.waiting
	}
}

// advance moves the clock to t once the scheduler waits, firing due waiters.
func (c *fakeClock) advance(t time.Time) {
	c.settle()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

type sent struct {
	name     string
	from, to time.Time
}

type recordingSource struct{}

func (recordingSource) Report(ctx context.Context, m, d string, from, to time.Time) (Report, error) {
	return Report{Map: m, Device: d, From: from, To: to}, nil
}

func TestSchedulerRun(t *testing.T) {
	start := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC) // a Friday
	clock := &fakeClock{now: start, waiting: make(chan struct{}, 1)}
	got := make(chan sent, 10)
	daily := Schedule{Name: "daily", Map: "m", Period: "day", At: "07:00", Notifiers: []string{"n"}}
	weekly := Schedule{Name: "weekly", Map: "m", Period: "week", At: "08:00", Notifiers: []string{"n"}}
	sc := &Scheduler{
		Schedules: func() []Schedule { return []Schedule{daily, weekly} },
		Reports:   recordingSource{},
		Send: func(ctx context.Context, s Schedule, r Report) error {
			got <- sent{s.Name, r.From, r.To}
			return nil
		},
		Clock: clock,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()

	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	expect := func(want sent) {
		t.Helper()
		g := <-got
		if g.name != want.name || !g.from.Equal(want.from) || !g.to.Equal(want.to) {
			t.Fatalf("sent %+v, want %+v", g, want)
		}
	}
	clock.advance(start.Add(30 * time.Minute)) // 06:30: nothing due
	clock.advance(start.Add(time.Hour))        // 07:00 Friday
	expect(sent{"daily", day(19), day(20)})
	// Sleep through the weekend (a suspended machine): one daily report,
	// the latest, then Monday's weekly one.
	clock.advance(time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC))
	expect(sent{"daily", day(22), day(23)})
	clock.advance(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	expect(sent{"weekly", day(16), day(23)})
	clock.settle()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run ended with %v", err)
	}
	select {
	case g := <-got:
		t.Fatalf("unexpected report %+v", g)
	default:
	}
}

func TestMessage(t *testing.T) {
	r := Report{Map: "Campus A", From: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	for _, format := range []string{"html", "csv"} {
		m, err := Message(Schedule{Format: format}, r)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != "REPORT" || !strings.Contains(m.Reason, "Vantage report: Campus A") || len(m.Attachments) != 1 ||
			m.Attachments[0].Name != "vantage-report-Campus_A-2026-11-16."+format || len(m.Attachments[0].Data) == 0 {
			t.Errorf("%s: %+v", format, m)
		}
	}
}
