package trap

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// OIDs of the USM statistics sent in Report PDUs (RFC 3414).
const (
	oidUnknownEngineIDs = ".1.3.6.1.6.3.15.1.1.4.0"
)

// maxLocalizedKeys bounds the cache of keys localized per (user, engine ID):
// past it the cache starts over rather than grow with forged engine IDs.
const maxLocalizedKeys = 4096

// usm holds this receiver's engine and its users; it is shared by the
// workers and safe for concurrent use.
type usm struct {
	engineID string // raw octets
	boots    uint32
	start    time.Time
	users    map[string]*v3user
	unknown  atomic.Uint32 // usmStatsUnknownEngineIDs, reported to discoverers

	mu   sync.Mutex
	keys map[keyID]*gosnmp.UsmSecurityParameters
}

type v3user struct {
	V3User
	auth    gosnmp.SnmpV3AuthProtocol
	priv    gosnmp.SnmpV3PrivProtocol
	engines map[string]bool // raw engine IDs allowed; nil = any
}

type keyID struct{ user, engineID string }

// newUSM builds the engine from a validated Config.
func newUSM(cfg Config, now time.Time) (*usm, error) {
	u := &usm{start: now, users: map[string]*v3user{}, keys: map[keyID]*gosnmp.UsmSecurityParameters{}}
	if cfg.EngineID != "" {
		b, err := parseEngineID(cfg.EngineID)
		if err != nil {
			return nil, fmt.Errorf("traps.engine_id: %w", err)
		}
		u.engineID = string(b)
	} else {
		u.engineID = defaultEngineID()
	}
	// Boots must grow from one start to the next for senders that cache
	// it; counting seconds since 2020 does that without a state file.
	u.boots = uint32(max(1, now.Unix()-1577836800))
	for _, cu := range cfg.Users {
		a, err := snmp.AuthProtocol(cu.Auth)
		if err != nil {
			return nil, fmt.Errorf("traps.users: %s: %w", cu.User, err)
		}
		p, err := snmp.PrivProtocol(cu.Priv)
		if err != nil {
			return nil, fmt.Errorf("traps.users: %s: %w", cu.User, err)
		}
		vu := &v3user{V3User: cu, auth: a, priv: p}
		if len(cu.EngineIDs) > 0 {
			vu.engines = map[string]bool{}
			for _, e := range cu.EngineIDs {
				b, _ := parseEngineID(e)
				vu.engines[string(b)] = true
			}
		}
		u.users[cu.User] = vu
	}
	return u, nil
}

// defaultEngineID is RFC 3411 format 5 (octets) under enterprise 0 with
// twelve octets hashed from the host name: stable across restarts, and
// different on two hosts.
func defaultEngineID() string {
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte("vantage trap receiver " + host))
	return string(append([]byte{0x80, 0, 0, 0, 5}, sum[:12]...))
}

// EngineIDHex is the engine ID in hex, for senders' configuration.
func (u *usm) engineIDHex() string { return hex.EncodeToString([]byte(u.engineID)) }

// engineTime is snmpEngineTime: seconds since start.
func (u *usm) engineTime(now time.Time) uint32 { return uint32(now.Sub(u.start) / time.Second) }

// params returns the user's security parameters with keys localized for
// engineID, from the cache.
func (u *usm) params(vu *v3user, engineID string) (*gosnmp.UsmSecurityParameters, error) {
	k := keyID{vu.User, engineID}
	u.mu.Lock()
	sp, ok := u.keys[k]
	u.mu.Unlock()
	if ok {
		return sp, nil
	}
	sp = &gosnmp.UsmSecurityParameters{
		UserName:                 vu.User,
		AuthoritativeEngineID:    engineID,
		AuthenticationProtocol:   vu.auth,
		AuthenticationPassphrase: vu.AuthKey,
		PrivacyProtocol:          vu.priv,
		PrivacyPassphrase:        vu.PrivKey,
	}
	if err := sp.InitSecurityKeys(); err != nil {
		return nil, err
	}
	u.mu.Lock()
	if len(u.keys) >= maxLocalizedKeys {
		clear(u.keys)
	}
	u.keys[k] = sp
	u.mu.Unlock()
	return sp, nil
}

// report builds the Report PDU answering an engine-discovery request
// (RFC 3414 section 4): this engine's ID, boots and time, and
// usmStatsUnknownEngineIDs.
func (u *usm) report(req *gosnmp.SnmpPacket, now time.Time) ([]byte, error) {
	n := u.unknown.Add(1)
	p := &gosnmp.SnmpPacket{
		Version:       gosnmp.Version3,
		MsgFlags:      gosnmp.NoAuthNoPriv,
		SecurityModel: gosnmp.UserSecurityModel,
		MsgID:         req.MsgID,
		MsgMaxSize:    65507,
		SecurityParameters: &gosnmp.UsmSecurityParameters{
			AuthoritativeEngineID:    u.engineID,
			AuthoritativeEngineBoots: u.boots,
			AuthoritativeEngineTime:  u.engineTime(now),
		},
		ContextEngineID: u.engineID,
		ContextName:     req.ContextName,
		PDUType:         gosnmp.Report,
		RequestID:       req.RequestID,
		Variables:       []gosnmp.SnmpPDU{{Name: oidUnknownEngineIDs, Type: gosnmp.Counter32, Value: n}},
	}
	return p.MarshalMsg()
}

// informResponse builds the Response acknowledging an inform: the same
// request ID and variables; for v3 the same user and security level, with
// this engine as the authoritative one and a fresh privacy salt.
func (u *usm) informResponse(req *gosnmp.SnmpPacket, now time.Time) ([]byte, error) {
	resp := *req
	resp.PDUType = gosnmp.GetResponse
	resp.Error, resp.ErrorIndex = gosnmp.NoError, 0
	if req.Version == gosnmp.Version3 {
		in, ok := req.SecurityParameters.(*gosnmp.UsmSecurityParameters)
		if !ok {
			return nil, fmt.Errorf("inform without USM parameters")
		}
		sp, ok := in.Copy().(*gosnmp.UsmSecurityParameters)
		if !ok {
			return nil, fmt.Errorf("inform without USM parameters")
		}
		resp.MsgFlags = req.MsgFlags &^ gosnmp.Reportable
		sp.AuthoritativeEngineBoots, sp.AuthoritativeEngineTime = u.boots, u.engineTime(now)
		if in.AuthoritativeEngineID != u.engineID {
			// An inform to another engine ID (a sender configured
			// with a stale one): answer as that engine, as net-snmp does.
			sp.AuthoritativeEngineBoots, sp.AuthoritativeEngineTime = in.AuthoritativeEngineBoots, in.AuthoritativeEngineTime
		}
		if resp.MsgFlags&gosnmp.AuthPriv == gosnmp.AuthPriv {
			salt := make([]byte, 8)
			if _, err := rand.Read(salt); err != nil {
				return nil, err
			}
			if sp.PrivacyProtocol == gosnmp.DES {
				salt[0], salt[1], salt[2], salt[3] = byte(sp.AuthoritativeEngineBoots>>24), byte(sp.AuthoritativeEngineBoots>>16), byte(sp.AuthoritativeEngineBoots>>8), byte(sp.AuthoritativeEngineBoots)
			}
			sp.PrivacyParameters = salt
		}
		resp.SecurityParameters = sp
	}
	return resp.MarshalMsg()
}
