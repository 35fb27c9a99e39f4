//go:build !linux

package icmp

import (
	"errors"
	"net"
)

// openSocket: the engine relies on Linux's ping sockets, recvmmsg and
// socket options; elsewhere Open fails with this error.
func openSocket(v6 bool, mode string, rcvbuf int) (net.PacketConn, error) {
	return nil, errors.New("the ICMP engine runs on Linux only")
}
