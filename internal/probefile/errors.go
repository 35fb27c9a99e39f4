package probefile

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// maxReasons caps the problems reported for one file: past a few dozen a
// list helps nobody, and a fuzzer could make it huge.
const maxReasons = 20

// FileError is one problem in a probe file: the file, the line (0 when the
// problem is about the whole file) and the reason. Parse returns one
// FileError or several joined with errors.Join; errors.As finds the first
// and FileErrors lists them all. File.Warnings holds FileErrors too.
type FileError struct {
	File   string
	Line   int
	Reason string
	// Err is the underlying error, when there is one (a file that cannot
	// be read); Reason already says what it is.
	Err error
}

// Unwrap returns the underlying error, if any.
func (e *FileError) Unwrap() error { return e.Err }

// Error formats the problem as "file:line: reason", leaving out what is
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

// problems collects the errors and warnings found while parsing one file.
type problems struct {
	file     string
	errs     []*FileError
	warnings []*FileError
}

// errorf records an error at line (0: the whole file).
func (p *problems) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &FileError{File: p.file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// warnf records a warning: something InterMapper accepts that is probably
// a mistake, or that Vantage ignores.
func (p *problems) warnf(line int, format string, args ...any) {
	p.warnings = append(p.warnings, &FileError{File: p.file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// err sorts the errors by line, caps their number and joins them; nil when
// there are none.
func (p *problems) err() error {
	errs := sortCap(p.file, p.errs, "errors")
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// sortedWarnings returns the warnings sorted by line and capped.
func (p *problems) sortedWarnings() []*FileError {
	return sortCap(p.file, p.warnings, "warnings")
}

func sortCap(file string, list []*FileError, what string) []*FileError {
	if len(list) == 0 {
		return nil
	}
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b *FileError) int { return cmp.Compare(a.Line, b.Line) })
	if len(list) > maxReasons {
		extra := len(list) - maxReasons
		list = append(list[:maxReasons], &FileError{File: file, Reason: fmt.Sprintf("… and %d more %s", extra, what)})
	}
	return list
}
