//go:build !linux

package trap

import "net"

// forceReadBuffer does nothing where SO_RCVBUFFORCE does not exist.
func forceReadBuffer(*net.UDPConn, int) error { return nil }

// kernelDrops is unknown where /proc/net/udp does not exist.
func kernelDrops(*net.UDPConn) (uint64, bool) { return 0, false }
