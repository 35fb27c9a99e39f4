package traceroute

import (
	"fmt"
	"net/netip"
	"strings"
)

// The formatters reproduce the classic traceroute output that the seed
// course shows and Debian's traceroute still prints:
//
//	traceroute to polaris.cis.ksu.edu (129.130.10.93), 30 hops max, 40 byte packets
//	 1  wraith.facnet.mcs.kent.edu (131.123.46.1)  0.878 ms  0.620 ms  0.553 ms
//	10  sl-bb10-kc-7-1.sprintlink.net (144.232.9.117)  46.752 ms *  40.125 ms
//	14  * * *

// PacketSize is the size of a probe with its IP header: 40 bytes for IPv4
// (20 + 8 + 12 data), 60 for IPv6.
func PacketSize(dst netip.Addr) int {
	if dst.Unmap().Is4() {
		return 20 + 8 + payloadLen
	}
	return 40 + 8 + payloadLen
}

// FormatHeader is the first line of a trace: host as the user gave it.
func FormatHeader(host string, dst netip.Addr, maxHops int) string {
	if maxHops == 0 {
		maxHops = DefaultMaxHops
	}
	return fmt.Sprintf("traceroute to %s (%s), %d hops max, %d byte packets", host, dst, maxHops, PacketSize(dst))
}

// FormatHop is one hop's line: the answering address (named when the hop
// has names) each time it changes within the line, each probe's round-trip
// time in milliseconds, "*" for lost probes.
func FormatHop(h Hop) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%2d ", h.TTL)
	var last netip.Addr
	for _, p := range h.Probes {
		if p.Lost {
			b.WriteString(" *")
			continue
		}
		if p.From != last {
			last = p.From
			if p.Name != "" {
				fmt.Fprintf(&b, " %s (%s)", p.Name, p.From)
			} else {
				fmt.Fprintf(&b, " %s", p.From)
			}
		}
		fmt.Fprintf(&b, "  %.3f ms", float64(p.RTT.Microseconds())/1000)
		if p.Note != "" {
			b.WriteString(" " + p.Note)
		}
	}
	return b.String()
}
