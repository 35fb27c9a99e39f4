package expr

import (
	"errors"
	"fmt"
)

// ErrUndefined is wrapped by the error Eval returns when the expression
// needs a variable that is not defined. InterMapper then does not evaluate
// the expression (03 §1, 01 §8): callers skip the rule or leave the
// CALCULATION variable unset rather than report a failure.
var ErrUndefined = errors.New("undefined variable")

// ErrDivideByZero is wrapped by the error Eval returns for x/0 and x%0.
var ErrDivideByZero = errors.New("division by zero")

// Error is a syntax or evaluation error at a column of the expression.
type Error struct {
	// Col is the 1-based byte column in the source given to Parse.
	Col int
	// Msg says what is wrong, e.g. `unexpected ")"`.
	Msg string
	// Var names the variable of an undefined-variable error.
	Var string
	// Err is the cause (ErrUndefined, ErrDivideByZero, or nil).
	Err error
}

// Error implements error: "col 14: unexpected \")\"".
func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.Col, e.Msg) }

// Unwrap returns the cause, so errors.Is(err, ErrUndefined) works.
func (e *Error) Unwrap() error { return e.Err }

// errAt builds an Error at a 0-based offset.
func errAt(off int, format string, args ...any) *Error {
	return &Error{Col: off + 1, Msg: fmt.Sprintf(format, args...)}
}
