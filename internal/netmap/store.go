package netmap

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store keeps the maps of one settings folder, one YAML file per map in
// DIR/maps/. It is safe for concurrent use. Readers get deep copies, so
// nothing a caller does to a returned map changes the store.
//
// Files are the source of truth: writes go to disk first (atomically) and
// the in-memory map is what the written file parses to. Edits made to the
// files by hand are picked up by Reload and Watch; a file that no longer
// parses is reported, and the last good version of its map keeps running.
type Store struct {
	dir string // DIR/maps
	log *slog.Logger

	// ioMu serialises everything that reads or writes the folder (scans
	// and writes), so a write never races a reload of the same file. It
	// guards files.
	ioMu  sync.Mutex
	files map[string]*fileState // by base file name

	// mu guards maps for readers; it is held only briefly, never during I/O.
	mu   sync.RWMutex
	maps map[string]*entry // by map name
}

type entry struct {
	file string // base name in dir
	m    *Map
}

// fileState is what the store knows of one file, to notice changes and to
// report each problem once.
type fileState struct {
	size   int64
	mtime  time.Time
	readAt time.Time
	hash   [sha256.Size]byte
	name   string // the map installed from this file, "" if none
	// pending is a map that parsed but whose name another file already
	// uses; it is installed when that name becomes free.
	pending *Map
	err     error // the file's current problem, nil when it is good
}

// OpenStore opens the map folder DIR/maps, creating it if needed. It reads
// nothing: call Load.
func OpenStore(dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := filepath.Join(dir, "maps")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, fmt.Errorf("creating map folder: %w", err)
	}
	return &Store{
		dir:   d,
		log:   logger,
		files: map[string]*fileState{},
		maps:  map[string]*entry{},
	}, nil
}

// Maps returns a copy of every map, sorted by name.
func (s *Store) Maps() []*Map {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Map, 0, len(s.maps))
	for _, e := range s.maps {
		out = append(out, e.m.Clone())
	}
	slices.SortFunc(out, func(a, b *Map) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Get returns a copy of the named map.
func (s *Store) Get(name string) (*Map, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.maps[name]
	if !ok {
		return nil, false
	}
	return e.m.Clone(), true
}

// File returns the path, relative to the settings folder, of the file
// holding the named map ("maps/campus.yaml"), or "".
func (s *Store) File(name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.maps[name]; ok {
		return rel(e.file)
	}
	return ""
}

// Problems returns the current problem of every map file that does not
// load (as *FileError), sorted by file.
func (s *Store) Problems() []error {
	s.ioMu.Lock()
	defer s.ioMu.Unlock()
	var out []error
	for _, name := range slices.Sorted(maps.Keys(s.files)) {
		if err := s.files[name].err; err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Put validates m and writes it, replacing the map of the same name or
// adding a new file named after it (a slug: "Campus West" →
// "campus-west.yaml"). The write is atomic (temporary file, then rename)
// and refused with ErrModifiedOnDisk if the file was edited by hand since
// the store last read it. Validation errors are *FileError.
func (s *Store) Put(m *Map) error {
	if m == nil {
		return errors.New("put: nil map")
	}
	s.ioMu.Lock()
	defer s.ioMu.Unlock()
	return s.write(m.Clone())
}

// Delete removes the named map and its file.
func (s *Store) Delete(name string) error {
	s.ioMu.Lock()
	defer s.ioMu.Unlock()
	e := s.entry(name)
	if e == nil {
		return fmt.Errorf("map %q: %w", name, ErrNotFound)
	}
	if err := os.Remove(filepath.Join(s.dir, e.file)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting map %q: %w", name, err)
	}
	delete(s.files, e.file)
	s.setMap(name, nil)
	s.log.Info("map deleted", "map", name, "file", rel(e.file))
	return nil
}

// entry reads s.maps; callers hold ioMu, which excludes every writer.
func (s *Store) entry(name string) *entry { return s.maps[name] }

// setMap installs (or with e nil removes) a map for readers.
func (s *Store) setMap(name string, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e == nil {
		delete(s.maps, name)
	} else {
		s.maps[name] = e
	}
}

// write validates m, writes its file and installs the map as read back from
// the written bytes, so memory always equals disk. Callers hold ioMu.
func (s *Store) write(m *Map) error {
	normalize(m)
	if err := m.Validate(); err != nil {
		return fmt.Errorf("map %q: %w", m.Name, err)
	}
	file := ""
	if e := s.entry(m.Name); e != nil {
		file = e.file
	} else {
		file = s.newFileName(m.Name)
	}
	data, err := Marshal(m)
	if err != nil {
		return err
	}
	back, err := Parse(rel(file), data)
	if err != nil {
		return fmt.Errorf("map %q does not read back after encoding (a bug): %w", m.Name, err)
	}
	path := filepath.Join(s.dir, file)
	st := s.files[file]
	if st != nil {
		cur, err := os.ReadFile(path)
		if err != nil || sha256.Sum256(cur) != st.hash {
			return fmt.Errorf("writing map %q to %s: %w", m.Name, rel(file), ErrModifiedOnDisk)
		}
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("writing map %q: %w", m.Name, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("writing map %q: %w", m.Name, err)
	}
	// Remember exactly what was written, so the next scan sees no change
	// and Watch does not report our own write as an outside edit.
	s.files[file] = &fileState{
		size: info.Size(), mtime: info.ModTime(), readAt: time.Now(),
		hash: sha256.Sum256(data), name: m.Name,
	}
	s.setMap(m.Name, &entry{file: file, m: back})
	return nil
}

// normalize gives a map built by a caller (e.g. decoded from JSON) the form
// Parse produces, so what is stored equals what is read back.
func normalize(m *Map) {
	m.Links = slices.DeleteFunc(m.Links, func(l Link) bool { return l.Auto })
	if len(m.Devices) == 0 {
		m.Devices = nil
	}
	if len(m.Networks) == 0 {
		m.Networks = nil
	}
	if len(m.Links) == 0 {
		m.Links = nil
	}
	for i := range m.Devices {
		d := &m.Devices[i]
		if len(d.Params) == 0 {
			d.Params = nil
		}
		if d.SNMP != nil && *d.SNMP == (SNMPSettings{}) {
			d.SNMP = nil
		}
	}
	for i := range m.Networks {
		if len(m.Networks[i].CIDRs) == 0 {
			m.Networks[i].CIDRs = nil
		}
	}
}

// newFileName picks a file name for a new map from a slug of its name,
// adding "-2", "-3" … when a file of that name exists (even a broken one).
func (s *Store) newFileName(name string) string {
	base := slug(name)
	for i := 1; ; i++ {
		f := base + ".yaml"
		if i > 1 {
			f = base + "-" + strconv.Itoa(i) + ".yaml"
		}
		_, known := s.files[f]
		if _, err := os.Lstat(filepath.Join(s.dir, f)); !known && errors.Is(err, fs.ErrNotExist) {
			return f
		}
	}
}

// slug makes a portable file name from a map name: lower-case ASCII
// letters and digits, other runs replaced by one "-".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	if s := strings.Trim(b.String(), "-"); s != "" {
		return s
	}
	return "map"
}

// writeAtomic writes data to a temporary file in the same folder and
// renames it over path, so a reader (or a crash) sees the old file or the
// new one, never half of one. The temporary name starts with a dot and ends
// in .tmp, so scans ignore it.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; not every platform can sync a folder.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// rel is how files are named in errors and logs: relative to the settings
// folder, as the user knows them.
func rel(file string) string { return filepath.Join("maps", file) }
