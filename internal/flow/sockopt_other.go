//go:build !linux

package flow

import (
	"net"
	"syscall"
)

func reusePort(network, address string, rc syscall.RawConn) error { return nil }

func setReadBuffer(c *net.UDPConn, n int) error {
	if n == 0 {
		return nil
	}
	return c.SetReadBuffer(n)
}

func readBufferSize(c *net.UDPConn) int { return 0 }

func kernelDrops(c *net.UDPConn) (uint64, bool) { return 0, false }
