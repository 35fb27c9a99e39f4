package flow

import (
	"bytes"
	"fmt"
	"net/netip"

	"github.com/netsampler/goflow2/v2/decoders/sflow"
)

// sflowHeader is what sequence tracking needs from an sFlow datagram.
type sflowHeader struct {
	agent    netip.Addr
	subAgent uint32
	sequence uint32
}

// decodeSFlow5 decodes an sFlow v5 datagram with goflow2 after checking
// that every count in it fits what follows (goflow2 allocates from the
// counts before reading, and does not bound expanded flow samples).
func decodeSFlow5(b []byte, p packetInfo, out *output) (sflowHeader, error) {
	if err := checkSFlow5(b); err != nil {
		return sflowHeader{}, err
	}
	var pkt sflow.Packet
	if err := sflow.DecodeMessageVersion(bytes.NewBuffer(b), &pkt); err != nil {
		return sflowHeader{}, fmt.Errorf("sflow5: %w: %w", err, ErrMalformed)
	}
	agent, _ := netip.AddrFromSlice(pkt.AgentIP)
	h := sflowHeader{agent: agent.Unmap(), subAgent: pkt.SubAgentId, sequence: pkt.SequenceNumber}
	base := Record{Received: p.received, Start: p.received, End: p.received, Exporter: p.from, Domain: pkt.SubAgentId, Version: "sflow5"}
	for _, s := range pkt.Samples {
		switch s := s.(type) {
		case sflow.FlowSample:
			in, out2 := ifIndexCompact(s.Input), ifIndexCompact(s.Output)
			if r, ok := sflow5Record(base, s.SamplingRate, in, out2, s.Records); ok {
				out.records = append(out.records, r)
			}
		case sflow.ExpandedFlowSample:
			in, out2 := ifIndexExpanded(s.InputIfFormat, s.InputIfValue), ifIndexExpanded(s.OutputIfFormat, s.OutputIfValue)
			if r, ok := sflow5Record(base, s.SamplingRate, in, out2, s.Records); ok {
				out.records = append(out.records, r)
			}
		case sflow.CounterSample:
			for _, cr := range s.Records {
				if ifc, ok := cr.Data.(sflow.IfCounters); ok {
					out.counters = append(out.counters, fromGoflowCounters(ifc, p, h.agent, "sflow5"))
				}
			}
		}
	}
	return h, nil
}

// ifIndexCompact reads a v5 compact data source (format in the top two
// bits); only format 0 is a single ifIndex.
func ifIndexCompact(v uint32) uint32 {
	if v>>30 != 0 || v == sflowInternal {
		return 0
	}
	return v
}

func ifIndexExpanded(format, v uint32) uint32 {
	if format != 0 || v == sflowInternal {
		return 0
	}
	return v
}

// sflowInternal is the ifIndex sFlow uses for a packet sourced or
// consumed by the switch itself.
const sflowInternal = 0x3fffffff

// sflow5Record builds one Record from a flow sample's records, scaling the
// sampled frame by the sampling rate. Samples of non-IP frames give none.
func sflow5Record(base Record, rate, in, out uint32, recs []sflow.FlowRecord) (Record, bool) {
	r := base
	r.InIf, r.OutIf = in, out
	if rate == 0 {
		rate = 1
	}
	r.SamplingRate = rate
	var length uint64
	for _, fr := range recs {
		switch d := fr.Data.(type) {
		case sflow.SampledHeader:
			h := d.HeaderData
			if int(d.OriginalLength) < len(h) { // goflow2's name for header_length
				h = h[:d.OriginalLength]
			}
			parseSampledHeader(d.Protocol, h, &r)
			length = uint64(d.FrameLength)
		case sflow.SampledIPv4:
			if !r.SrcAddr.IsValid() {
				sampledIP(&r, d.SampledIPBase, uint8(d.Tos))
			}
			if length == 0 {
				length = uint64(d.Length)
			}
		case sflow.SampledIPv6:
			if !r.SrcAddr.IsValid() {
				sampledIP(&r, d.SampledIPBase, uint8(d.Priority))
			}
			if length == 0 {
				length = uint64(d.Length)
			}
		case sflow.ExtendedRouter:
			r.NextHop = addrFrom(d.NextHop)
		case sflow.ExtendedGateway:
			r.SrcAS = d.SrcAS
			r.DstAS = d.AS
			if n := len(d.ASPath); n > 0 {
				r.DstAS = d.ASPath[n-1]
			}
			if !r.NextHop.IsValid() {
				r.NextHop = addrFrom(d.NextHop)
			}
		}
	}
	if !r.SrcAddr.IsValid() {
		return r, false
	}
	r.Bytes = length * uint64(rate)
	r.Packets = uint64(rate)
	return r, true
}

