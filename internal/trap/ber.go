package trap

import (
	"errors"
	"fmt"
)

// The little BER reading the receiver does itself, before gosnmp: the
// message framing (to tell a truncated datagram from a malformed one), the
// version, and the plaintext SNMPv3 header (to find the user and engine ID
// and to answer engine discovery).

// BER tags used below.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagSequence    = 0x30
)

var errShort = errors.New("truncated")

// readTLV splits b into one tag, its contents and what follows. A length
// running past b is errShort (the datagram was cut), anything else wrong is
// a plain error.
func readTLV(b []byte) (tag byte, val, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errShort
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, fmt.Errorf("multi-byte tag %#x", tag)
	}
	n, hdr := int(b[1]), 2
	if n&0x80 != 0 {
		octets := n & 0x7f
		if octets == 0 || octets > 3 {
			return 0, nil, nil, fmt.Errorf("length of %d octets", octets)
		}
		if len(b) < 2+octets {
			return 0, nil, nil, errShort
		}
		n = 0
		for _, c := range b[2 : 2+octets] {
			n = n<<8 | int(c)
		}
		hdr += octets
	}
	if len(b)-hdr < n {
		return tag, nil, nil, errShort
	}
	return tag, b[hdr : hdr+n], b[hdr+n:], nil
}

// readInt reads an INTEGER of at most 8 octets.
func readInt(b []byte) (int64, []byte, error) {
	tag, val, rest, err := readTLV(b)
	if err != nil {
		return 0, nil, err
	}
	if tag != tagInteger || len(val) == 0 || len(val) > 8 {
		return 0, nil, fmt.Errorf("expected an INTEGER, got tag %#x of %d octets", tag, len(val))
	}
	v := int64(int8(val[0]))
	for _, c := range val[1:] {
		v = v<<8 | int64(c)
	}
	return v, rest, nil
}

// readOctets reads an OCTET STRING.
func readOctets(b []byte) ([]byte, []byte, error) {
	tag, val, rest, err := readTLV(b)
	if err != nil {
		return nil, nil, err
	}
	if tag != tagOctetString {
		return nil, nil, fmt.Errorf("expected an OCTET STRING, got tag %#x", tag)
	}
	return val, rest, nil
}

// frame checks the message SEQUENCE covers the datagram exactly and
// returns the version field (0 = v1, 1 = v2c, 3 = v3) and what follows it.
func frame(b []byte) (version int64, body []byte, err error) {
	if len(b) > 0 && b[0] != tagSequence {
		return 0, nil, fmt.Errorf("not an SNMP message (tag %#x)", b[0])
	}
	tag, msg, rest, err := readTLV(b)
	if err != nil {
		return 0, nil, err
	}
	if tag != tagSequence {
		return 0, nil, fmt.Errorf("not an SNMP message (tag %#x)", tag)
	}
	if len(rest) != 0 {
		return 0, nil, fmt.Errorf("%d bytes after the message", len(rest))
	}
	version, body, err = readInt(msg)
	if err != nil {
		return 0, nil, fmt.Errorf("version: %w", err)
	}
	return version, body, nil
}

// v3Header is the plaintext head of an SNMPv3 message with the USM.
type v3Header struct {
	msgID     int64
	flags     byte // 1 auth, 2 priv, 4 reportable
	secModel  int64
	engineID  string
	boots     int64
	time      int64
	user      string
	encrypted bool // the scoped PDU is an OCTET STRING
}

// parseV3Header reads msgGlobalData and the USM security parameters from
// body (what follows the version).
func parseV3Header(body []byte) (h v3Header, err error) {
	tag, global, rest, err := readTLV(body)
	if err != nil {
		return h, err
	}
	if tag != tagSequence {
		return h, fmt.Errorf("msgGlobalData: tag %#x", tag)
	}
	if h.msgID, global, err = readInt(global); err != nil {
		return h, fmt.Errorf("msgID: %w", err)
	}
	if _, global, err = readInt(global); err != nil {
		return h, fmt.Errorf("msgMaxSize: %w", err)
	}
	flags, global, err := readOctets(global)
	if err != nil || len(flags) != 1 {
		return h, fmt.Errorf("msgFlags: %w", errors.Join(err, errors.New("not one octet")))
	}
	h.flags = flags[0]
	if h.secModel, _, err = readInt(global); err != nil {
		return h, fmt.Errorf("msgSecurityModel: %w", err)
	}
	if h.secModel != 3 {
		return h, fmt.Errorf("security model %d is not the USM (3)", h.secModel)
	}
	sec, rest, err := readOctets(rest)
	if err != nil {
		return h, fmt.Errorf("msgSecurityParameters: %w", err)
	}
	tag, usm, _, err := readTLV(sec)
	if err != nil || tag != tagSequence {
		return h, fmt.Errorf("usmSecurityParameters: %w", errors.Join(err, fmt.Errorf("tag %#x", tag)))
	}
	var b []byte
	if b, usm, err = readOctets(usm); err != nil {
		return h, fmt.Errorf("msgAuthoritativeEngineID: %w", err)
	}
	h.engineID = string(b)
	if h.boots, usm, err = readInt(usm); err != nil {
		return h, fmt.Errorf("msgAuthoritativeEngineBoots: %w", err)
	}
	if h.time, usm, err = readInt(usm); err != nil {
		return h, fmt.Errorf("msgAuthoritativeEngineTime: %w", err)
	}
	if b, _, err = readOctets(usm); err != nil {
		return h, fmt.Errorf("msgUserName: %w", err)
	}
	h.user = string(b)
	if len(rest) == 0 {
		return h, errShort
	}
	h.encrypted = rest[0] == tagOctetString
	return h, nil
}
