package flow

import (
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// Information elements read from data records (IANA IPFIX registry; 1–127
// are NetFlow v9's field types with the same meaning). Cisco ASA NSEL
// names are in the comments.
const (
	ieOctetDelta         = 1
	iePacketDelta        = 2
	ieProtocol           = 4
	ieToS                = 5
	ieTCPFlags           = 6
	ieSrcPort            = 7
	ieSrcIPv4            = 8
	ieDstPort            = 11
	ieDstIPv4            = 12
	ieEgressInterface    = 14
	ieNextHopIPv4        = 15
	ieSrcAS              = 16
	ieDstAS              = 17
	ieBGPNextHopIPv4     = 18
	ieLastSwitched       = 21
	ieFirstSwitched      = 22
	ieOutOctets          = 23
	ieOutPackets         = 24
	ieSrcIPv6            = 27
	ieDstIPv6            = 28
	ieICMPTypeCodeV4     = 32
	ieNextHopIPv6        = 62
	ieBGPNextHopIPv6     = 63
	ieOctetTotal         = 85
	iePacketTotal        = 86
	ieICMPTypeCodeV6     = 139
	ieFlowStartSeconds   = 150
	ieFlowEndSeconds     = 151
	ieFlowStartMillis    = 152 // NSEL NF_F_FLOW_CREATE_TIME_MSEC
	ieFlowEndMillis      = 153
	ieFlowStartMicros    = 154
	ieFlowEndMicros      = 155
	ieFlowStartNanos     = 156
	ieFlowEndNanos       = 157
	ieFlowStartDeltaUs   = 158
	ieFlowEndDeltaUs     = 159
	ieSystemInitMillis   = 160
	ieICMPTypeV4         = 176
	ieICMPCodeV4         = 177
	ieICMPTypeV6         = 178
	ieICMPCodeV6         = 179
	ieUDPSrcPort         = 180
	ieUDPDstPort         = 181
	ieTCPSrcPort         = 182
	ieTCPDstPort         = 183
	ieInitiatorOctets    = 231 // NSEL NF_F_FWD_FLOW_DELTA_BYTES
	ieResponderOctets    = 232 // NSEL NF_F_REV_FLOW_DELTA_BYTES
	ieFirewallEvent      = 233
	ieIngressPhysical    = 252
	ieEgressPhysical     = 253
	ieInitiatorPackets   = 298
	ieResponderPackets   = 299
	ieObservationMillis  = 323 // NSEL event time
	ieCiscoFirewallEvent = 40005

	// penReverse is RFC 5103's enterprise number for reverse-direction IEs.
	penReverse = 29305
)

// ntpEpoch is the NTP era start (1900) in Unix seconds, for IPFIX
// dateTimeMicroseconds/Nanoseconds.
const ntpEpoch = 2208988800

// nfHeader is the NetFlow v9 / IPFIX message header, which data records
// need for their times.
type nfHeader struct {
	version  uint16
	domain   uint32
	sequence uint32
	export   time.Time
	uptime   uint32 // v9 sysUptime in ms; 0 for IPFIX
	hasUp    bool
}

// recordFields collects a data record's values before they are resolved
// (several IEs can give the same Record field; the first of a repeated IE
// wins, as the outer header comes first in tunnel templates).
type recordFields struct {
	octets, packets, total, totalPkts, outOctets, outPkts       uint64
	initOctets, respOctets, initPkts, respPkts                  uint64
	revOctets, revPackets                                       uint64
	hasOctets, hasPackets, hasInit, hasTotal, hasOut            bool
	first, last, sysInit                                        uint64
	hasFirst, hasLast, hasSysInit                               bool
	start, end                                                  time.Time
	startDelta, endDelta                                        uint64
	hasStartDelta, hasEndDelta                                  bool
	icmpType, icmpCode                                          uint16
	hasICMP, hasICMPTC                                          bool
	icmpTC                                                      uint16
	nextHop, bgpNextHop                                         []byte
	sampler                                                     uint64
	hasSampler                                                  bool
	rate                                                        uint32
	ps                                                          psamp
	event                                                       uint64
	hasEvent                                                    bool
	physIn, physOut                                             uint32
	seenSrc, seenDst, seenSrcPort, seenDstPort, seenIn, seenOut bool
}

// dataRecord turns one v9/IPFIX data record into a Record. keep is false
// for Cisco ASA NSEL events that carry no bytes in either direction (flow
// created, flow denied): the teardown or update event of the same
// connection reports its bytes, so keeping the creation as well would add
// a zero-byte session for every connection, and a denied flow carried no
// traffic. They are counted per exporter (events_skipped).
func (e *exporter) dataRecord(values []netflow.DataField, h nfHeader, p packetInfo) (r Record, keep bool) {
	r = Record{Received: p.received, Exporter: p.from, Domain: h.domain, Version: templatedName(h.version)}
	var f recordFields
	for _, v := range values {
		b, _ := v.Value.([]byte)
		if v.PenProvided {
			if v.Pen == penReverse {
				switch v.Type &^ 0x8000 {
				case ieOctetDelta, ieOctetTotal:
					f.revOctets = beUint(b)
				case iePacketDelta, iePacketTotal:
					f.revPackets = beUint(b)
				}
			}
			continue
		}
		f.read(v.Type, b, &r)
	}
	r.Bytes, r.Packets, r.RevBytes, r.RevPackets = f.counters()
	f.times(h, &r)
	if f.hasICMPTC && r.DstPort == 0 {
		r.DstPort = f.icmpTC
	} else if f.hasICMP && r.DstPort == 0 {
		r.DstPort = f.icmpType<<8 | f.icmpCode
	}
	if !f.seenIn && f.physIn != 0 {
		r.InIf = f.physIn
	}
	if !f.seenOut && f.physOut != 0 {
		r.OutIf = f.physOut
	}
	if a := nonZero(addrFrom(f.nextHop)); a.IsValid() {
		r.NextHop = a
	} else {
		r.NextHop = nonZero(addrFrom(f.bgpNextHop))
	}
	rate := f.rate
	if rate == 0 {
		rate = f.ps.rate()
	}
	if rate == 0 {
		rate = e.sampling.rate(h.domain, f.sampler, f.hasSampler)
	}
	if rate == 0 {
		rate = 1
	}
	r.SamplingRate = rate
	if rate > 1 {
		r.Bytes *= uint64(rate)
		r.Packets *= uint64(rate)
		r.RevBytes *= uint64(rate)
		r.RevPackets *= uint64(rate)
	}
	if f.hasEvent && r.Bytes == 0 && r.RevBytes == 0 {
		return r, false
	}
	return r, true
}

func (f *recordFields) read(t uint16, b []byte, r *Record) {
	switch t {
	case ieOctetDelta:
		f.octets, f.hasOctets = beUint(b), true
	case iePacketDelta:
		f.packets, f.hasPackets = beUint(b), true
	case ieOctetTotal:
		f.total, f.hasTotal = beUint(b), true
	case iePacketTotal:
		f.totalPkts = beUint(b)
	case ieOutOctets:
		f.outOctets, f.hasOut = beUint(b), true
	case ieOutPackets:
		f.outPkts = beUint(b)
	case ieInitiatorOctets:
		f.initOctets, f.hasInit = beUint(b), true
	case ieResponderOctets:
		f.respOctets, f.hasInit = beUint(b), true
	case ieInitiatorPackets:
		f.initPkts = beUint(b)
	case ieResponderPackets:
		f.respPkts = beUint(b)
	case ieProtocol:
		r.Proto = uint8(beUint(b))
	case ieToS:
		r.ToS = uint8(beUint(b))
	case ieTCPFlags:
		r.TCPFlags = uint8(beUint(b)) // 2-byte IPFIX flags: the low byte is TCP's
	case ieSrcPort, ieUDPSrcPort, ieTCPSrcPort:
		if !f.seenSrcPort {
			r.SrcPort, f.seenSrcPort = uint16(beUint(b)), true
		}
	case ieDstPort, ieUDPDstPort, ieTCPDstPort:
		if !f.seenDstPort {
			r.DstPort, f.seenDstPort = uint16(beUint(b)), true
		}
	case ieSrcIPv4, ieSrcIPv6:
		if a := addrFrom(b); a.IsValid() && !f.seenSrc {
			r.SrcAddr, f.seenSrc = a, true
		}
	case ieDstIPv4, ieDstIPv6:
		if a := addrFrom(b); a.IsValid() && !f.seenDst {
			r.DstAddr, f.seenDst = a, true
		}
	case ieIngressInterface:
		if !f.seenIn {
			r.InIf, f.seenIn = uint32(beUint(b)), true
		}
	case ieEgressInterface:
		if !f.seenOut {
			r.OutIf, f.seenOut = uint32(beUint(b)), true
		}
	case ieIngressPhysical:
		f.physIn = uint32(beUint(b))
	case ieEgressPhysical:
		f.physOut = uint32(beUint(b))
	case ieSrcAS:
		r.SrcAS = uint32(beUint(b))
	case ieDstAS:
		r.DstAS = uint32(beUint(b))
	case ieNextHopIPv4, ieNextHopIPv6:
		f.nextHop = b
	case ieBGPNextHopIPv4, ieBGPNextHopIPv6:
		f.bgpNextHop = b
	case ieFirstSwitched:
		f.first, f.hasFirst = beUint(b), true
	case ieLastSwitched:
		f.last, f.hasLast = beUint(b), true
	case ieSystemInitMillis:
		f.sysInit, f.hasSysInit = beUint(b), true
	case ieFlowStartSeconds:
		f.start = time.Unix(int64(beUint(b)), 0)
	case ieFlowEndSeconds:
		f.end = time.Unix(int64(beUint(b)), 0)
	case ieFlowStartMillis:
		f.start = time.UnixMilli(int64(beUint(b)))
	case ieFlowEndMillis:
		f.end = time.UnixMilli(int64(beUint(b)))
	case ieFlowStartMicros, ieFlowStartNanos:
		f.start = ntpTime(beUint(b), t == ieFlowStartMicros)
	case ieFlowEndMicros, ieFlowEndNanos:
		f.end = ntpTime(beUint(b), t == ieFlowEndMicros)
	case ieFlowStartDeltaUs:
		f.startDelta, f.hasStartDelta = beUint(b), true
	case ieFlowEndDeltaUs:
		f.endDelta, f.hasEndDelta = beUint(b), true
	case ieObservationMillis:
		if f.end.IsZero() {
			f.end = time.UnixMilli(int64(beUint(b)))
		}
	case ieICMPTypeCodeV4, ieICMPTypeCodeV6:
		f.icmpTC, f.hasICMPTC = uint16(beUint(b)), true
	case ieICMPTypeV4, ieICMPTypeV6:
		f.icmpType, f.hasICMP = uint16(beUint(b)), true
	case ieICMPCodeV4, ieICMPCodeV6:
		f.icmpCode, f.hasICMP = uint16(beUint(b)), true
	case ieSamplerID, ieSelectorID:
		f.sampler, f.hasSampler = beUint(b), true
	case ieSamplingInterval, ieSamplerRandomInterval:
		if v := clampRate(beUint(b)); v > 0 {
			f.rate = v
		}
	case ieSelectorAlgorithm, ieSamplingPacketInterval, ieSamplingPacketSpace, ieSamplingSize, ieSamplingPopulation:
		f.ps.read(t, b)
	case ieFirewallEvent, ieCiscoFirewallEvent:
		f.event, f.hasEvent = beUint(b), true
	}
}

// counters picks the forward and reverse counters. Delta counters win;
// NSEL's initiator/responder counters (231/232, 298/299) are the two
// directions of one connection; octetTotalCount (85) is what older ASA
// releases send instead; v9 OUT_BYTES (23) is an egress counter used by
// some exporters in place of IN_BYTES.
func (f *recordFields) counters() (bytes, packets, revBytes, revPackets uint64) {
	switch {
	case f.hasOctets:
		bytes = f.octets
	case f.hasInit:
		bytes = f.initOctets
	case f.hasTotal:
		bytes = f.total
	case f.hasOut:
		bytes = f.outOctets
	}
	switch {
	case f.hasPackets:
		packets = f.packets
	case f.initPkts > 0:
		packets = f.initPkts
	case f.totalPkts > 0:
		packets = f.totalPkts
	default:
		packets = f.outPkts
	}
	revBytes, revPackets = f.revOctets, f.revPackets
	if f.hasInit && revBytes == 0 {
		revBytes, revPackets = f.respOctets, f.respPkts
	}
	return
}

// times sets Start and End: absolute IPFIX times when present, v9
// sysUptime-relative FIRST/LAST_SWITCHED (or IPFIX's relative to
// systemInitTimeMilliseconds), microsecond deltas back from the export
// time, and the export time when the record has no times at all.
func (f *recordFields) times(h nfHeader, r *Record) {
	export := h.export
	if export.IsZero() || export.Unix() == 0 {
		export = r.Received
	}
	var boot time.Time
	switch {
	case h.hasUp:
		boot = export.Add(-time.Duration(h.uptime) * time.Millisecond)
	case f.hasSysInit:
		boot = time.UnixMilli(int64(f.sysInit))
	}
	r.Start, r.End = f.start, f.end
	if r.Start.IsZero() && f.hasFirst && !boot.IsZero() {
		r.Start = boot.Add(time.Duration(f.first) * time.Millisecond)
	}
	if r.End.IsZero() && f.hasLast && !boot.IsZero() {
		r.End = boot.Add(time.Duration(f.last) * time.Millisecond)
	}
	if r.Start.IsZero() && f.hasStartDelta {
		r.Start = export.Add(-time.Duration(f.startDelta) * time.Microsecond)
	}
	if r.End.IsZero() && f.hasEndDelta {
		r.End = export.Add(-time.Duration(f.endDelta) * time.Microsecond)
	}
	switch {
	case r.End.IsZero() && r.Start.IsZero():
		r.Start, r.End = export, export
	case r.End.IsZero():
		r.End = r.Start
	case r.Start.IsZero():
		r.Start = r.End
	}
}

// ntpTime converts an NTP-format timestamp (RFC 7011 dateTimeMicroseconds
// and dateTimeNanoseconds: seconds since 1900, then a binary fraction).
func ntpTime(v uint64, micros bool) time.Time {
	sec := int64(v>>32) - ntpEpoch
	frac := v & 0xffffffff
	if micros {
		frac &^= 0x7ff // the low 11 bits are not significant (RFC 7011 6.1.9)
	}
	return time.Unix(sec, int64(frac*1e9>>32))
}
