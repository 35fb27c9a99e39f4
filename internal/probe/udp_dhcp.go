package probe

// The DHCP probe (com.dartware.dhcp). It never broadcasts and never needs
// the client port 68: it acts as a relay agent, as InterMapper's probe
// does, putting this server's address in giaddr and sending by unicast
// either to the DHCP server (the device) or to a relay (a router's
// ip helper-address, which forwards it on). RFC 2131 §4.1 then has the
// server answer by unicast to giaddr on port 67, so the probe listens on
// that port of that address: it needs root or CAP_NET_BIND_SERVICE, and
// no DHCP server or relay on this machine bound to port 67. The server
// picks the address pool by giaddr, so it must have a range (or a relay
// subnet declaration) for this server's subnet.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"

	"github.com/vantage-monitor/vantage/internal/status"
)

func dhcpParams() []Param {
	ps := append([]Param{
		{Name: "relay", Aliases: []string{"BOOTP Relay Address"}, Help: "send to this relay agent (a router's DHCP helper) instead of the device itself"},
		{Name: "message_type", Aliases: []string{"DHCP Message Type"}, Default: "DHCPDISCOVER", Kind: "dropdown", Choices: []string{"DHCPDISCOVER", "DHCPINFORM"},
			Help: "DHCPDISCOVER asks for an offer (nothing is leased until a request, which is never sent); DHCPINFORM asks only for settings"},
		{Name: "client_id", Aliases: []string{"DHCP Client ID"}, Help: "client identifier option sent, so the server's log shows who asked; empty sends none"},
		{Name: "subnet_mask", Aliases: []string{"DHCP Subnet Mask"}, Help: "Alarm unless the reply carries this subnet mask; empty accepts any"},
		{Name: "router", Aliases: []string{"DHCP Router Address"}, Help: "Alarm unless the reply names this router; empty accepts any"},
		{Name: "giaddr", Help: "relay agent address put in the request and listened on; empty uses this server's address towards the destination"},
		{Name: "hwaddr", Help: "client hardware address sent; empty uses a locally administered one derived from the device address"},
		{Name: "local_port", Default: "67", Help: "port the answer comes back to (67, the BOOTP server port, for a relay agent)"},
	}, udpParams(67)...)
	return ps
}

// DHCPInfo describes the DHCP probe.
func DHCPInfo() Info {
	return Info{ID: "com.dartware.dhcp", Name: "DHCP", Aliases: []string{"dhcp"}, Params: dhcpParams(),
		New: func() Probe { return dhcpProbe{} }}
}

type dhcpConfig struct {
	udpCommon
	relay     string
	msgType   int
	clientID  string
	mask      netip.Addr
	router    netip.Addr
	giaddr    netip.Addr
	hwaddr    net.HardwareAddr
	localPort int
}

func parseDHCPConfig(params map[string]string) (dhcpConfig, error) {
	p := resolveParams(dhcpParams(), params)
	var c dhcpConfig
	var err error
	if c.udpCommon, err = parseUDPCommon(p); err != nil {
		return c, err
	}
	if c.localPort, err = parsePort(p["local_port"], 67); err != nil {
		return c, fmt.Errorf("parameter local_port: %w", err)
	}
	c.relay, c.clientID = strings.TrimSpace(p["relay"]), p["client_id"]
	switch strings.ToUpper(strings.TrimSpace(p["message_type"])) {
	case "", "DHCPDISCOVER", "DISCOVER":
		c.msgType = dhcpDiscover
	case "DHCPINFORM", "INFORM":
		c.msgType = dhcpInform
	default:
		return c, fmt.Errorf("parameter message_type: %q is neither DHCPDISCOVER nor DHCPINFORM", p["message_type"])
	}
	for _, a := range []struct {
		name string
		dst  *netip.Addr
	}{{"subnet_mask", &c.mask}, {"router", &c.router}, {"giaddr", &c.giaddr}} {
		if s := strings.TrimSpace(p[a.name]); s != "" {
			if *a.dst, err = netip.ParseAddr(s); err != nil || !a.dst.Is4() {
				return c, fmt.Errorf("parameter %s: %q is not an IPv4 address", a.name, s)
			}
		}
	}
	if s := strings.TrimSpace(p["hwaddr"]); s != "" {
		if c.hwaddr, err = net.ParseMAC(s); err != nil || len(c.hwaddr) != 6 {
			return c, fmt.Errorf("parameter hwaddr: %q is not an Ethernet address", s)
		}
	}
	return c, nil
}

type dhcpProbe struct{}

func (dhcpProbe) CheckParams(params map[string]string) error {
	_, err := parseDHCPConfig(params)
	return err
}

