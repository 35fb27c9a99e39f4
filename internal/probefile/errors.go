package probefile

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/vantage-monitor/vantage/internal/fileerr"
)

// maxReasons caps the problems reported for one file: past a few dozen a
// list helps nobody, and a fuzzer could make it huge.
const maxReasons = 20

// FileError is one problem in a file: "file:line: reason".
type FileError = fileerr.Error

// FileErrors returns every *FileError in err's tree, in order.
func FileErrors(err error) []*FileError { return fileerr.All(err) }

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
