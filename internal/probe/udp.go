package probe

// The UDP service probes (NTP, RADIUS, DHCP, TFTP, echo) share one
// exchange: send a request, wait for the reply that belongs to it, resend a
// bounded number of times. UDP gives no connection to fail, so silence is
// the usual failure and each probe explains it in its own terms.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// maxUDPReply bounds what is read per datagram.
const maxUDPReply = 64 << 10

// udpParams are the parameters every UDP probe has, after its own.
func udpParams(port int) []Param {
	ps := []Param{
		{Name: "port", Default: strconv.Itoa(port), Help: "UDP port of the service"},
		{Name: "attempts", Default: "3", Help: "requests sent before giving up, 1 to 10; the timeout is shared between them"},
	}
	return append(ps, commonParams()...)
}

// udpCommon are the parsed shared UDP parameters.
type udpCommon struct {
	common
	port     int
	attempts int
}

func parseUDPCommon(p map[string]string) (udpCommon, error) {
	var c udpCommon
	var err error
	if c.common, err = parseCommon(p); err != nil {
		return c, err
	}
	if c.port, err = parsePort(p["port"], 0); err != nil {
		return c, fmt.Errorf("parameter port: %w", err)
	}
	if c.attempts, err = parseInt(p["attempts"], 3, 1, 10); err != nil {
		return c, fmt.Errorf("parameter attempts: %w", err)
	}
	return c, nil
}

// udpExchange is one request/reply over UDP.
type udpExchange struct {
	// to is where the request goes.
	to netip.AddrPort
	// local, when valid, is the address the socket binds (DHCP relays
	// must send from and listen on port 67).
	local netip.AddrPort
	// anyPort accepts replies from any port of the peer's address (TFTP
	// answers from a fresh port); the socket is then unconnected, so an
	// ICMP "port unreachable" is not seen and silence is all there is.
	anyPort bool
	// request builds the datagram for each attempt (0-based).
	request func(attempt int) []byte
	// accept reports whether a datagram answers this request; others
	// (late replies to an earlier poll, strays) are ignored.
	accept   func(b []byte) bool
	attempts int
	window   time.Duration
}

// udpReply is the accepted reply.
type udpReply struct {
	data []byte
	from netip.AddrPort
	rtt  time.Duration // from the last send to the reply
	sent int           // requests sent
}

var (
	errUDPSilent  = errors.New("no reply")
	errUDPRefused = errors.New("port unreachable")
)

// run sends and waits. Each attempt waits window/attempts, so the whole
// exchange ends within the window.
func (x udpExchange) run(ctx context.Context) (udpReply, error) {
	ctx, cancel := context.WithTimeout(ctx, x.window)
	defer cancel()
	conn, err := x.open(ctx)
	if err != nil {
		return udpReply{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	per := x.window / time.Duration(max(x.attempts, 1))
	buf := make([]byte, maxUDPReply)
	for i := range max(x.attempts, 1) {
		req := x.request(i)
		start := time.Now()
		if x.anyPort {
			_, err = conn.(*net.UDPConn).WriteToUDPAddrPort(req, x.to)
		} else {
			_, err = conn.Write(req)
		}
		if err != nil {
			return udpReply{sent: i}, classifyUDP(ctx, fmt.Errorf("send to %s: %w", x.to, err))
		}
		_ = conn.SetReadDeadline(start.Add(per))
		// Bounded: a flood of unrelated datagrams cannot hold the loop
		// past the read deadline, and at most 64 are looked at.
		for range 64 {
			n, from, err := conn.(*net.UDPConn).ReadFromUDPAddrPort(buf)
			if err != nil {
				if isTimeout(err) && ctx.Err() == nil {
					break // next attempt
				}
				return udpReply{sent: i + 1}, classifyUDP(ctx, err)
			}
			if x.anyPort && from.Addr().Unmap() != x.to.Addr().Unmap() {
				continue
			}
			if x.accept == nil || x.accept(buf[:n]) {
				return udpReply{data: append([]byte(nil), buf[:n]...), from: from, rtt: time.Since(start), sent: i + 1}, nil
			}
		}
	}
	return udpReply{sent: max(x.attempts, 1)}, errUDPSilent
}

func (x udpExchange) open(ctx context.Context) (net.Conn, error) {
	var laddr *net.UDPAddr
	if x.local.IsValid() {
		laddr = net.UDPAddrFromAddrPort(x.local)
	}
	if x.anyPort {
		c, err := net.ListenUDP("udp", laddr)
		if err != nil {
			return nil, fmt.Errorf("open UDP socket: %w", err)
		}
		return c, nil
	}
	d := net.Dialer{}
	if laddr != nil {
		d.LocalAddr = laddr
	}
	c, err := d.DialContext(ctx, "udp", x.to.String())
	if err != nil {
		return nil, fmt.Errorf("open UDP socket to %s: %w", x.to, err)
	}
	return c, nil
}

// classifyUDP maps socket errors to the two failures probes explain.
func classifyUDP(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return errUDPRefused
	case isTimeout(err) && !cancelled(ctx):
		return errUDPSilent
	}
	return err
}

// udpTarget resolves the device address to one IP and port. Names are
// resolved by the system resolver, as the TCP probes do.
func udpTarget(ctx context.Context, address string, port int) (netip.AddrPort, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(address), "["), "]")
	if host == "" {
		return netip.AddrPort{}, errNoAddress
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("cannot resolve %q: %w", host, err)
	}
	return netip.AddrPortFrom(ips[0].Unmap(), uint16(port)), nil
}

// udpFailure turns an exchange error into a result; service names the
// protocol ("NTP") for the reason.
func udpFailure(ctx context.Context, err error, service string, to netip.AddrPort, sent int, window time.Duration, hint string) status.Result {
	switch {
	case cancelled(ctx):
		return cancelledResult()
	case errors.Is(err, errNoAddress):
		return failed(status.Unknown, false, errNoAddress.Error())
	case errors.Is(err, errUDPRefused):
		return failed(status.Down, true, fmt.Sprintf("%s port %d unreachable (ICMP port unreachable: nothing listens there)", service, to.Port()))
	case errors.Is(err, errUDPSilent):
		why := fmt.Sprintf("no %s reply on UDP port %d within %s (%d requests sent)", service, to.Port(), window, sent)
		if hint != "" {
			why += "; " + hint
		}
		return failed(status.Down, true, why)
	}
	return failed(status.Down, true, fmt.Sprintf("%s: %v", service, rootCause(err)))
}
