package probefile

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/folderpoll"
)

// maxFileSize bounds a probe file: the largest real ones are tens of KB.
const maxFileSize = 4 << 20

// racyWindow: a file whose mtime is this close to when it was read may
// have changed again within the same timestamp tick, so it is hashed again
// rather than trusted by size and mtime (as in netmap).
const racyWindow = 2 * time.Second

// Catalogue is the set of probes a server knows: the built-in probe files
// embedded in the binary and the user's files in the probes folder. When
// two files declare the same identifier, the higher header version wins,
// then the newer file (embedded files have no date, so a user's copy of
// the same version wins), and the other is logged as superseded. A broken
// file is reported with its line and reason and the others load; a file
// that breaks after loading keeps its last good version in the catalogue.
//
// The methods are safe for concurrent use. The *File values it hands out
// are shared and must be treated as read-only; a reload replaces them.
type Catalogue struct {
	builtin fs.FS
	dir     string
	log     *slog.Logger

	scanMu      sync.Mutex         // one scan at a time
	sources     map[string]*source // by display path; guarded by scanMu
	builtinRead bool               // the built-ins have been read
	losers      map[string]string  // superseded path → winner path

	mu       sync.RWMutex
	byID     map[string]*File // lower-case ID → winning file
	problems []error
}

// source is one probe file and what the catalogue knows of it.
type source struct {
	path    string // "builtin:NAME" or "<dir base>/NAME"
	builtin bool
	size    int64
	mtime   time.Time
	readAt  time.Time
	hash    [sha256.Size]byte
	file    *File // last good version
	err     error // current problem
}

// NewCatalogue returns an empty catalogue of the probe files at the top of
// builtin (may be nil) and in dir (the settings folder's probes/; may be ""
// or missing). It reads nothing until Load.
func NewCatalogue(builtin fs.FS, dir string, logger *slog.Logger) *Catalogue {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Catalogue{
		builtin: builtin, dir: dir, log: logger,
		sources: map[string]*source{}, losers: map[string]string{}, byID: map[string]*File{},
	}
}

// Load reads every probe file and returns the problems found, each a
// *FileError (or several joined) naming the file and line.
func (c *Catalogue) Load() []error {
	_, errs := c.Reload()
	return errs
}

// Reload re-reads the probes folder, as the "Reload probes" command does,
// and returns the identifiers whose probe was added, changed or removed,
// and every current problem.
func (c *Catalogue) Reload() (changed []string, errs []error) {
	return c.scan(true)
}

// Watch polls the probes folder every interval (2 s if every <= 0) until
// ctx is done, calling onChange with the identifiers added, changed or
// removed and with the problems of files that changed (each reported once).
// Watch blocks; run it in its own goroutine.
func (c *Catalogue) Watch(ctx context.Context, every time.Duration, onChange func(changed []string, errs []error)) {
	folderpoll.Run(ctx, every, func() ([]string, []error) { return c.scan(false) }, onChange)
}

// Files returns the probe of each identifier, sorted by identifier.
func (c *Catalogue) Files() []*File {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := slices.Collect(maps.Values(c.byID))
	slices.SortFunc(out, func(a, b *File) int { return cmp.Compare(strings.ToLower(a.ID()), strings.ToLower(b.ID())) })
	return out
}

// Get returns the probe with identifier id (case-insensitive).
func (c *Catalogue) Get(id string) (*File, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	f, ok := c.byID[strings.ToLower(id)]
	return f, ok
}

// Problems returns the current problem of every broken file, by path.
func (c *Catalogue) Problems() []error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.problems)
}

// scan brings the catalogue up to date. Without force, files whose size
// and mtime are unchanged (and not racy) are skipped and only the problems
// of changed files are returned; a file read again with the same content
// changes nothing.
func (c *Catalogue) scan(force bool) (changed []string, errs []error) {
	c.scanMu.Lock()
	defer c.scanMu.Unlock()
	present := map[string]bool{}
	if c.builtin != nil {
		errs = append(errs, c.scanBuiltin(force, present)...)
	}
	if c.dir != "" {
		errs = append(errs, c.scanDir(force, present)...)
	}
	for p, st := range c.sources {
		if !present[p] {
			delete(c.sources, p)
			c.log.Info("probe file removed", "file", p, "had", fileID(st.file))
		}
	}
	return c.resolve(), errs
}

func fileID(f *File) string {
	if f == nil {
		return ""
	}
	return f.ID()
}

