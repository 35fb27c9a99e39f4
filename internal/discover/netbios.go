package discover

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// NetBIOS name service messages (RFC 1002 section 4.2), just the two
// Vantage sends: a node status request ("NBSTAT", what `nmblookup -A`
// sends) that asks a host for its names, and a broadcast name query that
// finds the host owning a name (a device added as \NAME).

// NetBIOSPort is the name service's UDP port.
const NetBIOSPort = 137

const (
	nbHeaderLen  = 12
	nbTypeNB     = 0x0020
	nbTypeNBSTAT = 0x0021
	nbClassIN    = 0x0001
	nbFlagResp   = 0x8000
	nbFlagRD     = 0x0100
	nbFlagB      = 0x0010
	nbOpcodeMask = 0x7800
	nbRcodeMask  = 0x000f
	nbEncodedLen = 32 // a 16-byte name, two letters per byte
	nbNameEntry  = 18 // 15 name bytes, suffix, 2 flag bytes
	nbGroupFlag  = 0x8000
	nbMaxNameLen = 15
	nbMaxLabels  = 64 // bounds the scope labels followed in a reply
)

// NetBIOSName is one name of a node status reply.
type NetBIOSName struct {
	Name   string // trailing spaces removed
	Suffix byte   // 0x00 workstation, 0x20 file server, 0x1d master browser …
	Group  bool
	Flags  uint16
}

// NodeStatus is a node status reply: the host's names and the MAC address
// it reports (its "unit ID", all zero from Samba).
type NodeStatus struct {
	Names []NetBIOSName
	MAC   [6]byte
}

// Computer is the host's own name: its first unique workstation (0x00)
// name, else its first unique file-server (0x20) name, else its first
// unique name.
func (s NodeStatus) Computer() string {
	for _, suffix := range []int{0x00, 0x20, -1} {
		for _, n := range s.Names {
			if !n.Group && (suffix < 0 || int(n.Suffix) == suffix) && n.Name != "" {
				return n.Name
			}
		}
	}
	return ""
}

// Workgroup is the first group name with the workstation suffix: the
// domain or workgroup the host belongs to.
func (s NodeStatus) Workgroup() string {
	for _, n := range s.Names {
		if n.Group && n.Suffix == 0x00 {
			return n.Name
		}
	}
	return ""
}

// encodeNetBIOSName is RFC 1001's first-level encoding of a name padded
// to 15 bytes with pad, plus the suffix byte, as a length-prefixed label
// ending the name (no scope).
func encodeNetBIOSName(b []byte, name string, pad, suffix byte) []byte {
	var raw [16]byte
	for i := range 15 {
		raw[i] = pad
	}
	copy(raw[:15], name)
	raw[15] = suffix
	b = append(b, nbEncodedLen)
	for _, c := range raw {
		b = append(b, 'A'+c>>4, 'A'+c&0x0f)
	}
	return append(b, 0)
}

// NodeStatusRequest builds the node status request for any name ("*"),
// as nmblookup -A sends it: unicast, no recursion.
func NodeStatusRequest(id uint16) []byte {
	b := binary.BigEndian.AppendUint16(make([]byte, 0, 50), id)
	b = append(b, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) // flags 0, one question
	b = encodeNetBIOSName(b, "*", 0, 0)
	b = binary.BigEndian.AppendUint16(b, nbTypeNBSTAT)
	return binary.BigEndian.AppendUint16(b, nbClassIN)
}

// NameQueryRequest builds a broadcast name query for a workstation name
// (suffix 0x00). Names are case-insensitive and sent in capitals.
func NameQueryRequest(id uint16, name string) ([]byte, error) {
	if err := checkNetBIOSName(name); err != nil {
		return nil, err
	}
	b := binary.BigEndian.AppendUint16(make([]byte, 0, 50), id)
	b = binary.BigEndian.AppendUint16(b, nbFlagRD|nbFlagB)
	b = append(b, 0, 1, 0, 0, 0, 0, 0, 0)
	b = encodeNetBIOSName(b, strings.ToUpper(name), ' ', 0x00)
	b = binary.BigEndian.AppendUint16(b, nbTypeNB)
	return binary.BigEndian.AppendUint16(b, nbClassIN), nil
}

func checkNetBIOSName(name string) error {
	if name == "" || len(name) > nbMaxNameLen {
		return fmt.Errorf("NetBIOS name %q: 1 to %d characters", name, nbMaxNameLen)
	}
	for _, c := range []byte(name) {
		if c < 0x21 || c > 0x7e || strings.IndexByte(`\/:*?"<>|.`, c) >= 0 {
			return fmt.Errorf("NetBIOS name %q: character %q is not allowed", name, c)
		}
	}
	return nil
}

var errShort = errors.New("NetBIOS message truncated")

// nbAnswer is the first answer record of a response.
type nbAnswer struct {
	id    uint16
	rtype uint16
	data  []byte
}

