//go:build linux

package udpsock

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ReusePort lets several sockets bind one UDP port, the kernel spreading
// senders across them (a net.ListenConfig Control function).
func ReusePort(network, address string, rc syscall.RawConn) error {
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
	}); err != nil {
		return err
	}
	return serr
}

// SetReadBuffer asks for n bytes of receive buffer and, when the kernel
// caps it at net.core.rmem_max, forces it where privilege (CAP_NET_ADMIN)
// allows. Zero leaves the system default.
func SetReadBuffer(c *net.UDPConn, n int) error {
	if n == 0 {
		return nil
	}
	if err := c.SetReadBuffer(n); err != nil {
		return err
	}
	if ReadBufferSize(c) >= 2*n { // Linux doubles what it grants
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n)
	}); err != nil {
		return err
	}
	return serr
}

// ReadBufferSize is the receive buffer the kernel granted (Linux reports
// twice the size asked, counting its bookkeeping).
func ReadBufferSize(c *net.UDPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	size := 0
	rc.Control(func(fd uintptr) {
		size, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	})
	return size
}

// KernelDrops is how many datagrams the kernel dropped on c's socket
// because its receive buffer was full: the drops column of /proc/net/udp
// (or udp6) on the socket's inode.
func KernelDrops(c *net.UDPConn) (uint64, bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var ino uint64
	if err := rc.Control(func(fd uintptr) {
		var st syscall.Stat_t
		if syscall.Fstat(int(fd), &st) == nil {
			ino = st.Ino
		}
	}); err != nil || ino == 0 {
		return 0, false
	}
	want := strconv.FormatUint(ino, 10)
	for _, table := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) >= 13 && f[9] == want {
				n, err := strconv.ParseUint(f[len(f)-1], 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}
