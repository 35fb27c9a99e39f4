package flowstore

import (
	"fmt"
	"slices"
	"strconv"
)

// wellKnown is the built-in list of common server ports with their service
// names (after /etc/services). The client/server rule treats a host using
// one of them as the server; application queries name traffic by them.
var wellKnown = map[uint16]string{
	7: "echo", 20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp",
	37: "time", 43: "whois", 49: "tacacs", 53: "domain", 67: "bootps", 69: "tftp",
	70: "gopher", 79: "finger", 80: "http", 88: "kerberos", 102: "iso-tsap",
	110: "pop3", 111: "sunrpc", 113: "auth", 119: "nntp", 123: "ntp",
	135: "epmap", 137: "netbios-ns", 138: "netbios-dgm", 139: "netbios-ssn",
	143: "imap2", 161: "snmp", 162: "snmp-trap", 177: "xdmcp", 179: "bgp",
	389: "ldap", 427: "svrloc", 443: "https", 445: "microsoft-ds", 464: "kpasswd",
	465: "submissions", 500: "isakmp", 513: "login", 514: "syslog", 515: "printer",
	520: "route", 546: "dhcpv6-client", 547: "dhcpv6-server", 548: "afpovertcp",
	554: "rtsp", 563: "nntps", 587: "submission", 623: "asf-rmcp", 631: "ipp",
	636: "ldaps", 646: "ldp", 853: "domain-s", 873: "rsync", 902: "vmware-auth",
	989: "ftps-data", 990: "ftps", 993: "imaps", 995: "pop3s", 1080: "socks",
	1194: "openvpn", 1433: "ms-sql-s", 1434: "ms-sql-m", 1521: "oracle",
	1645: "radius-old", 1701: "l2tp", 1723: "pptp", 1812: "radius",
	1813: "radius-acct", 1883: "mqtt", 1900: "ssdp", 2049: "nfs", 2055: "netflow",
	2181: "zookeeper", 2375: "docker", 2376: "docker-s", 3260: "iscsi-target",
	3268: "globalcat-ldap", 3306: "mysql", 3389: "ms-wbt-server", 3478: "stun",
	4500: "ipsec-nat-t", 4789: "vxlan", 5000: "upnp", 5060: "sip", 5061: "sip-tls",
	5222: "xmpp-client", 5269: "xmpp-server", 5353: "mdns", 5432: "postgresql",
	5671: "amqps", 5672: "amqp", 5900: "rfb", 5985: "wsman", 5986: "wsmans",
	6343: "sflow", 6379: "redis", 6443: "kubernetes", 6514: "syslog-tls",
	6881: "bittorrent", 8080: "http-alt", 8181: "intermapper", 8443: "https-alt",
	8883: "secure-mqtt", 9000: "cslistener", 9092: "kafka", 9100: "jetdirect",
	9200: "elasticsearch", 9418: "git", 9996: "jflow", 11211: "memcache",
	27017: "mongodb",
}

// Ports is the list of server ports the client/server rule uses and the
// names applications are given. The zero value knows no ports; use
// DefaultPorts.
type Ports struct {
	names map[uint16]string
}

// DefaultPorts returns the built-in list.
func DefaultPorts() Ports { return Ports{names: wellKnown} }

// NewPorts returns the built-in list changed by the configuration: add maps
// extra server ports to names ("" names the port by its number), remove
// takes ports off the list (for example a local service on a port that
// clients use as their source).
func NewPorts(add map[uint16]string, remove []uint16) Ports {
	names := make(map[uint16]string, len(wellKnown)+len(add))
	for p, n := range wellKnown {
		if !slices.Contains(remove, p) {
			names[p] = n
		}
	}
	for p, n := range add {
		if n == "" {
			n = strconv.Itoa(int(p))
		}
		names[p] = n
	}
	return Ports{names: names}
}

// IsServer says whether port is on the list.
func (p Ports) IsServer(port uint16) bool {
	_, ok := p.names[port]
	return ok
}

// Application names the service on a server port: its name when listed,
// otherwise protocol/port ("tcp/8500"); protocols without ports are named
// by the protocol alone.
func (p Ports) Application(proto uint8, port uint16) string {
	if !hasPorts(proto) {
		return ProtoName(proto)
	}
	if n, ok := p.names[port]; ok {
		return n
	}
	return fmt.Sprintf("%s/%d", ProtoName(proto), port)
}

// hasPorts says whether the IP protocol carries port numbers (TCP, UDP,
// SCTP, UDP-Lite, DCCP). Other protocols' "ports" in flow records hold
// ICMP type and code or nothing, so sessions ignore them.
func hasPorts(proto uint8) bool {
	switch proto {
	case 6, 17, 33, 132, 136:
		return true
	}
	return false
}

// ProtoName names an IP protocol number ("tcp", "udp", "icmp" …), or gives
// the number.
func ProtoName(proto uint8) string {
	switch proto {
	case 1:
		return "icmp"
	case 2:
		return "igmp"
	case 4:
		return "ipip"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 33:
		return "dccp"
	case 41:
		return "ipv6"
	case 47:
		return "gre"
	case 50:
		return "esp"
	case 51:
		return "ah"
	case 58:
		return "ipv6-icmp"
	case 89:
		return "ospf"
	case 103:
		return "pim"
	case 112:
		return "vrrp"
	case 132:
		return "sctp"
	case 136:
		return "udplite"
	}
	return strconv.Itoa(int(proto))
}
