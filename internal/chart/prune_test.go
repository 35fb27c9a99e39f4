package chart

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPrune(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m := newMem()
	ctx := context.Background()
	a := Series{Server: "east", Map: "Campus", Device: "core-1", Dataset: "rtt"}
	b := Series{Server: "east", Map: "Campus", Device: "edge", Dataset: "rtt"}
	c := Series{Server: "west", Map: "Campus", Device: "edge", Dataset: "rtt"}
	var batch []Sample
	for _, s := range []Series{a, b, c} {
		for h := range 24 * 10 {
			batch = append(batch, Sample{Series: s, Time: now.Add(-time.Duration(h) * time.Hour), Value: 1})
		}
	}
	if err := m.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	pol := Policies{Policy: DefaultPolicy(), Rules: []Rule{{Device: "core-*", Raw: dp(5 * day), Day: dp(10 * year)}}}
	st, err := Pruner{Backend: m, Policies: func() Policies { return pol }, Server: "east", Now: func() time.Time { return now }}.Prune(ctx)
	if err != nil || st.Series != 2 || st.Deleted != (240-121)+(240-49) {
		t.Fatalf("prune %+v, %v", st, err)
	}
	want := map[Resolution]time.Time{
		Raw:         now.Add(-5 * day),
		FiveMinutes: now.Add(-90 * day),
		Hour:        time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
		Day:         time.Date(2015, 6, 4, 0, 0, 0, 0, time.UTC),
	}
	for r, w := range want {
		if got := m.pruned[a][r]; !got.Equal(w) {
			t.Errorf("%s cut at %v, want %v", r, got, w)
		}
	}
	if _, ok := m.pruned[b][Day]; ok {
		t.Error("daily data pruned under the default policy (forever)")
	}
	if _, ok := m.pruned[c]; ok {
		t.Error("another server's series pruned")
	}

	// Prune (all servers, fixed time) and errors.
	if st, err := Prune(ctx, m, DefaultPolicies(), now); err != nil || st.Series != 3 || st.Deleted != (240-49)+(121-49) {
		t.Errorf("Prune %+v, %v", st, err)
	}
	m.failing = errDisk
	st, err = Prune(ctx, m, DefaultPolicies(), now)
	if !errors.Is(err, errDisk) || st.Errors != 9 {
		t.Errorf("failing prune %+v, %v", st, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Prune(cctx, m, DefaultPolicies(), now); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled prune: %v", err)
	}
}

// TestPrunerRun checks the background loop prunes at once and stops with
// its context.
func TestPrunerRun(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m := newMem()
	s := Series{Device: "d", Dataset: "rtt"}
	m.Write(context.Background(), []Sample{{Series: s, Time: now.Add(-3 * day), Value: 1}, {Series: s, Time: now, Value: 2}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p := Pruner{Backend: m, Now: func() time.Time { return now }, Logger: quiet()}
	go func() { defer close(done); p.Run(ctx, time.Hour) }()
	for {
		m.mu.Lock()
		n := len(m.raw[s])
		m.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
