package probe

// The RADIUS probe (com.dartware.radius): an Access-Request with test
// credentials, judged by the answer: Access-Accept, -Reject or -Challenge,
// or silence (which is also what a server does with a wrong shared secret
// or an unknown client address).

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/vantage-monitor/vantage/internal/status"
)

func radiusParams() []Param {
	return append([]Param{
		{Name: "secret", Aliases: []string{"Shared Secret", "Secret"}, Kind: "password", Help: "the shared secret the server has for this client (required)"},
		{Name: "user", Aliases: []string{"User Name", "Username"}, Help: "test user name (required)"},
		{Name: "password", Aliases: []string{"Password", "Password*"}, Kind: "password", Help: "test user's password"},
		{Name: "expect", Default: "accept", Kind: "dropdown", Choices: []string{"accept", "reject"}, Help: "the answer that means OK: accept for a valid test user, reject for one that must be refused"},
		{Name: "nas_ip", Help: "NAS-IP-Address sent; empty uses this server's address towards the RADIUS server"},
		{Name: "nas_id", Default: "vantage", Help: "NAS-Identifier sent; empty sends none"},
	}, udpParams(1812)...)
}

// RADIUSInfo describes the RADIUS probe.
func RADIUSInfo() Info {
	return Info{ID: "com.dartware.radius", Name: "RADIUS", Aliases: []string{"radius"}, Params: radiusParams(),
		New: func() Probe { return radiusProbe{} }}
}

type radiusConfig struct {
	udpCommon
	secret, user, password string
	expectAccept           bool
	nasIP                  netip.Addr
	nasID                  string
}

func parseRADIUSConfig(params map[string]string) (radiusConfig, error) {
	p := resolveParams(radiusParams(), params)
	var c radiusConfig
	var err error
	if c.udpCommon, err = parseUDPCommon(p); err != nil {
		return c, err
	}
	c.secret, c.user, c.password, c.nasID = p["secret"], p["user"], p["password"], p["nas_id"]
	switch {
	case c.secret == "":
		return c, errors.New("parameter secret: a shared secret is required")
	case c.user == "":
		return c, errors.New("parameter user: a user name is required")
	case len(c.user) > 253:
		return c, errors.New("parameter user: longer than 253 bytes")
	case len(c.password) > radiusMaxPasswordLen:
		return c, fmt.Errorf("parameter password: longer than %d bytes", radiusMaxPasswordLen)
	case len(c.nasID) > 253:
		return c, errors.New("parameter nas_id: longer than 253 bytes")
	}
	switch strings.ToLower(strings.TrimSpace(p["expect"])) {
	case "accept", "":
		c.expectAccept = true
	case "reject":
	default:
		return c, fmt.Errorf("parameter expect: %q is neither accept nor reject", p["expect"])
	}
	if s := strings.TrimSpace(p["nas_ip"]); s != "" {
		if c.nasIP, err = netip.ParseAddr(s); err != nil || !c.nasIP.Is4() {
			return c, fmt.Errorf("parameter nas_ip: %q is not an IPv4 address", s)
		}
	}
	return c, nil
}

type radiusProbe struct{}

func (radiusProbe) CheckParams(params map[string]string) error {
	_, err := parseRADIUSConfig(params)
	return err
}

func (radiusProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseRADIUSConfig(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	to, err := udpTarget(ctx, t.Address, c.port)
	if err != nil {
		return udpFailure(ctx, err, "RADIUS", to, 0, window, "")
	}
	req := radiusRequest{secret: []byte(c.secret), user: c.user, password: c.password, nasIP: c.nasIP, nasID: c.nasID}
	if !req.nasIP.IsValid() {
		req.nasIP, _ = localAddrFor(ctx, to)
	}
	var idb [1]byte
	_, _ = rand.Read(idb[:])
	_, _ = rand.Read(req.authenticator[:])
	req.id = idb[0]
	pkt, err := req.marshal()
	if err != nil {
		return badParams(err)
	}
	// Retransmissions repeat the same packet (RFC 2865 §2.5), so a late
	// answer to the first still matches.
	x := udpExchange{to: to, attempts: c.attempts, window: window,
		request: func(int) []byte { return pkt },
		accept:  func(b []byte) bool { return len(b) >= radiusHeaderLen && b[1] == req.id },
	}
	rep, err := x.run(ctx)
	if err != nil {
		return udpFailure(ctx, err, "RADIUS", to, rep.sent, window, "a server also stays silent for a wrong shared secret or a client address it does not know")
	}
	r := newResult()
	reply, err := parseRADIUSReply(rep.data, req)
	if err != nil {
		raise(&r, status.Alarm, "bad RADIUS reply: "+err.Error())
		return finish(&r, rep.rtt, c.rtt)
	}
	msg := ""
	if len(reply.messages) > 0 {
		msg = fmt.Sprintf(" (%q)", strings.Join(reply.messages, " "))
	}
	switch reply.code {
	case radiusAccessAccept:
		r.Values["result"] = "accept"
		if !c.expectAccept {
			raise(&r, status.Alarm, fmt.Sprintf("Access-Accept for user %q, which should be rejected%s", c.user, msg))
		}
	case radiusAccessReject:
		r.Values["result"] = "reject"
		if c.expectAccept {
			raise(&r, status.Alarm, fmt.Sprintf("Access-Reject for user %q%s", c.user, msg))
		}
	case radiusAccessChallenge:
		r.Values["result"] = "challenge"
		raise(&r, status.Warning, fmt.Sprintf("Access-Challenge for user %q: the server wants more than a password%s", c.user, msg))
	default:
		r.Values["result"] = fmt.Sprintf("code %d", reply.code)
		raise(&r, status.Alarm, fmt.Sprintf("unexpected RADIUS reply code %d to an Access-Request", reply.code))
	}
	return finish(&r, rep.rtt, c.rtt)
}

// localAddrFor is this machine's address on the route to `to`, found by
// connecting a UDP socket (which sends nothing).
func localAddrFor(ctx context.Context, to netip.AddrPort) (netip.Addr, error) {
	x := udpExchange{to: to}
	conn, err := x.open(ctx)
	if err != nil {
		return netip.Addr{}, err
	}
	defer conn.Close()
	ap, err := netip.ParseAddrPort(conn.LocalAddr().String())
	if err != nil {
		return netip.Addr{}, fmt.Errorf("local address: %w", err)
	}
	return ap.Addr().Unmap(), nil
}
