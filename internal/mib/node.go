package mib

import "fmt"

// Kind is what a MIB node is: an object, a table part, a notification, or a
// registration point in the OID tree.
type Kind uint8

// The kinds of node, following libsmi's node kinds.
const (
	KindUnknown      Kind = iota
	KindNode              // OBJECT IDENTIFIER value or OBJECT-IDENTITY: a registration point
	KindModule            // MODULE-IDENTITY
	KindScalar            // OBJECT-TYPE outside any table: read as NAME.0
	KindTable             // OBJECT-TYPE with SYNTAX SEQUENCE OF
	KindRow               // the table's entry (INDEX or AUGMENTS)
	KindColumn            // OBJECT-TYPE under a row: read as NAME.INDEX
	KindNotification      // SMIv2 NOTIFICATION-TYPE
	KindTrap              // SMIv1 TRAP-TYPE, at its SNMPv2 OID (ENTERPRISE.0.N, RFC 3584)
	KindGroup             // OBJECT-GROUP or NOTIFICATION-GROUP
	KindCompliance        // MODULE-COMPLIANCE
	KindCapabilities      // AGENT-CAPABILITIES
)

// String is the kind's lower-case name, as stored in the generated table.
func (k Kind) String() string {
	switch k {
	case KindUnknown:
		return "unknown"
	case KindNode:
		return "node"
	case KindModule:
		return "module"
	case KindScalar:
		return "scalar"
	case KindTable:
		return "table"
	case KindRow:
		return "row"
	case KindColumn:
		return "column"
	case KindNotification:
		return "notification"
	case KindTrap:
		return "trap"
	case KindGroup:
		return "group"
	case KindCompliance:
		return "compliance"
	case KindCapabilities:
		return "capabilities"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for k := KindUnknown; k <= KindCapabilities; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return KindUnknown, false
}

// IsNotification reports whether the node names a trap or notification.
func (k Kind) IsNotification() bool { return k == KindNotification || k == KindTrap }

// IsObject reports whether the node is a readable variable (scalar or column).
func (k Kind) IsObject() bool { return k == KindScalar || k == KindColumn }

// Node is one named OID. Values are copies; Enums is shared and must not be modified.
type Node struct {
	OID    string // numeric, dotted, no leading dot
	Module string // defining module, "IF-MIB"
	Name   string // descriptor, "ifInOctets"
	Kind   Kind
	// Syntax is the type as the module declares it: a base type ("Counter32",
	// "INTEGER", "OCTET STRING") or a textual convention ("DisplayString").
	Syntax string
	// TC is the qualified textual convention behind Syntax
	// ("SNMPv2-TC::DisplayString"), empty for base types.
	TC    string
	Base  string           // underlying SMI base type: "OCTET STRING", "Counter64", "BITS" …
	Hint  string           // DISPLAY-HINT of the textual convention, "255a", "1x:"
	Units string           // UNITS clause, "seconds"
	Enums map[int64]string // named numbers (INTEGER) or named bits (BITS)
}

// Qualified is "MODULE::name".
func (n Node) Qualified() string { return n.Module + "::" + n.Name }

// Type is a textual convention or type assignment, resolved down to its base type.
type Type struct {
	Module string
	Name   string
	Base   string // underlying SMI base type
	Hint   string // DISPLAY-HINT, possibly inherited
	Enums  map[int64]string
}

// Qualified is "MODULE::Type".
func (t Type) Qualified() string { return t.Module + "::" + t.Name }

// Module is one compiled MIB module: the unit the generator embeds and
// WithDir adds.
type Module struct {
	Name   string
	SMIv2  bool   // has a MODULE-IDENTITY; wins over SMIv1 modules naming the same OID
	Origin string // where it came from: a file path, or the package of a built-in module
	Types  []Type
	Nodes  []Node
}

// ModuleInfo describes a loaded module.
type ModuleInfo struct {
	Name   string
	SMIv2  bool
	Origin string
	Nodes  int
	Types  int
}
