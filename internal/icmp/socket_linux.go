package icmp

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
)

// openSocket opens one ICMP socket. We do not use icmp.ListenPacket because
// it offers no hook to size the receive buffer before packets arrive, and a
// burst of replies must not find the default 200 KiB buffer.
func openSocket(v6 bool, mode string, rcvbuf int) (net.PacketConn, error) {
	if mode == ModeRaw {
		network, address := "ip4:icmp", "0.0.0.0"
		if v6 {
			network, address = "ip6:ipv6-icmp", "::"
		}
		lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			if err := rc.Control(func(fd uintptr) { serr = setOptions(int(fd), rcvbuf) }); err != nil {
				return err
			}
			return serr
		}}
		c, err := lc.ListenPacket(context.Background(), network, address)
		if err != nil {
			return nil, fmt.Errorf("open raw %s socket: %w", network, err)
		}
		return c, nil
	}
	// Ping sockets are unknown to package net: create the descriptor
	// ourselves, as icmp.ListenPacket does, and hand it to net for polling.
	family, proto, sa := syscall.AF_INET, syscall.IPPROTO_ICMP, syscall.Sockaddr(&syscall.SockaddrInet4{})
	if v6 {
		family, proto, sa = syscall.AF_INET6, syscall.IPPROTO_ICMPV6, &syscall.SockaddrInet6{}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_DGRAM, proto)
	if err != nil {
		return nil, fmt.Errorf("open ping socket (family %d): %w", family, os.NewSyscallError("socket", err))
	}
	syscall.CloseOnExec(fd)
	if err := setOptions(fd, rcvbuf); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	// Binding to port 0 makes the kernel pick the ident it will stamp on
	// our echoes and use to route replies back to this socket.
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("bind ping socket: %w", os.NewSyscallError("bind", err))
	}
	f := os.NewFile(uintptr(fd), "icmp-ping-socket")
	defer f.Close() // FilePacketConn dups the descriptor
	c, err := net.FilePacketConn(f)
	if err != nil {
		return nil, fmt.Errorf("wrap ping socket: %w", err)
	}
	return c, nil
}

// setOptions prepares a new socket: its receive buffer, and no broadcast.
// Package net turns SO_BROADCAST on for every raw socket; we turn it off so
// that a device whose address is a broadcast address (a typo away from a
// real one) gets a "permission denied" instead of pinging a whole subnet.
func setOptions(fd, rcvbuf int) error {
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_BROADCAST, 0); err != nil {
		return fmt.Errorf("turn off broadcast: %w", os.NewSyscallError("setsockopt", err))
	}
	return setRcvbuf(fd, rcvbuf)
}

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
