//go:build !linux

package udpsock

import (
	"net"
	"syscall"
)

// ReusePort does nothing where SO_REUSEPORT is not used.
func ReusePort(network, address string, rc syscall.RawConn) error { return nil }

// SetReadBuffer asks for n bytes of receive buffer.
func SetReadBuffer(c *net.UDPConn, n int) error {
	if n == 0 {
		return nil
	}
	return c.SetReadBuffer(n)
}

// ReadBufferSize is unknown here.
func ReadBufferSize(c *net.UDPConn) int { return 0 }

// KernelDrops is unknown where /proc/net/udp does not exist.
func KernelDrops(c *net.UDPConn) (uint64, bool) { return 0, false }
