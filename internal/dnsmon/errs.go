package dnsmon

import "errors"

// errAs is errors.As returning the target.
func errAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
