package snmp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Target is one agent.
type Target struct {
	Address string      // IP literal or DNS name (no port; the port is Creds.Port)
	Creds   Credentials // merged; Validate()d by the client
}

// agent returns "host:port" for messages and per-agent memory; never
// secrets.
func (t Target) agent() string {
	port := t.Creds.Port
	if port == 0 {
		port = 161
	}
	return net.JoinHostPort(strings.Trim(t.Address, "[]"), strconv.Itoa(port))
}

// poolKey identifies sessions that may be reused for t: the agent and a
// hash of everything in the credentials, so that secrets are not kept in
// map keys in the clear.
func (t Target) poolKey() string {
	c := t.Creds
	h := sha256.New()
	for _, f := range []string{c.Version, c.Community, c.User, c.Auth, c.AuthKey, c.Priv, c.PrivKey, c.Context} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return t.agent() + "/" + hex.EncodeToString(h.Sum(nil)[:12])
}

// session is one gosnmp client with its socket. Only one goroutine uses it
// at a time: the pool hands it out.
type session struct {
	g      *gosnmp.GoSNMP
	key    string
	agent  string
	v3     bool
	rec    *recordingConn
	idleAt time.Time
}

func (s *session) close() {
	if s.g.Conn != nil {
		_ = s.g.Conn.Close()
	}
}

// AuthProtocol maps a protocol name as written in map files and by net-snmp
// ("SHA", "SHA-256", "sha512" …) to gosnmp's constant.
func AuthProtocol(name string) (gosnmp.SnmpV3AuthProtocol, error) {
	switch strings.ReplaceAll(strings.ToUpper(name), "-", "") {
	case "":
		return gosnmp.NoAuth, nil
	case "MD5":
		return gosnmp.MD5, nil
	case "SHA", "SHA1":
		return gosnmp.SHA, nil
	case "SHA224":
		return gosnmp.SHA224, nil
	case "SHA256":
		return gosnmp.SHA256, nil
	case "SHA384":
		return gosnmp.SHA384, nil
	case "SHA512":
		return gosnmp.SHA512, nil
	}
	return 0, fmt.Errorf("snmp.auth: %q is not MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512", name)
}

// PrivProtocol maps a privacy protocol name ("DES", "AES", "AES-256",
// "AES256C" for Cisco's key extension …) to gosnmp's constant.
func PrivProtocol(name string) (gosnmp.SnmpV3PrivProtocol, error) {
	switch strings.ReplaceAll(strings.ToUpper(name), "-", "") {
	case "":
		return gosnmp.NoPriv, nil
	case "DES":
		return gosnmp.DES, nil
	case "AES", "AES128":
		return gosnmp.AES, nil
	case "AES192":
		return gosnmp.AES192, nil
	case "AES256":
		return gosnmp.AES256, nil
	case "AES192C":
		return gosnmp.AES192C, nil
	case "AES256C":
		return gosnmp.AES256C, nil
	}
	return 0, fmt.Errorf("snmp.priv: %q is not DES, AES, AES-192, AES-256, AES-192-C or AES-256-C", name)
}

// engine is what SNMPv3 discovery learnt about an agent, reused by the
// agent's next new session so that it skips the discovery round trip.
type engine struct {
	id          string
	boots, time uint32
	at          time.Time
}

// newSession builds a gosnmp client for t and connects its UDP socket.
// Names are resolved with ctx.
func (c *Client) newSession(ctx context.Context, t Target, key string) (*session, error) {
	g := &gosnmp.GoSNMP{
		Port:      uint16(t.Creds.Port),
		Transport: "udp",
		Timeout:   c.cfg.Timeout,
		Retries:   c.cfg.Retries,
		MaxOids:   c.cfg.MaxOIDs,
		// We check OID order ourselves in Walk and Table.
		AppOpts: map[string]any{"c": true},
		Context: ctx,
	}
	if g.Port == 0 {
		g.Port = 161
	}
	host := strings.Trim(t.Address, "[]")
	if ip, err := netip.ParseAddr(host); err == nil {
		g.Target = ip.Unmap().String()
	} else {
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return nil, fmt.Errorf("snmp %s: resolve: %w", t.agent(), err)
		}
		g.Target = addrs[0].Unmap().String()
	}
	switch t.Creds.Version {
	case "1":
		g.Version, g.Community = gosnmp.Version1, t.Creds.Community
	case "2c", "":
		g.Version, g.Community = gosnmp.Version2c, t.Creds.Community
	case "3":
		if err := c.setV3(g, t); err != nil {
			return nil, fmt.Errorf("snmp %s: %w", t.agent(), err)
		}
	default:
		return nil, fmt.Errorf("snmp %s: version %q is not 1, 2c or 3", t.agent(), t.Creds.Version)
	}
	if err := g.Connect(); err != nil {
		return nil, fmt.Errorf("snmp %s: open socket: %w", t.agent(), err)
	}
	s := &session{g: g, key: key, agent: t.agent(), v3: g.Version == gosnmp.Version3}
	s.rec = &recordingConn{Conn: g.Conn, keep: s.v3}
	g.Conn = s.rec
	return s, nil
}

