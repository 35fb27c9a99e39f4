package trap

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Why a datagram was not a trap; each has its own counter.
var (
	ErrOversized       = errors.New("datagram larger than traps.max_datagram")
	ErrTruncated       = errors.New("truncated datagram")
	ErrMalformed       = errors.New("malformed SNMP message")
	ErrVersion         = errors.New("unknown SNMP version")
	ErrNotTrap         = errors.New("not a trap or inform")
	ErrUnknownUser     = errors.New("unknown SNMPv3 user")
	ErrUnknownEngineID = errors.New("unknown SNMPv3 engine ID")
	ErrAuth            = errors.New("SNMPv3 authentication failed")
	ErrDecrypt         = errors.New("SNMPv3 decryption failed")
	// ErrDiscovery is not a failure: an SNMPv3 engine-discovery request,
	// answered with a Report.
	ErrDiscovery = errors.New("SNMPv3 engine discovery")
)

// rejection is a decode error with its metric label.
type rejection struct {
	err   error
	label string
}

// reasons lists the errors above with their metric label.
func reasons() []rejection {
	return []rejection{
		{ErrOversized, "oversized"}, {ErrTruncated, "truncated"}, {ErrMalformed, "malformed"},
		{ErrVersion, "version"}, {ErrNotTrap, "not_trap"}, {ErrUnknownUser, "unknown_user"},
		{ErrUnknownEngineID, "unknown_engine_id"}, {ErrAuth, "auth"}, {ErrDecrypt, "decrypt"},
	}
}

// reason is the index in reasons() and the metric label of a decode error.
func reason(err error) (int, string) {
	rs := reasons()
	for i, r := range rs {
		if errors.Is(err, r.err) {
			return i, r.label
		}
	}
	for i, r := range rs {
		if r.err == ErrMalformed {
			return i, r.label
		}
	}
	return 0, rs[0].label
}

// decoder turns datagrams into traps. Each worker has its own (gosnmp's
// GoSNMP is not safe for concurrent use); the usm is shared.
type decoder struct {
	usm         *usm
	maxDatagram int
	community   *gosnmp.GoSNMP // v1 and v2c
	v3          *gosnmp.GoSNMP
}

func newDecoder(u *usm, maxDatagram int) *decoder {
	return &decoder{
		usm:         u,
		maxDatagram: maxDatagram,
		community:   &gosnmp.GoSNMP{Version: gosnmp.Version2c, MaxOids: gosnmp.MaxOids},
		v3: &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel,
			MaxOids: gosnmp.MaxOids},
	}
}

// decode decodes one datagram received at now from sender. It may modify
// b. reply, when not nil, must be sent back to the sender: the
// acknowledgement of an inform, or the Report answering engine discovery
// (then err is ErrDiscovery). It never panics.
func (d *decoder) decode(b []byte, sender netip.AddrPort, now time.Time) (t Trap, reply []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, reply, err = Trap{}, nil, fmt.Errorf("%w: gosnmp panicked: %v", ErrMalformed, r)
		}
	}()
	if len(b) > d.maxDatagram {
		return t, nil, fmt.Errorf("%w: %d bytes", ErrOversized, len(b))
	}
	version, body, err := frame(b)
	if errors.Is(err, errShort) {
		return t, nil, fmt.Errorf("%w: %d bytes", ErrTruncated, len(b))
	}
	if err != nil {
		return t, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var pkt *gosnmp.SnmpPacket
	switch version {
	case 0, 1:
		pkt, err = d.community.UnmarshalTrap(b, false)
		if err != nil {
			return t, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
	case 3:
		pkt, reply, err = d.decodeV3(b, body, now)
		if err != nil {
			return t, reply, err
		}
	default:
		return t, nil, fmt.Errorf("%w: %d", ErrVersion, version)
	}
	switch pkt.PDUType {
	case gosnmp.Trap, gosnmp.SNMPv2Trap, gosnmp.InformRequest:
	default:
		return t, nil, fmt.Errorf("%w: %v PDU", ErrNotTrap, pkt.PDUType)
	}
	t, err = fromPacket(pkt, sender, now)
	if err != nil {
		return Trap{}, nil, err
	}
	if pkt.PDUType == gosnmp.InformRequest {
		reply, err = d.usm.informResponse(pkt, now)
		if err != nil {
			// The inform is still a valid trap; the sender will retry.
			return t, nil, nil
		}
	}
	return t, reply, nil
}

// decodeV3 checks the user and engine ID, answers discovery, then has
// gosnmp authenticate, decrypt and decode.
func (d *decoder) decodeV3(b, body []byte, now time.Time) (*gosnmp.SnmpPacket, []byte, error) {
	h, err := parseV3Header(body)
	if err != nil { // the message is whole (see frame), so a short part is malformed
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	const flagAuth, flagPriv, flagReportable = 1, 2, 4
	if h.user == "" && h.engineID == "" && h.flags&(flagAuth|flagPriv) == 0 && h.flags&flagReportable != 0 {
		d.v3.SecurityParameters = &gosnmp.UsmSecurityParameters{}
		pkt, err := d.v3.UnmarshalTrap(b, true)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: discovery request: %w", ErrMalformed, err)
		}
		if pkt.PDUType != gosnmp.GetRequest || len(pkt.Variables) > 0 {
			return nil, nil, fmt.Errorf("%w: unauthenticated %v PDU", ErrUnknownUser, pkt.PDUType)
		}
		reply, err := d.usm.report(pkt, now)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: report: %w", ErrDiscovery, err)
		}
		return nil, reply, ErrDiscovery
	}
	vu, ok := d.usm.users[h.user]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrUnknownUser, h.user)
	}
	if len(h.engineID) < 5 || len(h.engineID) > 32 ||
		vu.engines != nil && !vu.engines[h.engineID] && h.engineID != d.usm.engineID {
		d.usm.unknown.Add(1)
		return nil, nil, fmt.Errorf("%w: %x (user %q)", ErrUnknownEngineID, h.engineID, h.user)
	}
	if h.flags&flagPriv != 0 && h.flags&flagAuth == 0 {
		return nil, nil, fmt.Errorf("%w: privacy without authentication", ErrMalformed)
	}
	if h.flags&flagAuth != 0 && vu.auth == gosnmp.NoAuth {
		return nil, nil, fmt.Errorf("%w: user %q has no authentication key", ErrAuth, h.user)
	}
	if h.flags&flagPriv != 0 && vu.priv == gosnmp.NoPriv {
		return nil, nil, fmt.Errorf("%w: user %q has no privacy key", ErrDecrypt, h.user)
	}
	sp, err := d.usm.params(vu, h.engineID)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: keys of user %q: %w", ErrAuth, h.user, err)
	}
	d.v3.SecurityParameters = sp
	pkt, err := d.v3.UnmarshalTrap(b, true)
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "authentic"), strings.Contains(msg, "msgAuthenticationParameters"):
			return nil, nil, fmt.Errorf("%w: user %q: %w", ErrAuth, h.user, err)
		case h.flags&flagPriv != 0:
			// Authentic, so a PDU that does not decode was
			// encrypted with another key.
			return nil, nil, fmt.Errorf("%w: user %q: %w", ErrDecrypt, h.user, err)
		}
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return pkt, nil, nil
}
