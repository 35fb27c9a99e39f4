package probefile

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

func probeText(id, version, human string) string {
	pkg, name, _ := strings.Cut(id, ".")
	return "<header>\n type = \"built-in\"\n package = \"" + pkg + "\"\n probe_name = \"" + name + "\"\n" +
		" human_name = \"" + human + "\"\n version = \"" + version + "\"\n</header>\n"
}

// syncBuffer is a log sink for tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestCatalogue(t *testing.T, builtin fstest.MapFS) (*Catalogue, string, *syncBuffer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "probes")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return NewCatalogue(builtin, dir, logger), dir, logs
}

func write(t *testing.T, dir, name, text string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

func human(t *testing.T, c *Catalogue, id string) string {
	t.Helper()
	f, ok := c.Get(id)
	if !ok {
		t.Fatalf("no probe %s", id)
	}
	return f.Header.HumanName
}

func TestCatalogueVersions(t *testing.T) {
	builtin := fstest.MapFS{
		"com.x.old":    {Data: []byte(probeText("com.x.old", "1.0", "old built-in"))},
		"com.x.new":    {Data: []byte(probeText("com.x.new", "2.11", "new built-in"))},
		"com.x.same":   {Data: []byte(probeText("com.x.same", "1.5", "same built-in"))},
		"com.x.only":   {Data: []byte(probeText("com.x.only", "1", "only built-in"))},
		".hidden":      {Data: []byte("not a probe")},
		"sub/com.x.in": {Data: []byte("folders are not read")},
	}
	c, dir, logs := newTestCatalogue(t, builtin)
	old := time.Now().Add(-time.Hour)
	write(t, dir, "old.txt", probeText("com.x.old", "1.1", "old user"), old)
	write(t, dir, "new.txt", probeText("com.x.new", "2.9", "new user"), old)
	write(t, dir, "same.txt", probeText("com.x.same", "1.5", "same user"), old)
	write(t, dir, "twin-a.txt", probeText("com.x.twin", "3", "twin older"), old)
	write(t, dir, "twin-b.txt", probeText("com.x.twin", "3.0", "twin newer"), old.Add(time.Minute))
	write(t, dir, "backup.txt~", "broken", time.Time{})
	write(t, dir, ".swap", "broken", time.Time{})

	if errs := c.Load(); len(errs) != 0 {
		t.Fatalf("Load: %v", errs)
	}
	for id, want := range map[string]string{
		"com.x.old": "old user", "com.x.new": "new built-in", "com.x.same": "same user",
		"com.x.twin": "twin newer", "COM.X.ONLY": "only built-in",
	} {
		if got := human(t, c, id); got != want {
			t.Errorf("%s: %q wins, want %q", id, got, want)
		}
	}
	var ids []string
	for _, f := range c.Files() {
		ids = append(ids, f.ID())
	}
	if want := []string{"com.x.new", "com.x.old", "com.x.only", "com.x.same", "com.x.twin"}; !slices.Equal(ids, want) {
		t.Errorf("Files %q, want %q", ids, want)
	}
	if f, _ := c.Get("com.x.only"); !f.Builtin {
		t.Errorf("built-in not marked")
	}
	if f, _ := c.Get("com.x.old"); f.Builtin || f.ModTime.IsZero() {
		t.Errorf("user file: builtin %v, mtime %v", f.Builtin, f.ModTime)
	}
	out := logs.String()
	for _, want := range []string{
		`level=INFO msg="probe file superseded" id=com.x.new file=probes/new.txt version=2.9 by=builtin:com.x.new`,
		`level=INFO msg="probe file superseded" id=com.x.twin file=probes/twin-a.txt`,
		`level=INFO msg="probe file superseded" id=com.x.old file=builtin:com.x.old`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestCatalogueBrokenFile(t *testing.T) {
	c, dir, _ := newTestCatalogue(t, nil)
	write(t, dir, "good.txt", probeText("com.x.good", "1", "Good"), time.Time{})
	write(t, dir, "bad.txt", probeText("com.x.bad", "1", "Bad")+"<parameters>\n\"a\" = \"1\"\n\"a\" = \"2\"\n</parameters>\n", time.Time{})
	errs := c.Load()
	if len(errs) != 1 {
		t.Fatalf("errs %v", errs)
	}
	var fe *FileError
	if !errors.As(errs[0], &fe) || fe.File != "probes/bad.txt" || fe.Line != 10 || !strings.Contains(fe.Reason, "duplicate parameter") {
		t.Errorf("error %v", errs[0])
	}
	if _, ok := c.Get("com.x.good"); !ok {
		t.Error("good file not loaded")
	}
	if _, ok := c.Get("com.x.bad"); ok {
		t.Error("broken file loaded")
	}
	if p := c.Problems(); len(p) != 1 || p[0] != errs[0] {
		t.Errorf("Problems %v", p)
	}
	// Reload reports the problem again; it goes away once fixed.
	if _, errs := c.Reload(); len(errs) != 1 {
		t.Errorf("Reload errs %v", errs)
	}
	write(t, dir, "bad.txt", probeText("com.x.bad", "1", "Fixed"), time.Time{})
	changed, errs := c.Reload()
	if len(errs) != 0 || !slices.Equal(changed, []string{"com.x.bad"}) || human(t, c, "com.x.bad") != "Fixed" {
		t.Errorf("after fix: changed %q errs %v", changed, errs)
	}
	if len(c.Problems()) != 0 {
		t.Errorf("Problems after fix %v", c.Problems())
	}
	// Breaking a loaded file keeps its last good version.
	write(t, dir, "bad.txt", "<header>\n", time.Time{})
	changed, errs = c.Reload()
	if len(errs) != 1 || len(changed) != 0 || human(t, c, "com.x.bad") != "Fixed" {
		t.Errorf("after break: changed %q errs %v", changed, errs)
	}
}

func TestCatalogueReload(t *testing.T) {
	builtin := fstest.MapFS{"com.x.a": {Data: []byte(probeText("com.x.a", "1", "built-in A"))}}
	c, dir, _ := newTestCatalogue(t, builtin)
	if errs := c.Load(); len(errs) != 0 {
		t.Fatal(errs)
	}
	write(t, dir, "a.txt", probeText("com.x.a", "2", "user A"), time.Time{})
	write(t, dir, "b.txt", probeText("com.x.b", "1", "user B"), time.Time{})
	changed, errs := c.Reload()
	if len(errs) != 0 || !slices.Equal(changed, []string{"com.x.a", "com.x.b"}) {
		t.Fatalf("changed %q errs %v", changed, errs)
	}
	if changed, _ := c.Reload(); len(changed) != 0 {
		t.Errorf("unchanged reload reports %q", changed)
	}
	// Edit: new human name, and a rename of b's identifier.
	write(t, dir, "a.txt", probeText("com.x.a", "2", "user A edited"), time.Time{})
	write(t, dir, "b.txt", probeText("com.x.c", "1", "user C"), time.Time{})
	changed, _ = c.Reload()
	if !slices.Equal(changed, []string{"com.x.a", "com.x.b", "com.x.c"}) || human(t, c, "com.x.a") != "user A edited" {
		t.Errorf("after edit: changed %q", changed)
	}
	if _, ok := c.Get("com.x.b"); ok {
		t.Error("renamed probe still there")
	}
	// Removing the user's copy brings the built-in back.
	if err := os.Remove(filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	changed, _ = c.Reload()
	if !slices.Equal(changed, []string{"com.x.a"}) || human(t, c, "com.x.a") != "built-in A" {
		t.Errorf("after remove: changed %q, a is %q", changed, human(t, c, "com.x.a"))
	}
}

func TestCatalogueWatch(t *testing.T) {
	c, dir, _ := newTestCatalogue(t, nil)
	write(t, dir, "a.txt", probeText("com.x.a", "1", "A"), time.Time{})
	if errs := c.Load(); len(errs) != 0 {
		t.Fatal(errs)
	}
	type event struct {
		changed []string
		errs    []error
	}
	events := make(chan event, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Watch(ctx, 20*time.Millisecond, func(changed []string, errs []error) { events <- event{changed, errs} })
	}()
	defer func() { cancel(); <-done }()
	wait := func() event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no change reported")
		}
		return event{}
	}
	write(t, dir, "a.txt", probeText("com.x.a", "1", "A edited"), time.Time{})
	if e := wait(); !slices.Equal(e.changed, []string{"com.x.a"}) || len(e.errs) != 0 || human(t, c, "com.x.a") != "A edited" {
		t.Errorf("edit: %+v", e)
	}
	write(t, dir, "b.txt", "<header>\ntype = \"built-in\"\n", time.Time{})
	if e := wait(); len(e.changed) != 0 || len(e.errs) != 1 || !strings.Contains(e.errs[0].Error(), "probes/b.txt:1: section <header> is not closed") {
		t.Errorf("broken file: %+v", e)
	}
	select {
	case e := <-events:
		t.Errorf("problem reported twice: %+v", e)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestCatalogueNoFolder(t *testing.T) {
	c := NewCatalogue(nil, filepath.Join(t.TempDir(), "missing"), nil)
	if errs := c.Load(); len(errs) != 0 || len(c.Files()) != 0 {
		t.Errorf("errs %v files %d", errs, len(c.Files()))
	}
	c = NewCatalogue(fstest.MapFS{"p": {Data: []byte("<header>\n</header>\n")}}, "", nil)
	if errs := c.Load(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "builtin:p:1: <header>: type is required") {
		t.Errorf("broken built-in: %v", errs)
	}
	if _, errs := c.Reload(); len(errs) != 1 {
		t.Errorf("forced reload does not report the broken built-in again: %v", errs)
	}
}

func TestCatalogueExamples(t *testing.T) {
	dir := examplesDir(t)
	c := NewCatalogue(os.DirFS(dir), "", nil)
	errs := c.Load()
	if len(errs) != 0 {
		t.Fatalf("examples: %v", errs)
	}
	if f, ok := c.Get("com.dartware.tcp.http"); !ok || f.Header.Version != "2.11" {
		t.Errorf("http probe %v", ok)
	}
}
