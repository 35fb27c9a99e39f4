package mib

// The SMI modules define the ASN.1 macros and the top of the OID tree. Their
// texts are ASN.1 that SMI parsers treat specially (gosmi rejects the
// "[UNIVERSAL 2]" tag in some copies of SNMPv2-SMI), so, like libsmi and
// net-snmp, this package knows them by heart and skips files defining them.

// IsBaseModule reports whether a module is one of the SMI's own, built in:
// files defining it are skipped. The last four define only macros.
func IsBaseModule(name string) bool {
	switch name {
	case "SNMPv2-SMI", "RFC1155-SMI", "RFC1065-SMI", "SNMPv2-CONF", "RFC-1212", "RFC-1215", "RFC1212":
		return true
	}
	return false
}

// BaseType maps an SMI type name to the base type it stands for, including
// SMIv1 spellings ("Counter" is Counter32).
func BaseType(name string) (string, bool) {
	switch name {
	case "INTEGER", "Integer32", "Unsigned32", "Counter32", "Counter64", "Gauge32",
		"TimeTicks", "IpAddress", "Opaque", "OCTET STRING", "OBJECT IDENTIFIER", "BITS":
		return name, true
	case "UInteger32":
		return "Unsigned32", true
	case "Counter":
		return "Counter32", true
	case "Gauge":
		return "Gauge32", true
	case "NetworkAddress":
		return "IpAddress", true
	case "ObjectName", "NotificationName":
		return "OBJECT IDENTIFIER", true
	}
	return "", false
}

// baseModules returns fresh copies of the SMI modules' nodes and types.
func baseModules() []Module {
	node := func(module, name, oid string) Node {
		return Node{OID: oid, Module: module, Name: name, Kind: KindNode}
	}
	typ := func(module, name string) Type {
		base, _ := BaseType(name)
		return Type{Module: module, Name: name, Base: base}
	}
	v2 := Module{Name: "SNMPv2-SMI", SMIv2: true, Origin: "built in (RFC 2578)"}
	for _, nd := range []struct{ name, oid string }{
		{"ccitt", "0"}, {"zeroDotZero", "0.0"},
		{"iso", "1"}, {"org", "1.3"}, {"dod", "1.3.6"}, {"internet", "1.3.6.1"},
		{"directory", "1.3.6.1.1"}, {"mgmt", "1.3.6.1.2"}, {"mib-2", "1.3.6.1.2.1"},
		{"transmission", "1.3.6.1.2.1.10"}, {"experimental", "1.3.6.1.3"},
		{"private", "1.3.6.1.4"}, {"enterprises", "1.3.6.1.4.1"}, {"security", "1.3.6.1.5"},
		{"snmpV2", "1.3.6.1.6"}, {"snmpDomains", "1.3.6.1.6.1"}, {"snmpProxys", "1.3.6.1.6.2"},
		{"snmpModules", "1.3.6.1.6.3"}, {"joint-iso-ccitt", "2"},
	} {
		v2.Nodes = append(v2.Nodes, node(v2.Name, nd.name, nd.oid))
	}
	for _, name := range []string{"Integer32", "Unsigned32", "Counter32", "Counter64",
		"Gauge32", "TimeTicks", "IpAddress", "Opaque", "ObjectName", "NotificationName"} {
		v2.Types = append(v2.Types, typ(v2.Name, name))
	}
	v1 := Module{Name: "RFC1155-SMI", Origin: "built in (RFC 1155)"}
	for _, nd := range []struct{ name, oid string }{
		{"internet", "1.3.6.1"}, {"directory", "1.3.6.1.1"}, {"mgmt", "1.3.6.1.2"},
		{"experimental", "1.3.6.1.3"}, {"private", "1.3.6.1.4"}, {"enterprises", "1.3.6.1.4.1"},
	} {
		v1.Nodes = append(v1.Nodes, node(v1.Name, nd.name, nd.oid))
	}
	for _, name := range []string{"Counter", "Gauge", "TimeTicks", "IpAddress",
		"NetworkAddress", "Opaque", "ObjectName"} {
		v1.Types = append(v1.Types, typ(v1.Name, name))
	}
	return []Module{v2, v1}
}
