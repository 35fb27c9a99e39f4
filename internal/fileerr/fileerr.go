// Package fileerr is the "file:line: reason" error that every reader of a
// hand-edited file (map files, probe files) reports, and the helper that
// finds all of them in a joined error.
package fileerr

import "fmt"

// Error is one problem in a file: the file, the line (0 when unknown, or
// when the problem is about the whole file) and the reason.
type Error struct {
	File   string
	Line   int
	Reason string
	// Err is the underlying error, when there is one (a file that cannot
	// be read); Reason already says what it is.
	Err error
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Error formats the problem as "file:line: reason", leaving out what is
// unknown.
func (e *Error) Error() string {
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

// All returns every *Error in err's tree, in order.
func All(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*Error); ok {
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