func sampledIP(r *Record, d sflow.SampledIPBase, tos uint8) {
	r.SrcAddr, r.DstAddr = addrFrom(d.SrcIP), addrFrom(d.DstIP)
	r.Proto = uint8(d.Protocol)
	r.SrcPort, r.DstPort = uint16(d.SrcPort), uint16(d.DstPort)
	r.TCPFlags = uint8(d.TcpFlags)
	r.ToS = tos
}

func fromGoflowCounters(c sflow.IfCounters, p packetInfo, agent netip.Addr, version string) InterfaceCounters {
	return InterfaceCounters{
		Exporter: p.from, Agent: agent, Version: version, Received: p.received,
		IfIndex: c.IfIndex, IfType: c.IfType, Speed: c.IfSpeed, Direction: c.IfDirection, Status: c.IfStatus,
		Promiscuous: c.IfPromiscuousMode == 1,
		InOctets:    c.IfInOctets, InUnicast: c.IfInUcastPkts, InMulticast: c.IfInMulticastPkts,
		InBroadcast: c.IfInBroadcastPkts, InDiscards: c.IfInDiscards, InErrors: c.IfInErrors,
		InUnknownProtos: c.IfInUnknownProtos,
		OutOctets:       c.IfOutOctets, OutUnicast: c.IfOutUcastPkts, OutMulticast: c.IfOutMulticastPkts,
		OutBroadcast: c.IfOutBroadcastPkts, OutDiscards: c.IfOutDiscards, OutErrors: c.IfOutErrors,
	}
}

// checkSFlow5 walks an sFlow v5 datagram's samples and checks every
// sample and record count against the bytes that follow it (each sample
// and record takes at least 8 bytes), so no count can make the decoder
// allocate more than the datagram could describe.
func checkSFlow5(b []byte) error {
	c := cursor{b: b}
	c.skip(4)
	switch c.u32() {
	case 1:
		c.skip(4)
	case 2:
		c.skip(16)
	default:
		return fmt.Errorf("sflow5: unknown agent address type: %w", ErrMalformed)
	}
	c.skip(12)
	n := c.u32()
	if c.short || uint64(n)*8 > uint64(c.left()) {
		return fmt.Errorf("sflow5: %d samples do not fit a %d-byte datagram: %w", n, len(b), ErrMalformed)
	}
	for range n {
		format, length := c.u32(), c.u32()
		body := c.take(int(min(length, 1<<20)))
		if c.short {
			return fmt.Errorf("sflow5: sample longer than the datagram: %w", ErrMalformed)
		}
		s := cursor{b: body}
		var fixed int
		switch format {
		case 1: // seq, source, rate, pool, drops, in, out
			fixed = 7 * 4
		case 2: // seq, source
			fixed = 2 * 4
		case 3: // seq, type, index, rate, pool, drops, in fmt/val, out fmt/val
			fixed = 10 * 4
		case 4: // seq, type, index
			fixed = 3 * 4
		case 5: // seq, type, index, drops, in, out, reason
			fixed = 7 * 4
		default:
			continue // unknown sample formats are skipped by length
		}
		s.skip(fixed)
		recs := s.u32()
		if s.short || uint64(recs)*8 > uint64(s.left()) {
			return fmt.Errorf("sflow5: sample format %d: %d records do not fit %d bytes: %w", format, recs, length, ErrMalformed)
		}
	}
	return nil
}
