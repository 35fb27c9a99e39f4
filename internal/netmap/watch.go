package netmap

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/folderpoll"
)

// racyWindow: a file whose mtime is this close to when it was read may
// have changed again within the same timestamp tick (1 s or 2 s on some
// filesystems), so it is hashed again rather than trusted by size and mtime.
const racyWindow = 2 * time.Second

// Load reads every *.yaml and *.yml file of the folder (hidden files are
// skipped) and returns the problems found, each a *FileError naming the
// file. A file that fails to load leaves the last good version of its map,
// if any, in place.
func (s *Store) Load() []error {
	_, errs := s.Reload()
	return errs
}

// Reload re-reads every file, as for SIGHUP, and returns the names of the
// maps that were added, changed or removed, and every current problem.
func (s *Store) Reload() (changed []string, errs []error) {
	return s.scan(true)
}

// Watch polls the folder every interval (2 s if every <= 0) until ctx is
// done, calling onChange with the maps added, changed or removed by edits
// made outside the store and with new problems. Each problem is reported
// once, when the file changes; the store's own writes are not reported.
// Watch blocks; run it in its own goroutine.
func (s *Store) Watch(ctx context.Context, every time.Duration, onChange func(changed []string, errs []error)) {
	folderpoll.Run(ctx, every, func() ([]string, []error) { return s.scan(false) }, onChange)
}

// scan brings the store up to date with the folder. Files whose size and
// mtime are unchanged (and not racy) are skipped unless force is set; a
// file read again with the same content changes nothing. Without force,
// only new problems are returned.
func (s *Store) scan(force bool) (changed []string, errs []error) {
	s.ioMu.Lock()
	defer s.ioMu.Unlock()
	dirents, err := os.ReadDir(s.dir)
	if err != nil {
		err = fmt.Errorf("reading map folder %s: %w", s.dir, err)
		s.log.Error("map folder unreadable", "error", err)
		return nil, []error{err}
	}
	report := func(file string, err error) {
		s.log.Warn("map file not loaded", "file", rel(file), "error", err)
		errs = append(errs, err)
	}
	present := map[string]bool{}
	for _, de := range dirents {
		file := de.Name()
		if de.IsDir() || strings.HasPrefix(file, ".") || !isMapFile(file) {
			continue
		}
		info, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir
		}
		present[file] = true
		st := s.files[file]
		if st != nil && !force && err == nil && st.size == info.Size() &&
			st.mtime.Equal(info.ModTime()) && info.ModTime().Before(st.readAt.Add(-racyWindow)) {
			continue
		}
		if !force && err == nil && info.Size() == 0 && time.Since(info.ModTime()) < time.Second {
			// Editors that save by truncate-then-write leave the file empty
			// for a moment: look again next round rather than report it.
			continue
		}
		now := time.Now()
		data, rerr := os.ReadFile(filepath.Join(s.dir, file))
		if err != nil || rerr != nil {
			ferr := &FileError{File: rel(file), Reason: fmt.Sprintf("cannot read: %v", errors.Join(err, rerr))}
			if st == nil {
				st = &fileState{}
				s.files[file] = st
			}
			if force || st.err == nil || st.err.Error() != ferr.Error() {
				report(file, ferr)
			}
			st.err, st.readAt = ferr, time.Time{}
			continue
		}
		hash := sha256.Sum256(data)
		if st == nil {
			st = &fileState{}
			s.files[file] = st
		} else if st.hash == hash && !st.readAt.IsZero() {
			st.size, st.mtime, st.readAt = info.Size(), info.ModTime(), now
			if force && st.err != nil {
				errs = append(errs, st.err) // unchanged, still broken
			}
			continue
		}
		st.size, st.mtime, st.readAt, st.hash = info.Size(), info.ModTime(), now, hash
		m, perr := Parse(rel(file), data)
		if perr != nil {
			st.err, st.pending = perr, nil
			report(file, perr)
			continue
		}
		wasBroken := st.err != nil
		st.err, st.pending = nil, nil
		if err := s.install(file, st, m, &changed); err != nil {
			report(file, err)
		} else if wasBroken {
			// Fixed, perhaps back to the last good version: still worth
			// an event, so that whoever showed the problem can clear it.
			changed = append(changed, m.Name)
		}
	}

	// Files that disappeared take their map with them.
	for _, file := range slices.Sorted(maps.Keys(s.files)) {
		if present[file] {
			continue
		}
		st := s.files[file]
		delete(s.files, file)
		if e := s.entry(st.name); st.name != "" && e != nil && e.file == file {
			s.setMap(st.name, nil)
			changed = append(changed, st.name)
			s.log.Info("map removed", "map", st.name, "file", rel(file))
		}
	}

	// A map kept out by a name clash gets in once the name is free.
	for _, file := range slices.Sorted(maps.Keys(s.files)) {
		st := s.files[file]
		if st.pending != nil && s.entry(st.pending.Name) == nil {
			m := st.pending
			st.err, st.pending = nil, nil
			_ = s.install(file, st, m, &changed) // the name is free: cannot clash
		}
	}
	slices.Sort(changed)
	return slices.Compact(changed), errs
}

// install makes m, just parsed from file, the current version of its map,
// unless another file already holds that name.
func (s *Store) install(file string, st *fileState, m *Map, changed *[]string) error {
	if e := s.entry(m.Name); e != nil && e.file != file {
		st.pending = m
		st.err = &FileError{File: rel(file), Reason: fmt.Sprintf("map name %q is already used by %s", m.Name, rel(e.file))}
		return st.err
	}
	if st.name != "" && st.name != m.Name {
		// The name key was edited: the map is renamed.
		s.setMap(st.name, nil)
		*changed = append(*changed, st.name)
	}
	old := s.entry(m.Name)
	s.setMap(m.Name, &entry{file: file, m: m})
	st.name = m.Name
	if old == nil || !reflect.DeepEqual(old.m, m) {
		*changed = append(*changed, m.Name)
		s.log.Info("map loaded", "map", m.Name, "file", rel(file),
			"devices", len(m.Devices), "networks", len(m.Networks))
	}
	return nil
}

func isMapFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}