// scanBuiltin reads the embedded files once; later forced scans report
// their problems again.
func (c *Catalogue) scanBuiltin(force bool, present map[string]bool) (errs []error) {
	if c.builtinRead {
		for p, st := range c.sources {
			if st.builtin {
				present[p] = true
				if force && st.err != nil {
					errs = append(errs, st.err)
				}
			}
		}
		return errs
	}
	c.builtinRead = true
	entries, err := fs.ReadDir(c.builtin, ".")
	if err != nil {
		err = fmt.Errorf("reading built-in probes: %w", err)
		c.log.Error("built-in probes unreadable", "error", err)
		return []error{err}
	}
	for _, de := range entries {
		if de.IsDir() || skipName(de.Name()) {
			continue
		}
		p := "builtin:" + de.Name()
		present[p] = true
		st := &source{path: p, builtin: true}
		c.sources[p] = st
		data, err := fs.ReadFile(c.builtin, de.Name())
		if err != nil {
			st.err = &FileError{File: p, Reason: "cannot read: " + err.Error(), Err: err}
			errs = append(errs, st.err)
			continue
		}
		if info, err := de.Info(); err == nil {
			st.mtime = info.ModTime()
		}
		if err := c.parse(st, data); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// scanDir reads the probes folder's new and changed files.
func (c *Catalogue) scanDir(force bool, present map[string]bool) (errs []error) {
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no user probes
	}
	base := filepath.Base(c.dir)
	if err != nil {
		err = fmt.Errorf("reading probe folder %s: %w", c.dir, err)
		c.log.Error("probe folder unreadable", "error", err)
		for p, st := range c.sources { // keep what we have
			present[p] = present[p] || !st.builtin
		}
		return []error{err}
	}
	for _, de := range entries {
		name := de.Name()
		if de.IsDir() || skipName(name) {
			continue
		}
		info, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir
		}
		p := path.Join(base, name)
		present[p] = true
		st := c.sources[p]
		if st != nil && !force && err == nil && st.size == info.Size() &&
			st.mtime.Equal(info.ModTime()) && info.ModTime().Before(st.readAt.Add(-racyWindow)) {
			continue
		}
		if !force && err == nil && info.Size() == 0 && time.Since(info.ModTime()) < time.Second {
			continue // an editor's truncate-then-write: look again next round
		}
		if st == nil {
			st = &source{path: p}
			c.sources[p] = st
		}
		now := time.Now()
		var data []byte
		if err == nil && info.Size() > maxFileSize {
			err = fmt.Errorf("file is larger than %d MiB", maxFileSize>>20)
		} else if err == nil {
			data, err = os.ReadFile(filepath.Join(c.dir, name))
		}
		if err != nil {
			ferr := &FileError{File: p, Reason: "cannot read: " + err.Error(), Err: err}
			if force || st.err == nil || st.err.Error() != ferr.Error() {
				c.log.Warn("probe file not loaded", "file", p, "error", ferr)
				errs = append(errs, ferr)
			}
			st.err, st.readAt = ferr, time.Time{}
			continue
		}
		hash := sha256.Sum256(data)
		if st.hash == hash && !st.readAt.IsZero() {
			st.size, st.mtime, st.readAt = info.Size(), info.ModTime(), now
			if force && st.err != nil {
				errs = append(errs, st.err) // unchanged, still broken
			}
			continue
		}
		st.size, st.mtime, st.readAt, st.hash = info.Size(), info.ModTime(), now, hash
		if err := c.parse(st, data); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// parse parses st's content and records the result; a broken file keeps
// its last good version.
func (c *Catalogue) parse(st *source, data []byte) error {
	f, err := Parse(st.path, data)
	for _, w := range f.Warnings {
		c.log.Warn("probe file warning", "file", st.path, "warning", w.Error())
	}
	if err != nil {
		st.err = err
		c.log.Warn("probe file not loaded", "file", st.path, "error", err)
		return err
	}
	f.Builtin, f.ModTime = st.builtin, st.mtime
	st.file, st.err = f, nil
	return nil
}

// IsProbeFileName reports whether a file in a probes folder is read as a
// probe file: any name but hidden files and editors' backups ("~", .bak,
// .orig, .swp, .tmp).
func IsProbeFileName(name string) bool { return !skipName(name) }

func skipName(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".bak", ".orig", ".swp", ".tmp":
		return true
	}
	return false
}

// better reports whether a should win over b for the same identifier:
// higher version, then newer file, then a user's file over a built-in one,
// then the first path by name (so that the choice is stable).
func better(a, b *source) bool {
	if c := CompareVersions(a.file.Header.Version, b.file.Header.Version); c != 0 {
		return c > 0
	}
	if !a.mtime.Equal(b.mtime) {
		return a.mtime.After(b.mtime)
	}
	if a.builtin != b.builtin {
		return !a.builtin
	}
	return a.path < b.path
}

// resolve picks the winner of each identifier, installs the result and
// returns the identifiers whose probe changed.
func (c *Catalogue) resolve() []string {
	cands := map[string][]*source{}
	var problems []error
	for _, st := range c.sources {
		if st.err != nil {
			problems = append(problems, st.err)
		}
		if st.file != nil {
			id := strings.ToLower(st.file.ID())
			cands[id] = append(cands[id], st)
		}
	}
	byID := make(map[string]*File, len(cands))
	losers := map[string]string{}
	for id, list := range cands {
		slices.SortFunc(list, func(a, b *source) int {
			if better(a, b) {
				return -1
			}
			if better(b, a) {
				return 1
			}
			return 0
		})
		win := list[0]
		byID[id] = win.file
		for _, l := range list[1:] {
			losers[l.path] = win.path
			if c.losers[l.path] != win.path {
				c.log.Info("probe file superseded", "id", win.file.ID(), "file", l.path,
					"version", l.file.Header.Version, "by", win.path, "by_version", win.file.Header.Version)
			}
		}
	}
	c.losers = losers
	slices.SortFunc(problems, func(a, b error) int { return cmp.Compare(a.Error(), b.Error()) })

	c.mu.Lock()
	defer c.mu.Unlock()
	var changed []string
	for id, f := range byID {
		if old := c.byID[id]; old != f {
			changed = append(changed, f.ID())
			if !f.Builtin {
				c.log.Info("probe loaded", "id", f.ID(), "file", f.Path, "version", f.Header.Version)
			}
		}
	}
	for id, old := range c.byID {
		if _, ok := byID[id]; !ok {
			changed = append(changed, old.ID())
			c.log.Info("probe removed", "id", old.ID())
		}
	}
	c.byID, c.problems = byID, problems
	slices.Sort(changed)
	return slices.Compact(changed)
}