func (dhcpProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseDHCPConfig(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	dest := t.Address
	if c.relay != "" {
		dest = c.relay
	}
	to, err := udpTarget(ctx, dest, c.port)
	if err != nil {
		return udpFailure(ctx, err, "DHCP", to, 0, window, "")
	}
	if !to.Addr().Is4() {
		return failed(status.Unknown, false, fmt.Sprintf("DHCP is IPv4 only; %s is not an IPv4 address", to.Addr()))
	}
	giaddr := c.giaddr
	if !giaddr.IsValid() {
		if giaddr, err = localAddrFor(ctx, to); err != nil || !giaddr.Is4() {
			return failed(status.Unknown, false, fmt.Sprintf("no local IPv4 address towards %s to use as giaddr", to.Addr()))
		}
	}
	req := dhcpRequest{msgType: c.msgType, giaddr: giaddr, chaddr: dhcpHWAddr(c.hwaddr, t.Address), clientID: c.clientID}
	if c.msgType == dhcpInform {
		req.ciaddr = giaddr
	}
	var xb [4]byte
	_, _ = rand.Read(xb[:])
	req.xid = binary.BigEndian.Uint32(xb[:])
	pkt := req.marshal()
	x := udpExchange{to: to, local: netip.AddrPortFrom(giaddr, uint16(c.localPort)), attempts: c.attempts, window: window,
		request: func(int) []byte { return pkt },
		accept: func(b []byte) bool {
			return len(b) >= 8 && b[0] == 2 && binary.BigEndian.Uint32(b[4:]) == req.xid
		},
	}
	rep, err := x.run(ctx)
	if err != nil {
		if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EADDRINUSE) {
			return failed(status.Unknown, false, fmt.Sprintf("cannot listen on %s:%d for the DHCP answer (%v): the probe needs root or CAP_NET_BIND_SERVICE and no DHCP server or relay on this machine", giaddr, c.localPort, rootCause(err)))
		}
		return udpFailure(ctx, err, "DHCP", to, rep.sent, window,
			fmt.Sprintf("the server must have an address range for giaddr %s's subnet", giaddr))
	}
	r := newResult()
	reply, err := parseDHCPReply(rep.data)
	if err != nil {
		raise(&r, status.Alarm, "malformed DHCP reply: "+err.Error())
		return finish(&r, rep.rtt, c.rtt)
	}
	r.Values["reply"] = dhcpTypeName(reply.msgType)
	if reply.serverID.IsValid() {
		r.Values["server_id"] = reply.serverID.String()
	}
	if reply.yiaddr.IsValid() && !reply.yiaddr.IsUnspecified() {
		r.Values["offered_address"] = reply.yiaddr.String()
	}
	if reply.lease > 0 {
		r.Values["lease_s"] = int64(reply.lease.Seconds())
	}
	if reply.mask.IsValid() {
		r.Values["subnet_mask"] = reply.mask.String()
	}
	if len(reply.routers) > 0 {
		r.Values["router"] = joinAddrs(reply.routers)
	}
	want := dhcpOffer
	if c.msgType == dhcpInform {
		want = dhcpAck
	}
	switch {
	case reply.msgType == dhcpNak:
		why := fmt.Sprintf("DHCP server answered %s with DHCPNAK", dhcpTypeName(c.msgType))
		if reply.message != "" {
			why += fmt.Sprintf(" (%q)", reply.message)
		}
		raise(&r, status.Alarm, why)
	case reply.msgType != want:
		raise(&r, status.Alarm, fmt.Sprintf("DHCP server answered %s with %s, not %s", dhcpTypeName(c.msgType), dhcpTypeName(reply.msgType), dhcpTypeName(want)))
	}
	if c.mask.IsValid() && reply.mask != c.mask {
		raise(&r, status.Alarm, fmt.Sprintf("subnet mask %s, expected %s", addrOrNone(reply.mask), c.mask))
	}
	if c.router.IsValid() && !containsAddr(reply.routers, c.router) {
		raise(&r, status.Alarm, fmt.Sprintf("router %s, expected %s", joinAddrsOrNone(reply.routers), c.router))
	}
	return finish(&r, rep.rtt, c.rtt)
}

// dhcpHWAddr is the configured hardware address, or a locally
// administered one (02:...) derived from the device address, so that a
// server's logs show the same client at every poll.
func dhcpHWAddr(hw net.HardwareAddr, device string) [6]byte {
	var out [6]byte
	if len(hw) == 6 {
		copy(out[:], hw)
		return out
	}
	h := sha256.Sum256([]byte("vantage dhcp probe " + device))
	copy(out[:], h[:6])
	out[0] = out[0]&0xfc | 0x02
	return out
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func joinAddrs(list []netip.Addr) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

func joinAddrsOrNone(list []netip.Addr) string {
	if len(list) == 0 {
		return "none"
	}
	return joinAddrs(list)
}

func addrOrNone(a netip.Addr) string {
	if !a.IsValid() {
		return "none"
	}
	return a.String()
}
