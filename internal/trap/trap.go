// Package trap receives SNMP traps and informs (v1, v2c, v3 with USM),
// decodes them into Trap values with InterMapper's trap variables, hands a
// copy to every device whose address matches, writes one TRAP event-log
// line per device (or one for an unmatched trap), and keeps the recent
// traps in memory for the API.
//
// The socket readers never do more than copy a datagram into a bounded
// queue; decoding, acknowledgement of informs, dispatch and logging run on
// workers, one sender always on the same worker so its traps keep their
// order.
package trap

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// MaxIndexed is the highest N of $VarbindValueN, $VarbindTypeN and
// $VarbindOIDN.
const MaxIndexed = 50

// Trap is one received trap or inform, decoded.
type Trap struct {
	Received time.Time
	// Sender is the datagram's source (for a v4 sender on a dual-stack
	// socket, the plain IPv4 address).
	Sender netip.AddrPort
	// AgentAddress is the SNMPv1 agent-addr field; the zero Addr for v2c
	// and v3, and for a v1 trap whose agent-addr is 0.0.0.0.
	AgentAddress netip.Addr
	// Version is "1", "2c" or "3".
	Version string
	// Community is the v1/v2c community. It is never logged, stored in
	// Records or served: it exists only for the $CommunityString variable.
	Community string
	// User is the SNMPv3 user name.
	User string
	// Enterprise is the v1 enterprise OID or, for v2c/v3, the one RFC 3584
	// section 3.2 derives from snmpTrapOID.0 (numeric, no leading dot).
	Enterprise string
	// GenericTrap (0-6) and SpecificTrap are the v1 fields or their RFC 3584
	// derivation for v2c/v3.
	GenericTrap, SpecificTrap int
	// TrapOID is snmpTrapOID.0 for v2c/v3, or the RFC 3584 section 3.1
	// translation of the v1 fields (snmpTraps.N+1, or ENTERPRISE.0.SPECIFIC).
	TrapOID string
	// Uptime is the v1 time-stamp or the v2 sysUpTime.0, in hundredths of
	// a second.
	Uptime uint32
	// Varbinds is the variable-binding list: for v2c/v3 without the leading
	// sysUpTime.0 and snmpTrapOID.0, which are Uptime and TrapOID.
	Varbinds []snmp.Value
	// Inform is true for an InformRequest (acknowledged on receipt).
	Inform bool
}

// DeviceAddr is the address a trap is dispatched on: the v1 agent address
// of a relayed trap, otherwise the sender's.
func (t Trap) DeviceAddr() netip.Addr {
	if t.AgentAddress.IsValid() && !t.AgentAddress.IsUnspecified() {
		return t.AgentAddress
	}
	return t.Sender.Addr()
}

// Relayed is true when the trap names an agent other than its sender.
func (t Trap) Relayed() bool {
	return t.AgentAddress.IsValid() && !t.AgentAddress.IsUnspecified() && t.AgentAddress != t.Sender.Addr()
}

// Lookup finds the varbind with this OID (numeric, a leading dot
// accepted), for probe TRAPVARIABLEs.
func (t Trap) Lookup(oid string) (snmp.Value, bool) {
	if len(oid) > 0 && oid[0] == '.' {
		oid = oid[1:]
	}
	for _, v := range t.Varbinds {
		if v.OID == oid {
			return v, true
		}
	}
	return snmp.Value{}, false
}

// Clone copies the trap deeply, so a receiver may keep or change it.
func (t Trap) Clone() Trap {
	vb := make([]snmp.Value, len(t.Varbinds))
	for i, v := range t.Varbinds {
		if v.Bytes != nil {
			v.Bytes = append([]byte(nil), v.Bytes...)
		}
		vb[i] = v
	}
	t.Varbinds = vb
	return t
}

// snmpVersionNumber is the message's version field as InterMapper's
// $SnmpVersion gives it: 0 for v1, 1 for v2c, 3 for v3.
func snmpVersionNumber(v string) string {
	switch v {
	case "1":
		return "0"
	case "2c":
		return "1"
	}
	return v
}

// Variables are the special trap variables InterMapper probe files use in
// a TRAPVARIABLE's OID field, keyed with their "$": $GenericTrap,
// $SpecificTrap, $TimeStamp (hundredths of a second), $Enterprise,
// $CommunityString (v1/v2c only), $TrapOID, $AgentAddress (the v1
// agent-addr, else the sender), $SenderAddress, $SnmpVersion (0 for v1, 1
// for v2c, 3 for v3), $VarbindCount, and $VarbindValueN, $VarbindTypeN
// (net-snmp's type names: INTEGER, STRING, OID, IpAddress, Counter32,
// Gauge32, Timeticks, Counter64, Opaque …) and $VarbindOIDN (numeric) for
// N = 1 … min(count, 50). Variables a trap does not carry are absent,
// which leaves them undefined for the probe.
func (t Trap) Variables() map[string]string {
	n := min(len(t.Varbinds), MaxIndexed)
	m := make(map[string]string, 10+3*n)
	m["$GenericTrap"] = strconv.Itoa(t.GenericTrap)
	m["$SpecificTrap"] = strconv.Itoa(t.SpecificTrap)
	m["$TimeStamp"] = strconv.FormatUint(uint64(t.Uptime), 10)
	if t.Enterprise != "" {
		m["$Enterprise"] = t.Enterprise
	}
	if t.Version == "1" || t.Version == "2c" {
		m["$CommunityString"] = t.Community
	}
	if t.TrapOID != "" {
		m["$TrapOID"] = t.TrapOID
	}
	if a := t.DeviceAddr(); a.IsValid() {
		m["$AgentAddress"] = a.String()
	}
	if t.Sender.IsValid() {
		m["$SenderAddress"] = t.Sender.Addr().String()
	}
	m["$SnmpVersion"] = snmpVersionNumber(t.Version)
	m["$VarbindCount"] = strconv.Itoa(len(t.Varbinds))
	for i, v := range t.Varbinds[:n] {
		s := strconv.Itoa(i + 1)
		m["$VarbindValue"+s] = v.AsString()
		m["$VarbindType"+s] = v.Type.String()
		m["$VarbindOID"+s] = v.OID
	}
	return m
}

// DeviceRef names one device on one map.
type DeviceRef struct {
	Map    string `json:"map"`
	Device string `json:"device"`
}

// Directory finds the devices at an address, on every map (a device on two
// maps, or twice on one, is returned each time). It is supplied by the
// server and must be safe for concurrent use.
type Directory interface {
	DevicesAt(addr netip.Addr) []DeviceRef
}

// Namer names numeric OIDs ("1.3.6.1.6.3.1.1.5.3" → "IF-MIB::linkDown");
// *mib.Names is one. An OID it cannot name comes back unchanged.
type Namer interface {
	Name(oid string) string
}
