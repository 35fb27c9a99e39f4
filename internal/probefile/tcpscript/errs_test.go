package tcpscript

import (
	"errors"
	"io"
)

var (
	errEOF        = io.EOF
	errClosedPipe = errors.New("closed")
)
