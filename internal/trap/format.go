package trap

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// genericName names SNMPv1 generic traps 0-5 as InterMapper logs them.
func genericName(g int) (string, bool) {
	switch g {
	case 0:
		return "coldStart", true
	case 1:
		return "warmStart", true
	case 2:
		return "linkDown", true
	case 3:
		return "linkUp", true
	case 4:
		return "authenticationFailure", true
	case 5:
		return "egpNeighborLoss", true
	}
	return "", false
}

// maxLoggedValue caps one value in a log line, in bytes.
const maxLoggedValue = 512

// FormatShort is the event-log message of a trap in InterMapper's short
// form (the part after "map:device :: "):
//
//	coldStart
//	linkUp, ifIndex = 1
//	1.3.6.1.4.1.6306 (333) { "321", "456" } (via 192.168.1.233)
//	NET-SNMP-EXAMPLES-MIB::netSnmpExampleHeartbeatNotification { "123" }
//	1.3.6.1.4.1.3845 (8) { <no variables> }
//
// A generic trap (v1, or its RFC 3584 v2 equivalent) is named; an SNMPv1
// enterprise-specific trap shows its enterprise and specific number; a v2c
// or v3 notification shows its snmpTrapOID. "(via …)" names the sender of
// a relayed trap. OIDs are named by n (nil: numeric).
func FormatShort(t Trap, n Namer) string { return format(t, n, false) }

// FormatVerbose is the verbose form: the varbinds with their OIDs, also
// for generic traps:
//
//	1.3.6.1.4.1.6306 (333) { 1.3.6.1.4.1.6306.1 : "321", 1.3.6.1.4.1.6306.2 : "456" }
func FormatVerbose(t Trap, n Namer) string { return format(t, n, true) }

// UnmatchedMap stands in the map column of the event-log line of a trap no
// device received: "TRAP (not on map):192.0.2.9 :: …".
const UnmatchedMap = "(not on map)"

// FormatUnmatched is the message of a trap no device received, after
// InterMapper's `trap "y.y.y.y (not on map) :: text"`.
func FormatUnmatched(t Trap, n Namer, verbose bool) string {
	return t.DeviceAddr().String() + " (not on map) :: " + format(t, n, verbose)
}

func format(t Trap, n Namer, verbose bool) string {
	var b strings.Builder
	b.Grow(64 + 24*len(t.Varbinds))
	name := func(oid string) string {
		if n == nil {
			return oid
		}
		return n.Name(oid)
	}
	gname, generic := genericName(t.GenericTrap)
	switch {
	case generic:
		b.WriteString(gname)
		if t.GenericTrap == 2 || t.GenericTrap == 3 {
			for _, v := range t.Varbinds {
				if strings.HasPrefix(v.OID, oidIfIndex+".") {
					b.WriteString(", ifIndex = ")
					b.WriteString(v.AsString())
					break
				}
			}
		}
	case t.Version == "1" || t.TrapOID == "":
		b.WriteString(name(t.Enterprise))
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(t.SpecificTrap))
		b.WriteByte(')')
	default:
		b.WriteString(name(t.TrapOID))
	}
	if !generic || verbose {
		b.WriteString(" {")
		if len(t.Varbinds) == 0 {
			b.WriteString(" <no variables>")
		}
		for i, v := range t.Varbinds {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
			if verbose {
				b.WriteString(name(v.OID))
				b.WriteString(" : ")
			}
			b.WriteString(quote(v))
		}
		b.WriteString(" }")
	}
	if t.Relayed() {
		b.WriteString(" (via ")
		b.WriteString(t.Sender.Addr().String())
		b.WriteByte(')')
	}
	return b.String()
}

// quote is the value in double quotes, Go-escaped, at most
// maxLoggedValue bytes of it.
func quote(v snmp.Value) string {
	s := v.AsString()
	if len(s) > maxLoggedValue {
		cut := maxLoggedValue
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}
