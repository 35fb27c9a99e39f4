package netmap

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/vantage-monitor/vantage/internal/fileerr"
)

// Sentinel errors of the store's CRUD operations; test with errors.Is.
var (
	// ErrNotFound: the map, device, network or link does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: the name or link already exists.
	ErrDuplicate = errors.New("already exists")
	// ErrModifiedOnDisk: the map file changed on disk since the store last
	// read it; the store refuses to overwrite an edit it has not seen.
	ErrModifiedOnDisk = errors.New("map file modified on disk since it was loaded; reload first")
)

// maxReasons caps the errors reported for one file: past a few dozen, a
// list helps nobody and a fuzzer could make it huge.
const maxReasons = 20

// FileError is one problem in a file: "file:line: reason".
type FileError = fileerr.Error

// FileErrors returns every *FileError in err's tree, in order.
func FileErrors(err error) []*FileError { return fileerr.All(err) }

// joinFileErrors sorts errs by line (stable, so equal lines keep their
// order), sets the file name, caps the count and joins them.
func joinFileErrors(file string, errs []*FileError) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *FileError) int { return cmp.Compare(a.Line, b.Line) })
	extra := 0
	if len(errs) > maxReasons {
		extra = len(errs) - maxReasons
		errs = errs[:maxReasons]
	}
	out := make([]error, 0, len(errs)+1)
	for _, e := range errs {
		e.File = file
		out = append(out, e)
	}
	if extra > 0 {
		out = append(out, &FileError{File: file, Reason: fmt.Sprintf("… and %d more errors", extra)})
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}
