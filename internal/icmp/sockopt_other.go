//go:build !linux

package icmp

import (
	"fmt"
	"os"
	"syscall"
)

// setRcvbuf sizes the receive buffer; only Linux can force it past the
// system limit.
func setRcvbuf(fd, n int) error {
	if n <= 0 {
		return nil
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, n); err != nil {
		return fmt.Errorf("set receive buffer to %d bytes: %w", n, os.NewSyscallError("setsockopt", err))
	}
	return nil
}
