package icmp

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// openForTest opens an engine in mode, skipping when this host allows no
// ICMP sockets of that kind, and closes it at the end of the test.
func openForTest(tb testing.TB, mode string) *Engine {
	tb.Helper()
	if mode == ModeDgram {
		allowPingSockets(tb)
	}
	e, err := Open(Config{Mode: mode}, nil)
	if errors.Is(err, ErrPermission) {
		tb.Skipf("ICMP %s sockets not permitted here: %v", mode, err)
	}
	if err != nil {
		tb.Fatalf("open engine: %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

const pingGroupRange = "/proc/sys/net/ipv4/ping_group_range"

// allowPingSockets lets this process open unprivileged ping sockets for the
// rest of the test: when its group is outside net.ipv4.ping_group_range and
// we are root, it widens the range and restores it in t.Cleanup; otherwise
// the test is skipped.
func allowPingSockets(tb testing.TB) {
	tb.Helper()
	old, err := os.ReadFile(pingGroupRange)
	if err != nil {
		tb.Skipf("cannot read %s: %v", pingGroupRange, err)
	}
	if f := strings.Fields(string(old)); len(f) == 2 {
		lo, _ := strconv.Atoi(f[0])
		hi, _ := strconv.Atoi(f[1])
		if gid := os.Getgid(); lo <= gid && gid <= hi {
			return
		}
	}
	if os.Geteuid() != 0 {
		tb.Skipf("ping sockets not allowed (%s = %q) and not root to allow them", pingGroupRange, strings.TrimSpace(string(old)))
	}
	if err := os.WriteFile(pingGroupRange, []byte("0 2147483647"), 0o644); err != nil {
		tb.Skipf("cannot allow ping sockets: %v", err)
	}
	tb.Cleanup(func() {
		if err := os.WriteFile(pingGroupRange, old, 0o644); err != nil {
			tb.Errorf("restore %s to %q: %v", pingGroupRange, old, err)
		}
	})
}
