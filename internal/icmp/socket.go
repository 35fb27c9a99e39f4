package icmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrPermission means neither raw nor ping sockets may be opened; its
	// message tells the administrator how to allow one of them.
	ErrPermission = errors.New("no permission to open ICMP sockets")
	// ErrClosed is returned by Ping once the engine is closed.
	ErrClosed = errors.New("icmp engine closed")
	// ErrFamilyUnavailable is returned by Ping for an address family whose
	// socket could not be opened (typically IPv6 disabled on the host).
	ErrFamilyUnavailable = errors.New("address family unavailable")
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
			return controlRcvbuf(rc, rcvbuf)
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
	if err := setRcvbuf(fd, rcvbuf); err != nil {
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

func controlRcvbuf(rc syscall.RawConn, n int) error {
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = setRcvbuf(int(fd), n) }); err != nil {
		return err
	}
	return serr
}

// isPermission reports whether err means "not allowed" rather than
// "not supported": EPERM for raw sockets without CAP_NET_RAW, EACCES for
// ping sockets outside net.ipv4.ping_group_range.
func isPermission(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES)
}

// permissionError builds the error Open returns when the mode it tried is
// not allowed, telling the administrator exactly what to do. rawErr and
// dgramErr are the failures of each kind of socket tried (nil when that kind
// was not tried). groupRange is the content of
// /proc/sys/net/ipv4/ping_group_range, or "" when unreadable.
func permissionError(rawErr, dgramErr error, gid int, groupRange, exe string) error {
	var fixes []string
	if rawErr != nil {
		fixes = append(fixes, fmt.Sprintf(
			"raw ICMP sockets need CAP_NET_RAW (%v): run vantage as root, or grant the capability with `setcap cap_net_raw+ep %s`",
			rawErr, exe))
	}
	if dgramErr != nil {
		cur := ""
		if groupRange != "" {
			cur = fmt.Sprintf(", currently %q", strings.Join(strings.Fields(groupRange), " "))
		}
		fixes = append(fixes, fmt.Sprintf(
			"unprivileged ping sockets are not allowed for group %d (%v; net.ipv4.ping_group_range%s): allow them with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` (persist it in /etc/sysctl.d/)",
			gid, dgramErr, cur))
	}
	return fmt.Errorf("%w: %s", ErrPermission, strings.Join(fixes, "; "))
}

// newPermissionError fills permissionError's context from the running
// process and the host.
func newPermissionError(rawErr, dgramErr error) error {
	exe, err := os.Executable()
	if err != nil {
		exe = "/path/to/vantage"
	}
	rng, _ := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	return permissionError(rawErr, dgramErr, os.Getgid(), strings.TrimSpace(string(rng)), exe)
}
