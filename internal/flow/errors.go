package flow

import "errors"

// Errors the decoders wrap, so callers and tests can tell a broken
// datagram from one we merely do not understand.
var (
	// ErrMalformed is a datagram whose lengths or counts do not fit.
	ErrMalformed = errors.New("malformed datagram")
	// ErrVersion is a datagram of no export format we know.
	ErrVersion = errors.New("unknown export format")
)
