package discover

import (
	"net/netip"
	"strings"
)

// How a device was named.
const (
	NamedByDNS     = "dns"
	NamedByNetBIOS = "netbios"
	NamedBySysName = "sysname"
	NamedByAddress = "address"
)

// Names are what is known of a host's names.
type Names struct {
	DNS     string // reverse DNS (PTR), without the trailing dot
	NetBIOS string // the node status computer name
	SysName string // SNMP sysName
}

// dhcpName reports whether a DNS name is one a DHCP server made up
// ("dhcp-192-0-2-7.example.net"): the seed's rule prefers the NetBIOS name
// over such names.
func dhcpName(s string) bool { return strings.Contains(strings.ToUpper(s), "DHCP") }

// needsNetBIOS reports whether the NetBIOS name is worth asking for: the
// DNS name is missing or contains "DHCP".
func needsNetBIOS(dns string) bool { return dns == "" || dhcpName(dns) }

// SmartName chooses a host's name the way InterMapper does: the DNS name
// unless it is missing or contains "DHCP", in which case the NetBIOS
// name; then SNMP's sysName (what the device calls itself); then the DNS
// name however poor; then the address.
func SmartName(n Names, addr netip.Addr) (name, how string) {
	switch {
	case n.DNS != "" && !dhcpName(n.DNS):
		return n.DNS, NamedByDNS
	case n.NetBIOS != "":
		return n.NetBIOS, NamedByNetBIOS
	case n.SysName != "":
		return n.SysName, NamedBySysName
	case n.DNS != "":
		return n.DNS, NamedByDNS
	}
	return addr.String(), NamedByAddress
}

// ShortName is a smart name up to its first dot, as InterMapper's Short
// Smart Name; addresses are kept whole.
func ShortName(smart string) string {
	if _, err := netip.ParseAddr(smart); err == nil {
		return smart
	}
	if i := strings.IndexByte(smart, '.'); i > 0 {
		return smart[:i]
	}
	return smart
}

// LabelVars are the label template variables of a host.
func (h Host) LabelVars(probe string) map[string]string {
	v := map[string]string{
		"SmartName":   h.Name,
		"ShortName":   ShortName(h.Name),
		"Address":     h.Addr.String(),
		"DNSName":     h.DNSName,
		"NetBIOSName": h.NetBIOSName,
		"Probe":       probe,
	}
	if h.SNMP != nil {
		v["SysName"] = h.SNMP.SysName
		v["SysDescr"] = h.SNMP.SysDescr
	}
	return v
}
