package icmp

import (
	"errors"
	"fmt"
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
