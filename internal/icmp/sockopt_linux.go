package icmp

import (
	"fmt"
	"os"
	"syscall"
)

// setRcvbuf sizes the receive buffer. SO_RCVBUFFORCE ignores
// net.core.rmem_max but needs CAP_NET_ADMIN; without it we fall back to
// SO_RCVBUF, which the kernel silently caps at rmem_max.
func setRcvbuf(fd, n int) error {
	if n <= 0 {
		return nil
	}
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n) == nil {
		return nil
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, n); err != nil {
		return fmt.Errorf("set receive buffer to %d bytes: %w", n, os.NewSyscallError("setsockopt", err))
	}
	return nil
}
