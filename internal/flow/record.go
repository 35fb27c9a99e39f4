// Package flow receives flow exports — NetFlow v1, v5, v7, v9, IPFIX and
// sFlow v2, v4, v5 — from routers, switches and firewalls, decodes them
// into Records, keeps each exporter's templates and statistics, and hands
// the records to a Sink (the session builder and flow store).
package flow

import (
	"net/netip"
	"time"
)

// Record is one flow as an exporter reported it, normalised across
// protocols. Counters are already multiplied by the sampling rate, so a
// sampled exporter's traffic adds up to what crossed the wire.
type Record struct {
	// Received is when the datagram carrying the record arrived.
	Received time.Time
	// Exporter is the address the export came from; Domain is its
	// observation domain (IPFIX), source id (v9) or sub-agent (sFlow).
	Exporter netip.Addr
	Domain   uint32
	// Version is the export format: "netflow1", "netflow5", "netflow7",
	// "netflow9", "ipfix", "sflow2", "sflow4" or "sflow5".
	Version string
	// Start and End bound the flow (for sFlow samples, both are Received).
	Start, End time.Time

	SrcAddr, DstAddr netip.Addr
	SrcPort, DstPort uint16
	// Proto is the IP protocol number (6 TCP, 17 UDP, 1 ICMP …).
	Proto    uint8
	TCPFlags uint8
	ToS      uint8

	// Bytes and Packets are in the direction SrcAddr → DstAddr.
	Bytes, Packets uint64
	// RevBytes and RevPackets are the reverse direction when the exporter
	// reports both in one record (IPFIX biflows, Cisco ASA NSEL responder
	// counters); zero otherwise.
	RevBytes, RevPackets uint64
	// SamplingRate is the 1-in-N rate applied (1 when unsampled).
	SamplingRate uint32

	// InIf and OutIf are SNMP ifIndex values of the exporter.
	InIf, OutIf  uint32
	SrcAS, DstAS uint32
	NextHop      netip.Addr
}

// Sink receives decoded records. Records is called from the collector's
// goroutines; the batch is reused once Records returns (so the collector
// allocates nothing per record), so a sink copies what it keeps. It must
// not block for long (a slow sink makes the socket buffers overflow, which
// is counted as loss).
type Sink interface {
	Records(batch []Record)
}
