package trap

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// forceReadBuffer sets SO_RCVBUFFORCE, which root (CAP_NET_ADMIN) may set
// past net.core.rmem_max.
func forceReadBuffer(c *net.UDPConn, n int) error {
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

// kernelDrops is how many datagrams the kernel dropped on c's socket
// because its receive buffer was full: the drops column of /proc/net/udp
// (or udp6) on the socket's inode.
func kernelDrops(c *net.UDPConn) (uint64, bool) {
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
