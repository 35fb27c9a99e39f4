package netmap

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if errs := s.Load(); len(errs) > 0 {
		t.Fatal(errs)
	}
	return s, dir
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "maps", name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, s *Store, name string) *Map {
	t.Helper()
	m, ok := s.Get(name)
	if !ok {
		t.Fatalf("map %q not in store", name)
	}
	return m
}

func TestStoreCRUD(t *testing.T) {
	s, dir := openTestStore(t)
	m := &Map{
		Name: "Campus West", Vantage: "gw",
		Devices:  []Device{{Name: "gw", Address: "192.0.2.1", Params: map[string]string{}}},
		Networks: []Network{{Name: "lan", CIDRs: []string{"192.0.2.0/24"}}, {Name: "lab", CIDRs: []string{"10.0.0.0/8"}}},
		Links:    []Link{{From: "gw", To: "lan"}, {From: "gw", To: "lab", Auto: true}},
	}
	if err := s.Put(m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "maps", "campus-west.yaml")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	if s.File("Campus West") != filepath.Join("maps", "campus-west.yaml") {
		t.Errorf("File = %q", s.File("Campus West"))
	}
	got := get(t, s, "Campus West")
	if len(got.Links) != 1 || got.Devices[0].Params != nil {
		t.Errorf("stored map not normalised (auto links dropped, empty params nil): %+v", got)
	}

	// Callers get copies.
	got.Devices[0].Name = "mutated"
	s.Maps()[0].Networks[0].CIDRs[0] = "mutated"
	m.Devices[0].Address = "mutated"
	if again := get(t, s, "Campus West"); again.Devices[0].Name != "gw" || again.Networks[0].CIDRs[0] != "192.0.2.0/24" || again.Devices[0].Address != "192.0.2.1" {
		t.Fatalf("store state was mutated through a returned map: %+v", again)
	}

	const name = "Campus West"
	steps := []struct {
		desc string
		op   func() error
		want error // nil, a sentinel, or errFileError
	}{
		{"add a device", func() error { return s.PutDevice(name, Device{Name: "sw", Address: "192.0.2.2"}) }, nil},
		{"device on an unknown map", func() error { return s.PutDevice("nope", Device{Name: "x", Address: "192.0.2.9"}) }, ErrNotFound},
		{"device named like a network", func() error { return s.PutDevice(name, Device{Name: "lan", Address: "192.0.2.9"}) }, ErrDuplicate},
		{"invalid device", func() error { return s.PutDevice(name, Device{Name: "bad", Address: "300.1.1.1"}) }, errFileError},
		{"link sw to lan", func() error { return s.AddLink(name, Link{From: "sw", To: "lan"}) }, nil},
		{"same link reversed", func() error { return s.AddLink(name, Link{From: "lan", To: "sw"}) }, ErrDuplicate},
		{"link outside its subnet", func() error { return s.AddLink(name, Link{From: "sw", To: "lab"}) }, errFileError},
		{"link to nothing", func() error { return s.AddLink(name, Link{From: "sw", To: "nothing"}) }, errFileError},
		{"device to device", func() error { return s.AddLink(name, Link{From: "gw", To: "sw", Label: "trunk"}) }, nil},
		{"rename gw to core", func() error { return s.ReplaceDevice(name, "gw", Device{Name: "core", Address: "192.0.2.1"}) }, nil},
		{"rename a missing device", func() error { return s.ReplaceDevice(name, "gw", Device{Name: "x", Address: "192.0.2.1"}) }, ErrNotFound},
		{"rename onto a used name", func() error { return s.ReplaceDevice(name, "core", Device{Name: "sw", Address: "192.0.2.1"}) }, ErrDuplicate},
		{"move sw out of lan", func() error { return s.PutDevice(name, Device{Name: "sw", Address: "10.1.1.1"}) }, nil},
		{"delete a missing link", func() error { return s.DeleteLink(name, Link{From: "sw", To: "lan"}) }, ErrNotFound},
		{"add a network", func() error { return s.PutNetwork(name, Network{Name: "dmz", CIDRs: []string{"198.51.100.0/24"}}) }, nil},
		{"bad network", func() error { return s.PutNetwork(name, Network{Name: "dmz", CIDRs: []string{"198.51.100.1/24"}}) }, errFileError},
		{"rename lan", func() error {
			return s.ReplaceNetwork(name, "lan", Network{Name: "office", CIDRs: []string{"192.0.2.0/24"}})
		}, nil},
		{"delete dmz", func() error { return s.DeleteNetwork(name, "dmz") }, nil},
		{"delete dmz again", func() error { return s.DeleteNetwork(name, "dmz") }, ErrNotFound},
	}
	for _, st := range steps {
		err := st.op()
		switch {
		case st.want == errFileError:
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Errorf("%s: got %v, want a *FileError", st.desc, err)
			}
		case !errors.Is(err, st.want):
			t.Errorf("%s: got %v, want %v", st.desc, err, st.want)
		}
	}

	got = get(t, s, name)
	want := &Map{
		Name: name, Vantage: "core",
		Devices: []Device{{Name: "core", Address: "192.0.2.1"}, {Name: "sw", Address: "10.1.1.1"}},
		Networks: []Network{
			{Name: "office", CIDRs: []string{"192.0.2.0/24"}},
			{Name: "lab", CIDRs: []string{"10.0.0.0/8"}},
		},
		// sw–lan jumped back when sw moved to 10.1.1.1; renames followed.
		Links: []Link{{From: "core", To: "office"}, {From: "core", To: "sw", Label: "trunk"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after edits\n got %+v\nwant %+v", got, want)
	}

	// What is on disk is what the store serves, also to a new store.
	s2, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if errs := s2.Load(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(s2.Maps(), s.Maps()) {
		t.Errorf("reloaded store differs:\n%+v\n%+v", s2.Maps(), s.Maps())
	}

	if err := s.DeleteNetwork(name, "office"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDevice(name, "core"); err != nil {
		t.Fatal(err)
	}
	got = get(t, s, name)
	if got.Vantage != "" || len(got.Links) != 0 || len(got.Devices) != 1 {
		t.Errorf("deleting removed too little: %+v", got)
	}
	if err := s.Delete(name); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(name); ok {
		t.Error("deleted map still served")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file still there: %v", err)
	}
	if err := s.Delete(name); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

// errFileError marks steps expected to fail validation.
var errFileError = errors.New("a *FileError")

func TestStoreFileNames(t *testing.T) {
	s, dir := openTestStore(t)
	writeFile(t, dir, "campus.yaml", "name: Campus\n")
	writeFile(t, dir, "broken.yaml", "name: [\n")
	s.Load()
	for _, name := range []string{"campus", "Broken", "!!!", "Ünïcode only"} {
		if err := s.Put(&Map{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	for _, name := range []string{"Campus", "campus", "Broken", "!!!", "Ünïcode only"} {
		files = append(files, filepath.Base(s.File(name)))
	}
	want := []string{"campus.yaml", "campus-2.yaml", "broken-2.yaml", "map.yaml", "n-code-only.yaml"}
	if !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
}

func TestStoreLoadReportsBrokenFiles(t *testing.T) {
	s, dir := openTestStore(t)
	writeFile(t, dir, "good.yaml", designExample)
	writeFile(t, dir, "bad.yml", "name: bad\ndevices:\n  - name: gw\n    address: 300.1.1.1\n")
	writeFile(t, dir, "notes.txt", "not a map")
	writeFile(t, dir, ".hidden.yaml", "name: [")
	errs := s.Load()
	if len(errs) != 1 {
		t.Fatalf("errs = %v", errs)
	}
	var fe *FileError
	if !errors.As(errs[0], &fe) || fe.File != filepath.Join("maps", "bad.yml") || fe.Line != 4 {
		t.Errorf("error = %#v", errs[0])
	}
	if names := mapNames(s); !slices.Equal(names, []string{"Campus"}) {
		t.Errorf("maps = %v", names)
	}
	if p := s.Problems(); len(p) != 1 {
		t.Errorf("Problems() = %v", p)
	}
	// Reload reports the still-broken file again; a watch scan does not.
	if _, errs := s.Reload(); len(errs) != 1 {
		t.Errorf("Reload errs = %v", errs)
	}
	if changed, errs := s.scan(false); len(changed)+len(errs) != 0 {
		t.Errorf("idle scan reported %v %v", changed, errs)
	}
}

func mapNames(s *Store) []string {
	var out []string
	for _, m := range s.Maps() {
		out = append(out, m.Name)
	}
	return out
}

func TestStoreHotReload(t *testing.T) {
	s, dir := openTestStore(t)
	type event struct {
		changed []string
		errs    []error
	}
	events := make(chan event, 10)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Watch(ctx, 10*time.Millisecond, func(changed []string, errs []error) { events <- event{changed, errs} })
	}()
	defer func() { cancel(); wg.Wait() }()
	next := func(what string) event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(5 * time.Second):
			t.Fatalf("no event after %s", what)
		}
		return event{}
	}
	quiet := func(what string) {
		t.Helper()
		select {
		case e := <-events:
			t.Errorf("unexpected event after %s: %v %v", what, e.changed, e.errs)
		case <-time.After(100 * time.Millisecond):
		}
	}

	writeFile(t, dir, "campus.yaml", designExample)
	if e := next("adding a file"); !slices.Equal(e.changed, []string{"Campus"}) || e.errs != nil {
		t.Errorf("add: %v %v", e.changed, e.errs)
	}

	// Same size, new content: still noticed (content is hashed).
	writeFile(t, dir, "campus.yaml", strings.Replace(designExample, "[gw, lan]", "[lan, gw]", 1))
	if e := next("editing the file"); !slices.Equal(e.changed, []string{"Campus"}) {
		t.Errorf("edit: %v %v", e.changed, e.errs)
	}
	if l := get(t, s, "Campus").Links[0]; l.From != "lan" {
		t.Errorf("edit not loaded: %+v", l)
	}

	// A broken edit is reported once; the last good version keeps running.
	writeFile(t, dir, "campus.yaml", designExample+"  - [gw, nowhere]\n")
	e := next("breaking the file")
	if len(e.changed) != 0 || len(e.errs) != 1 {
		t.Fatalf("broken edit: %v %v", e.changed, e.errs)
	}
	want := filepath.Join("maps", "campus.yaml") + `:16: link #2: unknown link endpoint "nowhere"`
	if e.errs[0].Error() != want {
		t.Errorf("error %q, want %q", e.errs[0], want)
	}
	if l := get(t, s, "Campus").Links; len(l) != 1 || l[0].From != "lan" {
		t.Errorf("last good version not kept: %+v", l)
	}
	quiet("a broken file stays broken")

	writeFile(t, dir, "campus.yaml", designExample)
	if e := next("fixing the file"); !slices.Equal(e.changed, []string{"Campus"}) || e.errs != nil {
		t.Errorf("fix: %v %v", e.changed, e.errs)
	}
	// Broken and fixed back to the very same map: an event all the same,
	// so that whoever shows the problem can clear it.
	writeFile(t, dir, "campus.yaml", "name: [\n")
	next("breaking the file again")
	writeFile(t, dir, "campus.yaml", designExample)
	if e := next("restoring the file"); !slices.Equal(e.changed, []string{"Campus"}) || e.errs != nil {
		t.Errorf("restore: %v %v", e.changed, e.errs)
	}
	if len(s.Problems()) != 0 {
		t.Errorf("Problems() = %v", s.Problems())
	}

	// The store's own writes are not reported as outside edits.
	if err := s.PutDevice("Campus", Device{Name: "sw", Address: "192.0.2.2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(&Map{Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	quiet("the store's own writes")

	// Renaming the map inside its file.
	writeFile(t, dir, "other.yaml", "name: Renamed\n")
	if e := next("renaming"); !slices.Equal(e.changed, []string{"Other", "Renamed"}) {
		t.Errorf("rename: %v %v", e.changed, e.errs)
	}

	if err := os.Remove(filepath.Join(dir, "maps", "campus.yaml")); err != nil {
		t.Fatal(err)
	}
	if e := next("deleting the file"); !slices.Equal(e.changed, []string{"Campus"}) {
		t.Errorf("delete: %v %v", e.changed, e.errs)
	}
	if names := mapNames(s); !slices.Equal(names, []string{"Renamed"}) {
		t.Errorf("maps = %v", names)
	}
}

func TestStoreRefusesToOverwriteUnseenEdits(t *testing.T) {
	s, dir := openTestStore(t)
	if err := s.Put(&Map{Name: "campus"}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "campus.yaml", "name: campus\nnetworks:\n  - name: lan\n")
	err := s.PutNetwork("campus", Network{Name: "wan"})
	if !errors.Is(err, ErrModifiedOnDisk) {
		t.Fatalf("got %v, want ErrModifiedOnDisk", err)
	}
	if changed, errs := s.Reload(); !slices.Equal(changed, []string{"campus"}) || errs != nil {
		t.Fatalf("reload: %v %v", changed, errs)
	}
	if err := s.PutNetwork("campus", Network{Name: "wan"}); err != nil {
		t.Fatal(err)
	}
	if n := len(get(t, s, "campus").Networks); n != 2 {
		t.Errorf("hand edit lost: %d networks", n)
	}
}

func TestStoreNameClash(t *testing.T) {
	s, dir := openTestStore(t)
	writeFile(t, dir, "a.yaml", "name: same\n")
	writeFile(t, dir, "b.yaml", "name: same\nnetworks:\n  - name: lan\n")
	errs := s.Load()
	if len(errs) != 1 || errs[0].Error() != filepath.Join("maps", "b.yaml")+`: map name "same" is already used by `+filepath.Join("maps", "a.yaml") {
		t.Fatalf("errs = %v", errs)
	}
	if s.File("same") != filepath.Join("maps", "a.yaml") {
		t.Errorf("File = %s", s.File("same"))
	}
	os.Remove(filepath.Join(dir, "maps", "a.yaml"))
	if changed, _ := s.scan(false); !slices.Equal(changed, []string{"same"}) {
		t.Errorf("changed = %v", changed)
	}
	if len(get(t, s, "same").Networks) != 1 {
		t.Error("b.yaml did not take over the free name")
	}
}

func TestStoreConcurrentUse(t *testing.T) {
	s, _ := openTestStore(t)
	if err := s.Put(&Map{Name: "m", Networks: []Network{{Name: "lan", CIDRs: []string{"10.0.0.0/8"}}}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				d := Device{Name: "d" + string(rune('a'+w)), Address: "10.0.0.1", X: float64(i)}
				if err := s.PutDevice("m", d); err != nil {
					t.Error(err)
				}
				for _, m := range s.Maps() {
					_ = m.AllLinks()
				}
				s.scan(false)
			}
		}()
	}
	wg.Wait()
	if n := len(get(t, s, "m").Devices); n != 4 {
		t.Errorf("%d devices, want 4", n)
	}
}
