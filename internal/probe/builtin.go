package probe

import (
	"fmt"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
)

// Builtins are the dependencies of the built-in probes.
type Builtins struct {
	Pinger Pinger
	// SNMP is the SNMP client; nil leaves the SNMP probes out.
	SNMP SNMPClient
	// DNS is the resolver of the DNS name probes (config.yaml's dns:
	// section); nil uses the system's nameservers with default settings.
	DNS DNSResolver
	// MapStatus answers Map Status devices that follow this server's own
	// maps; nil leaves them unknown (other servers still work).
	MapStatus MapSummaries
}

// UDPInfos returns the UDP service probes: DNS server, NTP, RADIUS, DHCP,
// TFTP and UDP echo.
func UDPInfos() []Info {
	return []Info{DNSInfo(), NTPInfo(), RADIUSInfo(), DHCPInfo(), TFTPInfo(), UDPEchoInfo()}
}

// RegisterBuiltins adds every built-in probe to r.
func RegisterBuiltins(r *Registry, b Builtins) error {
	infos := append([]Info{PingInfo(b.Pinger), TrapViewerInfo()}, TCPInfos()...)
	infos = append(infos, UDPInfos()...)
	infos = append(infos, MapStatusInfo(b.MapStatus))
	res := b.DNS
	if res == nil {
		res = dnsmon.New(dnsmon.DefaultConfig(), nil)
	}
	infos = append(infos, DNSNameInfos(res)...)
	if b.SNMP != nil {
		infos = append(infos, SNMPInfos(b.SNMP, b.Pinger)...)
	}
	for _, i := range infos {
		if err := r.Register(i); err != nil {
			return fmt.Errorf("built-in probes: %w", err)
		}
	}
	return nil
}
