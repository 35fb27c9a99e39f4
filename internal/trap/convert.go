package trap

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// OIDs of RFC 3418 and RFC 3584 that traps carry.
const (
	oidSysUpTime          = "1.3.6.1.2.1.1.3.0"
	oidSnmpTrapOID        = "1.3.6.1.6.3.1.1.4.1.0"
	oidSnmpTrapEnterprise = "1.3.6.1.6.3.1.1.4.3.0"
	oidSnmpTraps          = "1.3.6.1.6.3.1.1.5" // snmpTraps.N = generic trap N-1
	oidIfIndex            = "1.3.6.1.2.1.2.2.1.1"
)

// fromPacket converts a decoded Trap, SNMPv2-Trap or InformRequest PDU.
func fromPacket(p *gosnmp.SnmpPacket, sender netip.AddrPort, now time.Time) (Trap, error) {
	t := Trap{
		Received: now,
		Sender:   netip.AddrPortFrom(sender.Addr().Unmap(), sender.Port()),
		Inform:   p.PDUType == gosnmp.InformRequest,
	}
	switch p.Version {
	case gosnmp.Version1:
		t.Version, t.Community = "1", p.Community
	case gosnmp.Version2c:
		t.Version, t.Community = "2c", p.Community
	case gosnmp.Version3:
		t.Version = "3"
		if usm, ok := p.SecurityParameters.(*gosnmp.UsmSecurityParameters); ok {
			t.User = usm.UserName
		}
	}
	vbs := make([]snmp.Value, 0, len(p.Variables))
	for _, pdu := range p.Variables {
		v, _ := snmp.FromPDU(pdu) // a bad value stays, as TypeUnknown
		vbs = append(vbs, v)
	}
	if p.PDUType == gosnmp.Trap {
		if p.Version != gosnmp.Version1 {
			return Trap{}, fmt.Errorf("%w: an SNMPv1 Trap PDU in a v%s message", ErrMalformed, t.Version)
		}
		t.Enterprise = strings.TrimPrefix(p.Enterprise, ".")
		if a, err := netip.ParseAddr(p.AgentAddress); err == nil && !a.IsUnspecified() {
			t.AgentAddress = a.Unmap()
		}
		t.GenericTrap, t.SpecificTrap = p.GenericTrap, p.SpecificTrap
		t.Uptime = uint32(p.Timestamp)
		t.Varbinds = vbs
		t.TrapOID = v1TrapOID(t.Enterprise, t.GenericTrap, t.SpecificTrap)
		return t, nil
	}
	// SNMPv2: sysUpTime.0 and snmpTrapOID.0 come first (RFC 3416 4.2.6);
	// take them wherever they are among the first two.
	for n := 0; n < 2 && len(vbs) > 0; n++ {
		if vbs[0].OID == oidSysUpTime {
			if u, ok := vbs[0].AsUint(); ok {
				t.Uptime = uint32(u)
			}
		} else if vbs[0].OID == oidSnmpTrapOID {
			t.TrapOID = vbs[0].Text
		} else {
			break
		}
		vbs = vbs[1:]
	}
	t.Varbinds = vbs
	t.Enterprise, t.GenericTrap, t.SpecificTrap = v1Fields(t.TrapOID, vbs)
	return t, nil
}

// v1TrapOID is RFC 3584 section 3.1 (2): snmpTraps.(generic+1) for a
// generic trap, else ENTERPRISE.0.SPECIFIC.
func v1TrapOID(enterprise string, generic, specific int) string {
	if generic >= 0 && generic < 6 {
		return oidSnmpTraps + "." + strconv.Itoa(generic+1)
	}
	if enterprise == "" {
		return ""
	}
	return enterprise + ".0." + strconv.Itoa(specific)
}

// v1Fields is RFC 3584 section 3.2: the enterprise, generic-trap and
// specific-trap of a v2 notification.
func v1Fields(trapOID string, vbs []snmp.Value) (enterprise string, generic, specific int) {
	if trapOID == "" {
		return "", 6, 0
	}
	if rest, ok := strings.CutPrefix(trapOID, oidSnmpTraps+"."); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 6 {
			enterprise = oidSnmpTraps
			for _, v := range vbs {
				if v.OID == oidSnmpTrapEnterprise && v.Type == snmp.ObjectIdentifier {
					enterprise = v.Text
				}
			}
			return enterprise, n - 1, 0
		}
	}
	i := strings.LastIndexByte(trapOID, '.')
	if i < 0 {
		return "", 6, 0
	}
	enterprise = trapOID[:i]
	if n, err := strconv.ParseUint(trapOID[i+1:], 10, 32); err == nil {
		specific = int(n)
	}
	if j := strings.LastIndexByte(enterprise, '.'); j >= 0 && enterprise[j+1:] == "0" {
		enterprise = enterprise[:j]
	}
	return enterprise, 6, specific
}
