package discover

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// nodeStatus asks addr for its NetBIOS names (UDP 137, unicast), sending
// the request up to twice. The socket comes from d, so in a scan the
// guard sees the destination first.
func nodeStatus(ctx context.Context, d Dialer, addr netip.Addr, timeout time.Duration) (NodeStatus, error) {
	conn, err := d.DialContext(ctx, "udp4", netip.AddrPortFrom(addr, NetBIOSPort).String())
	if err != nil {
		return NodeStatus{}, fmt.Errorf("NetBIOS node status of %s: %w", addr, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	id := uint16(rand.Uint32())
	req := NodeStatusRequest(id)
	buf := make([]byte, 1500)
	for range 2 {
		if _, err := conn.Write(req); err != nil {
			return NodeStatus{}, fmt.Errorf("NetBIOS node status of %s: %w", addr, err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(timeout))
		for {
			n, err := conn.Read(buf)
			if err != nil {
				if ctx.Err() != nil {
					return NodeStatus{}, fmt.Errorf("NetBIOS node status of %s: %w", addr, ctx.Err())
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break // send again, or give up
				}
				return NodeStatus{}, fmt.Errorf("NetBIOS node status of %s: %w", addr, err)
			}
			if s, err := ParseNodeStatus(buf[:n], id); err == nil {
				return s, nil
			}
			// Not our answer: keep reading until the deadline.
		}
	}
	return NodeStatus{}, fmt.Errorf("NetBIOS node status of %s: no answer", addr)
}

// ErrNoNetBIOSName means no host on the local networks claimed the name.
var ErrNoNetBIOSName = errors.New("no host answered for the NetBIOS name")

// ResolveNetBIOS finds the address of a NetBIOS name by broadcast on the
// given local networks, as InterMapper resolves a device added as \NAME:
// no WINS server and no DNS, so only hosts on the server's own LANs can be
// found. lans are the server's interface prefixes (LocalPrefixes); only
// IPv4 prefixes of /30 or shorter have a broadcast address, and only those
// directed broadcasts are sent to (never 255.255.255.255, which would
// leave on every interface). name may carry the leading backslashes.
func ResolveNetBIOS(ctx context.Context, name string, lans []netip.Prefix, timeout time.Duration) (netip.Addr, error) {
	name = strings.TrimLeft(name, `\`)
	id := uint16(rand.Uint32())
	req, err := NameQueryRequest(id, name)
	if err != nil {
		return netip.Addr{}, err
	}
	var dsts []netip.AddrPort
	for _, p := range lans {
		if p.Addr().Is4() && !p.Addr().IsLoopback() && p.Bits() <= 30 && p.Bits() > 0 {
			dsts = append(dsts, netip.AddrPortFrom(lastAddr(p), NetBIOSPort))
		}
	}
	if len(dsts) == 0 {
		return netip.Addr{}, fmt.Errorf("NetBIOS name %s: no local IPv4 network to broadcast on", name)
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(ctx, "udp4", ":0")
	if err != nil {
		return netip.Addr{}, fmt.Errorf("NetBIOS name %s: %w", name, err)
	}
	defer pc.Close()
	conn := pc.(*net.UDPConn)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 1500)
	for range 2 {
		for _, d := range dsts {
			if _, err := conn.WriteToUDPAddrPort(req, d); err != nil {
				return netip.Addr{}, fmt.Errorf("NetBIOS name %s: broadcast to %s: %w", name, d, err)
			}
		}
		_ = conn.SetReadDeadline(time.Now().Add(timeout))
		for {
			n, _, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				if ctx.Err() != nil {
					return netip.Addr{}, fmt.Errorf("NetBIOS name %s: %w", name, ctx.Err())
				}
				break
			}
			if addrs, err := ParseNameQueryResponse(buf[:n], id); err == nil {
				return addrs[0], nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("NetBIOS name %s: %w", name, ErrNoNetBIOSName)
}

// LocalPrefixes are the host's interface prefixes (up interfaces only):
// the "local LAN" on which NetBIOS is asked.
func LocalPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range LocalFacts().Addrs {
		if !p.Addr().IsLoopback() {
			out = append(out, p)
		}
	}
	return out
}
