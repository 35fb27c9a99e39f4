package eventlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFormatParse(t *testing.T) {
	ts := time.Date(2026, 11, 21, 23, 47, 16, 123e6, time.UTC)
	tests := []struct {
		name string
		ev   Event
		line string
	}{
		{"device", Event{Time: ts, Kind: "DOWN", Map: "Campus", Device: "gw", Message: "no reply to 3 pings (was up for 5 seconds)"},
			"2026-11-21T23:47:16.123Z DOWN Campus:gw :: no reply to 3 pings (was up for 5 seconds)"},
		{"spaces in names", Event{Time: ts, Kind: "UP", Map: "North Campus", Device: "core sw 1", Message: "ok"},
			"2026-11-21T23:47:16.123Z UP North Campus:core sw 1 :: ok"},
		{"server", Event{Time: ts, Kind: "START", Message: "Vantage started"},
			"2026-11-21T23:47:16.123Z START Vantage started"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.ev); got != tc.line {
				t.Fatalf("Format = %q, want %q", got, tc.line)
			}
			got, err := Parse(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Time.Equal(tc.ev.Time) || got.Kind != tc.ev.Kind || got.Map != tc.ev.Map || got.Device != tc.ev.Device || got.Message != tc.ev.Message {
				t.Fatalf("Parse = %+v, want %+v", got, tc.ev)
			}
		})
	}
}

func TestFormatKeepsOneLine(t *testing.T) {
	line := Format(Event{Time: time.Now(), Kind: "TRAP", Map: "m", Device: "d", Message: "a\nb\r\nc"})
	if strings.ContainsAny(line, "\r\n") {
		t.Fatalf("newline in %q", line)
	}
}

func TestParseBad(t *testing.T) {
	for _, line := range []string{"", "garbage", "2026-13-01T00:00:00Z DOWN x", "2026-11-21T23:47:16Z down m:d :: x", "2026-11-21T23:47:16Z"} {
		if _, err := Parse(line); err == nil {
			t.Errorf("Parse(%q) succeeded", line)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := map[time.Duration]string{
		time.Second:                      "1 second",
		45 * time.Second:                 "45 seconds",
		3*time.Minute + 2*time.Second:    "3 minutes, 2 seconds",
		time.Hour + 5*time.Second:        "1 hour, 0 minutes, 5 seconds",
		50*time.Hour + time.Minute + 3e9: "2 days, 2 hours, 1 minute",
	}
	for d, want := range tests {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRotateAndRead(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Config{MaxSize: 2048, Keep: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		kind := "DOWN"
		if i%2 == 1 {
			kind = "UP"
		}
		if err := l.Write(Event{Time: base.Add(time.Duration(i) * time.Second), Kind: kind, Map: "m", Device: fmt.Sprintf("d%d", i%3), Message: fmt.Sprintf("event %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "event.log*"))
	if len(files) != 3 {
		t.Fatalf("files after rotation = %v, want event.log + 2 old", files)
	}
	for _, f := range files {
		if st, _ := os.Stat(f); st.Size() > 2048 {
			t.Errorf("%s is %d bytes, over max_size", f, st.Size())
		}
	}
	latest, err := l.Read(Query{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 5 || latest[4].Message != "event 99" || latest[0].Message != "event 95" {
		t.Fatalf("latest = %+v", latest)
	}
	all, _ := l.Read(Query{Limit: 10000})
	oldest := all[0].Time
	page, _ := l.Read(Query{Since: oldest.Add(2 * time.Second), Limit: 3})
	if len(page) != 3 || !page[0].Time.Equal(oldest.Add(2*time.Second)) {
		t.Fatalf("page from since = %+v", page)
	}
	ups, _ := l.Read(Query{Kind: "up", Device: "d1", Limit: 1000})
	for _, e := range ups {
		if e.Kind != "UP" || e.Device != "d1" {
			t.Fatalf("filter let through %+v", e)
		}
	}
	if len(ups) == 0 {
		t.Fatal("filter found nothing")
	}
}

func TestSubscribe(t *testing.T) {
	l, err := Open(t.TempDir(), DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ch, cancel := l.Subscribe(4)
	defer cancel()
	l.Write(Event{Kind: "UP", Map: "m", Device: "d", Message: "x"})
	select {
	case e := <-ch:
		if e.Kind != "UP" {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(time.Second):
		t.Fatal("no event delivered")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("2026-11-21T23:47:16.123Z DOWN Campus:gw :: no reply")
	f.Add("2026-11-21T23:47:16Z START x")
	f.Add("x :: y")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := Parse(line)
		if err != nil {
			return
		}
		if e.Kind == "" {
			t.Fatalf("parsed %q with empty kind", line)
		}
	})
}