// recordingConn counts the packets received, so that a failed request can
// tell "no answer" from "an answer gosnmp could not use"; for SNMPv3 it
// keeps the last one, so that a Report that gosnmp discards as
// unauthenticated can still say what went wrong.
type recordingConn struct {
	net.Conn
	keep  bool
	reads int
	last  []byte
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.reads++
		if c.keep {
			c.last = append(c.last[:0], b[:n]...)
		}
	}
	return n, err
}

// USM statistics a Report names (RFC 3414).
const (
	usmStatsUnsupportedSecLevels = "1.3.6.1.6.3.15.1.1.1.0"
	usmStatsNotInTimeWindows     = "1.3.6.1.6.3.15.1.1.2.0"
	usmStatsUnknownUserNames     = "1.3.6.1.6.3.15.1.1.3.0"
	usmStatsUnknownEngineIDs     = "1.3.6.1.6.3.15.1.1.4.0"
	usmStatsWrongDigests         = "1.3.6.1.6.3.15.1.1.5.0"
	usmStatsDecryptionErrors     = "1.3.6.1.6.3.15.1.1.6.0"
)

// lastReport returns the OID of the Report the session last received, if
// its last packet was an unencrypted Report.
func (s *session) lastReport() (oid string) {
	if len(s.rec.last) == 0 {
		return ""
	}
	defer func() {
		if recover() != nil {
			oid = ""
		}
	}()
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.NoAuthNoPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "report"}}
	pkt, err := dec.SnmpDecodePacket(s.rec.last)
	if err != nil || pkt.PDUType != gosnmp.Report || len(pkt.Variables) == 0 {
		return ""
	}
	return strings.TrimPrefix(pkt.Variables[0].Name, ".")
}

// setV3 fills the USM parameters; the security level follows from which
// fields are set.
func (c *Client) setV3(g *gosnmp.GoSNMP, t Target) error {
	auth, err := AuthProtocol(t.Creds.Auth)
	if err != nil {
		return err
	}
	priv, err := PrivProtocol(t.Creds.Priv)
	if err != nil {
		return err
	}
	usm := &gosnmp.UsmSecurityParameters{
		UserName:                 t.Creds.User,
		AuthenticationProtocol:   auth,
		AuthenticationPassphrase: t.Creds.AuthKey,
		PrivacyProtocol:          priv,
		PrivacyPassphrase:        t.Creds.PrivKey,
	}
	g.Version = gosnmp.Version3
	g.SecurityModel = gosnmp.UserSecurityModel
	g.ContextName = t.Creds.Context
	switch {
	case auth == gosnmp.NoAuth:
		g.MsgFlags = gosnmp.NoAuthNoPriv
		usm.PrivacyProtocol = gosnmp.NoPriv
	case priv == gosnmp.NoPriv:
		g.MsgFlags = gosnmp.AuthNoPriv
	default:
		g.MsgFlags = gosnmp.AuthPriv
	}
	if e, ok := c.engineFor(t.agent()); ok {
		usm.AuthoritativeEngineID = e.id
		usm.AuthoritativeEngineBoots = e.boots
		usm.AuthoritativeEngineTime = e.time + uint32(time.Since(e.at)/time.Second)
	}
	g.SecurityParameters = usm
	return nil
}

func (c *Client) engineFor(agent string) (engine, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.engines[agent]
	return e, ok
}

// learnEngine remembers the engine a v3 session talks to.
func (c *Client) learnEngine(s *session) {
	usm, ok := s.g.SecurityParameters.(*gosnmp.UsmSecurityParameters)
	if !ok {
		return
	}
	cp, ok := usm.Copy().(*gosnmp.UsmSecurityParameters)
	if !ok || cp.AuthoritativeEngineID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.engines) > 4*c.cfg.MaxSessions+1024 { // bounded: forget all, rediscover
		clear(c.engines)
	}
	c.engines[s.agent] = engine{id: cp.AuthoritativeEngineID, boots: cp.AuthoritativeEngineBoots, time: cp.AuthoritativeEngineTime, at: time.Now()}
}
