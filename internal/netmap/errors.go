package netmap

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
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

// FileError is one problem in a map file (or, with File empty, in a map
// being validated): the file, the line (0 when unknown) and the reason.
// Parse and Validate return one FileError or several joined with
// errors.Join; errors.As finds the first.
type FileError struct {
	File   string
	Line   int
	Reason string
}

// Error formats the error as "file:line: reason", leaving out what is
// unknown.
func (e *FileError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	case e.File != "":
		return e.File + ": " + e.Reason
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

// FileErrors returns every *FileError in err's tree, in order.
func FileErrors(err error) []*FileError {
	var out []*FileError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*FileError); ok {
			out = append(out, fe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			if e := u.Unwrap(); e != nil {
				walk(e)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

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
