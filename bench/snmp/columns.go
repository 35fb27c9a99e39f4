package main

import (
	"fmt"
	"net/netip"
)

// column is one object both pollers read, with the snmp_exporter metric
// type it is exported as.
type column struct {
	name, oid, kind string
}

// systemScalars are the MIB-II system group the SNMP Traffic probe gets.
func systemScalars() []column {
	return []column{
		{"sysDescr", "1.3.6.1.2.1.1.1", "DisplayString"},
		{"sysObjectID", "1.3.6.1.2.1.1.2", "DisplayString"},
		{"sysUpTime", "1.3.6.1.2.1.1.3", "gauge"},
		{"sysContact", "1.3.6.1.2.1.1.4", "DisplayString"},
		{"sysName", "1.3.6.1.2.1.1.5", "DisplayString"},
		{"sysLocation", "1.3.6.1.2.1.1.6", "DisplayString"},
	}
}

// ifTableColumns are the ifTable columns of the SNMP Traffic probe.
func ifTableColumns() []column {
	const e = "1.3.6.1.2.1.2.2.1."
	return []column{
		{"ifIndex", e + "1", "gauge"},
		{"ifDescr", e + "2", "DisplayString"},
		{"ifType", e + "3", "gauge"},
		{"ifMtu", e + "4", "gauge"},
		{"ifSpeed", e + "5", "gauge"},
		{"ifPhysAddress", e + "6", "PhysAddress48"},
		{"ifAdminStatus", e + "7", "gauge"},
		{"ifOperStatus", e + "8", "gauge"},
		{"ifLastChange", e + "9", "gauge"},
		{"ifInOctets", e + "10", "counter"},
		{"ifInUcastPkts", e + "11", "counter"},
		{"ifInDiscards", e + "13", "counter"},
		{"ifInErrors", e + "14", "counter"},
		{"ifOutOctets", e + "16", "counter"},
		{"ifOutUcastPkts", e + "17", "counter"},
		{"ifOutDiscards", e + "19", "counter"},
		{"ifOutErrors", e + "20", "counter"},
	}
}

// ifXTableColumns are the ifXTable columns of the SNMP Traffic probe.
func ifXTableColumns() []column {
	const e = "1.3.6.1.2.1.31.1.1.1."
	return []column{
		{"ifName", e + "1", "DisplayString"},
		{"ifHCInOctets", e + "6", "counter"},
		{"ifHCOutOctets", e + "10", "counter"},
		{"ifHighSpeed", e + "15", "gauge"},
		{"ifAlias", e + "18", "DisplayString"},
	}
}

func oids(cols []column, suffix string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.oid + suffix
	}
	return out
}

// maxAgents keeps every agent inside 127.3.0.0/16.
const maxAgents = 250 * 256

// agentAddr is agent i's address: 127.3.(i/250).(i%250+1), so that no
// address ends in .0 or .255.
func agentAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, 3, byte(i / 250), byte(i%250 + 1)})
}

func checkN(n int) error {
	if n < 1 || n > maxAgents {
		return fmt.Errorf("-n %d: must be 1 to %d", n, maxAgents)
	}
	return nil
}