// parseNetBIOSAnswer checks a response's header and returns its first
// answer record. Every length is checked against the message: the input
// is whatever arrived on UDP 137.
func parseNetBIOSAnswer(b []byte) (nbAnswer, error) {
	if len(b) < nbHeaderLen {
		return nbAnswer{}, errShort
	}
	id, flags := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	qd, an := binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:])
	switch {
	case flags&nbFlagResp == 0:
		return nbAnswer{}, errors.New("NetBIOS message is a request, not a response")
	case flags&nbOpcodeMask != 0:
		return nbAnswer{}, fmt.Errorf("NetBIOS response has opcode %d, not query", flags&nbOpcodeMask>>11)
	case flags&nbRcodeMask != 0:
		return nbAnswer{}, fmt.Errorf("NetBIOS negative response (rcode %d)", flags&nbRcodeMask)
	case an == 0:
		return nbAnswer{}, errors.New("NetBIOS response has no answer")
	}
	off := nbHeaderLen
	for range qd { // answers normally echo no question; skip any
		n, err := skipNetBIOSName(b, off)
		if err != nil {
			return nbAnswer{}, err
		}
		off = n + 4
	}
	off, err := skipNetBIOSName(b, off)
	if err != nil {
		return nbAnswer{}, err
	}
	if len(b) < off+10 {
		return nbAnswer{}, errShort
	}
	rtype := binary.BigEndian.Uint16(b[off:])
	rdlen := int(binary.BigEndian.Uint16(b[off+8:]))
	off += 10
	if len(b) < off+rdlen {
		return nbAnswer{}, errShort
	}
	return nbAnswer{id: id, rtype: rtype, data: b[off : off+rdlen]}, nil
}

// skipNetBIOSName returns the offset after the name at off: labels ending
// with a zero byte, or a compression pointer.
func skipNetBIOSName(b []byte, off int) (int, error) {
	for range nbMaxLabels {
		if off >= len(b) {
			return 0, errShort
		}
		l := int(b[off])
		switch {
		case l == 0:
			return off + 1, nil
		case l&0xc0 == 0xc0:
			if off+2 > len(b) {
				return 0, errShort
			}
			return off + 2, nil
		case l&0xc0 != 0:
			return 0, fmt.Errorf("NetBIOS name label length %#x is invalid", l)
		}
		off += 1 + l
	}
	return 0, errors.New("NetBIOS name has too many labels")
}

// ParseNodeStatus decodes a node status response to the request with the
// given id.
func ParseNodeStatus(b []byte, id uint16) (NodeStatus, error) {
	var s NodeStatus
	a, err := parseNetBIOSAnswer(b)
	if err != nil {
		return s, err
	}
	if a.id != id {
		return s, fmt.Errorf("NetBIOS response id %d does not match request %d", a.id, id)
	}
	if a.rtype != nbTypeNBSTAT {
		return s, fmt.Errorf("NetBIOS answer type %#04x is not NBSTAT", a.rtype)
	}
	if len(a.data) < 1 {
		return s, errShort
	}
	n := int(a.data[0])
	d := a.data[1:]
	if len(d) < n*nbNameEntry {
		return s, errShort
	}
	for i := range n {
		e := d[i*nbNameEntry : (i+1)*nbNameEntry]
		flags := binary.BigEndian.Uint16(e[16:])
		s.Names = append(s.Names, NetBIOSName{Name: cleanNetBIOSName(e[:15]), Suffix: e[15], Group: flags&nbGroupFlag != 0, Flags: flags})
	}
	if rest := d[n*nbNameEntry:]; len(rest) >= 6 {
		copy(s.MAC[:], rest)
	}
	return s, nil
}

// ParseNameQueryResponse decodes a positive name query response to the
// request with the given id: the addresses owning the name.
func ParseNameQueryResponse(b []byte, id uint16) ([]netip.Addr, error) {
	a, err := parseNetBIOSAnswer(b)
	if err != nil {
		return nil, err
	}
	if a.id != id {
		return nil, fmt.Errorf("NetBIOS response id %d does not match request %d", a.id, id)
	}
	if a.rtype != nbTypeNB {
		return nil, fmt.Errorf("NetBIOS answer type %#04x is not NB", a.rtype)
	}
	var out []netip.Addr
	for d := a.data; len(d) >= 6; d = d[6:] {
		out = append(out, netip.AddrFrom4([4]byte(d[2:6])))
	}
	if len(out) == 0 {
		return nil, errShort
	}
	return out, nil
}

// cleanNetBIOSName drops the padding and anything unprintable, so a
// hostile reply cannot put control characters into a device name.
func cleanNetBIOSName(raw []byte) string {
	var b strings.Builder
	for _, c := range raw {
		if c >= 0x21 && c <= 0x7e {
			b.WriteByte(c)
		} else if c == ' ' {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}
