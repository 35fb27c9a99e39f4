package flow

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// packetInfo is what every decoder knows of the datagram it decodes.
type packetInfo struct {
	from     netip.Addr
	received time.Time
}

// output collects what one or more datagrams decoded into.
type output struct {
	records  []Record
	counters []InterfaceCounters
}

// sniff names a datagram's export format from its first bytes: NetFlow
// and IPFIX start with a 16-bit version, sFlow with a 32-bit one (so its
// first two bytes are zero).
func sniff(b []byte) string {
	if len(b) < 4 {
		return ""
	}
	// Constant names: this runs for every datagram.
	switch binary.BigEndian.Uint16(b) {
	case 1:
		return "netflow1"
	case 5:
		return "netflow5"
	case 7:
		return "netflow7"
	case 9:
		return "netflow9"
	case 10:
		return "ipfix"
	case 0:
		switch binary.BigEndian.Uint32(b) {
		case 2:
			return "sflow2"
		case 4:
			return "sflow4"
		case 5:
			return "sflow5"
		}
	}
	return ""
}

// decode decodes one datagram from e, appending to out. It returns the
// format name ("" when unknown) and the error that made part or all of the
// datagram unusable. e must be locked.
func (e *exporter) decode(b []byte, p packetInfo, out *output, env *decodeEnv) (name string, err error) {
	name = sniff(b)
	defer func() {
		if v := recover(); v != nil { // a decoder bug must not take the collector down
			err = fmt.Errorf("%s: decoder panic: %v: %w", name, v, ErrMalformed)
		}
	}()
	switch name {
	case "netflow1", "netflow5", "netflow7":
		var h legacyHeader
		switch name {
		case "netflow1":
			out.records, h, err = decodeV1(b, p, out.records)
		case "netflow5":
			out.records, h, err = decodeV5(b, p, out.records)
		default:
			out.records, h, err = decodeV7(b, p, out.records)
		}
		if err == nil && name != "netflow1" { // v1 has no sequence number
			e.sequence(seqKey{version: name, domain: h.domain}, h.sequence, uint32(h.count))
		}
	case "netflow9", "ipfix":
		_, err = e.decodeTemplated(b, p, out, env)
	case "sflow5", "sflow2", "sflow4":
		var h sflowHeader
		if name == "sflow5" {
			h, err = decodeSFlow5(b, p, out)
		} else {
			h, err = decodeSFlowLegacy(b, p, out)
		}
		if err == nil {
			e.sequence(seqKey{version: name, domain: h.subAgent, agent: h.agent.String()}, h.sequence, 1)
		}
	default:
		err = fmt.Errorf("%d bytes starting %x: %w", len(b), b[:min(len(b), 4)], ErrVersion)
	}
	return name, err
}
