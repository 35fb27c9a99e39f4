package mib

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sleepinggenius2/gosmi/parser"
)

// snmpOID is RFC1213-MIB::snmp, the ENTERPRISE of the generic traps; RFC 3584
// puts generic trap N at snmpTraps.(N+1).
const (
	snmpOID      = "1.3.6.1.2.1.11"
	snmpTrapsOID = "1.3.6.1.6.3.1.1.5"
)

// compiler turns one parsed module (gosmi's syntax tree) into a Module,
// resolving OIDs and types against a scope. gosmi's own resolver (package smi)
// keeps libsmi-style global state; its parser does not, so compiling here keeps
// this package free of global state and safe for concurrent use.
type compiler struct {
	sc       *scope
	file     string
	pm       *parser.Module
	out      Module
	imports  map[string]string // symbol → module it is imported from
	nodes    map[string]*parser.Node
	oids     map[string]string // resolved local names
	visiting map[string]bool
	ptypes   map[string]*parser.Type
	types    map[string]*Type // resolved local types
	seqTypes map[string]bool
	unplaced []string
	line     int    // of the first unplaced node
	missing  string // the last descriptor no module defines, for the error
}

// compile builds the module; err lists the nodes whose OID could not be resolved.
func compile(pm *parser.Module, file string, sc *scope) (Module, error) {
	c := &compiler{
		sc: sc, file: file, pm: pm,
		out:      Module{Name: string(pm.Name), SMIv2: pm.Body.Identity != nil, Origin: file},
		imports:  map[string]string{},
		nodes:    map[string]*parser.Node{},
		oids:     map[string]string{},
		visiting: map[string]bool{},
		ptypes:   map[string]*parser.Type{},
		types:    map[string]*Type{},
		seqTypes: map[string]bool{},
	}
	for _, imp := range pm.Body.Imports {
		for _, name := range imp.Names {
			c.imports[string(name)] = string(imp.Module)
		}
	}
	for i := range pm.Body.Types {
		t := &pm.Body.Types[i]
		if t.Sequence != nil {
			c.seqTypes[string(t.Name)] = true
		} else {
			c.ptypes[string(t.Name)] = t
		}
	}
	for i := range pm.Body.Nodes {
		c.nodes[string(pm.Body.Nodes[i].Name)] = &pm.Body.Nodes[i]
	}
	for i := range pm.Body.Types {
		if name := string(pm.Body.Types[i].Name); c.ptypes[name] != nil {
			if t := c.localType(name); t != nil {
				c.out.Types = append(c.out.Types, *t)
			}
		}
	}
	if id := pm.Body.Identity; id != nil {
		if oid, ok := c.resolveOid(&id.Oid); ok {
			c.oids[string(id.Name)] = oid
			c.add(Node{OID: oid, Name: string(id.Name), Kind: KindModule})
		} else {
			c.unplace(string(id.Name), id.Pos.Line)
		}
	}
	rows := map[string]bool{}
	var objects []int // indexes into out.Nodes of OBJECT-TYPEs, classified last
	for i := range pm.Body.Nodes {
		pn := &pm.Body.Nodes[i]
		name := string(pn.Name)
		c.missing = ""
		oid, ok := c.resolveName(name)
		if !ok {
			c.unplace(name, pn.Pos.Line)
			continue
		}
		nd := Node{OID: oid, Name: name, Kind: KindNode}
		switch {
		case pn.ObjectType != nil:
			c.objectType(&nd, pn.ObjectType)
			if nd.Kind == KindRow {
				rows[oid] = true
			} else if nd.Kind != KindTable {
				objects = append(objects, len(c.out.Nodes))
			}
		case pn.NotificationType != nil:
			nd.Kind = KindNotification
		case pn.TrapType != nil:
			nd.Kind = KindTrap
		case pn.ObjectGroup != nil, pn.NotificationGroup != nil:
			nd.Kind = KindGroup
		case pn.ModuleCompliance != nil:
			nd.Kind = KindCompliance
		case pn.AgentCapabilities != nil:
			nd.Kind = KindCapabilities
		}
		c.add(nd)
	}
	for _, i := range objects {
		nd := &c.out.Nodes[i]
		parent := nd.OID[:max(strings.LastIndexByte(nd.OID, '.'), 0)]
		if rows[parent] || sc.kindAt(parent) == KindRow {
			nd.Kind = KindColumn
		} else {
			nd.Kind = KindScalar
		}
	}
	if len(c.unplaced) > 0 {
		list := c.unplaced
		if len(list) > 5 {
			list = append(list[:5:5], fmt.Sprintf("and %d more", len(c.unplaced)-5))
		}
		return c.out, &FileError{File: file, Line: c.line, Module: c.out.Name,
			Err: fmt.Errorf("%w: %s", ErrUnresolved, strings.Join(list, ", "))}
	}
	return c.out, nil
}

func (c *compiler) add(nd Node) {
	nd.Module = c.out.Name
	c.out.Nodes = append(c.out.Nodes, nd)
}

func (c *compiler) unplace(name string, line int) {
	if len(c.unplaced) == 0 {
		c.line = line
	}
	if c.missing != "" {
		name += " (unknown " + c.missing + ")"
		c.missing = ""
	}
	c.unplaced = append(c.unplaced, name)
}

// objectType fills syntax details and tells tables and rows apart.
func (c *compiler) objectType(nd *Node, ot *parser.ObjectType) {
	nd.Kind = KindScalar
	nd.Units = ot.Units
	if ot.Syntax.Sequence != nil {
		nd.Kind = KindTable
		return
	}
	st := ot.Syntax.Type
	if st == nil {
		return
	}
	name := string(st.Name)
	if len(ot.Index) > 0 || ot.Augments != nil || c.seqTypes[name] {
		nd.Kind = KindRow
		return
	}
	nd.Syntax = name
	base, tc := c.resolveType(name)
	nd.Base = base
	if tc != nil {
		nd.TC, nd.Hint, nd.Enums = tc.Qualified(), tc.Hint, tc.Enums
	}
	if len(st.Enum) > 0 {
		nd.Enums = enums(st.Enum)
	}
}

// enums converts named numbers, skipping any the parser let through unparsable.
func enums(nn []parser.NamedNumber) map[int64]string {
	e := make(map[int64]string, len(nn))
	for _, n := range nn {
		if v, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			e[v] = string(n.Name)
		}
	}
	return e
}

// resolveName finds the OID of a descriptor: local, imported, or (leniently,
// for modules that forget an import) known from any loaded module.
func (c *compiler) resolveName(name string) (string, bool) {
	if oid, ok := c.oids[name]; ok {
		return oid, true
	}
	if pn, ok := c.nodes[name]; ok {
		if c.visiting[name] {
			return "", false
		}
		c.visiting[name] = true
		defer delete(c.visiting, name)
		var oid string
		var ok bool
		if pn.TrapType != nil {
			oid, ok = c.trapOID(pn)
		} else if pn.Oid != nil {
			oid, ok = c.resolveOid(pn.Oid)
		}
		if ok {
			c.oids[name] = oid
		}
		return oid, ok
	}
	module, imported := c.imports[name]
	if imported {
		if oid, ok := c.sc.nodeOID(module, name); ok {
			return oid, true
		}
	}
	if oid, ok := c.sc.anyOID(name); ok {
		return oid, true
	}
	c.missing = name
	if imported {
		c.missing += " from " + module
	}
	return "", false
}

// trapOID places an SMIv1 TRAP-TYPE at its SNMPv2 OID (RFC 3584 section 3.1).
func (c *compiler) trapOID(pn *parser.Node) (string, bool) {
	if pn.SubIdentifier == nil {
		return "", false
	}
	ent, ok := c.resolveName(string(pn.TrapType.Enterprise))
	if !ok {
		return "", false
	}
	n := uint64(*pn.SubIdentifier)
	if ent == snmpOID {
		return snmpTrapsOID + "." + strconv.FormatUint(n+1, 10), true
	}
	return ent + ".0." + strconv.FormatUint(n, 10), true
}

// resolveOid evaluates an OID value such as { ifEntry 10 } or
// { iso org(3) dod(6) 1 }; name(number) components define their names.
func (c *compiler) resolveOid(o *parser.Oid) (string, bool) {
	if o == nil || len(o.SubIdentifiers) == 0 {
		return "", false
	}
	var b strings.Builder
	for i, sub := range o.SubIdentifiers {
		switch {
		case i == 0 && sub.Name != nil:
			oid, ok := c.resolveName(string(*sub.Name))
			if !ok && sub.Number == nil {
				return "", false
			}
			if !ok {
				oid = strconv.FormatUint(uint64(*sub.Number), 10)
			}
			b.WriteString(oid)
		case sub.Number == nil:
			return "", false // a bare name after the first component means nothing
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(strconv.FormatUint(uint64(*sub.Number), 10))
			if sub.Name != nil && i > 0 {
				c.defineIntermediate(string(*sub.Name), b.String())
			}
		}
	}
	return b.String(), true
}

// defineIntermediate names an OID met as name(number) inside an OID value,
// unless the name or the OID is already known.
func (c *compiler) defineIntermediate(name, oid string) {
	if _, ok := c.oids[name]; ok {
		return
	}
	if _, ok := c.nodes[name]; ok {
		return
	}
	c.oids[name] = oid
	if !c.sc.hasOID(oid) {
		c.add(Node{OID: oid, Name: name, Kind: KindNode})
	}
}

// resolveType finds the base type of a type name and, for a textual
// convention or defined type, the type itself.
func (c *compiler) resolveType(name string) (string, *Type) {
	if _, ok := c.ptypes[name]; ok {
		if t := c.localType(name); t != nil {
			return t.Base, t
		}
		return "", nil
	}
	if module, ok := c.imports[name]; ok {
		if IsBaseModule(module) {
			if base, ok := BaseType(name); ok {
				return base, nil
			}
		}
		if t, ok := c.sc.typ(module, name); ok {
			return t.Base, t
		}
	}
	if base, ok := BaseType(name); ok {
		return base, nil
	}
	if t, ok := c.sc.anyType(name); ok {
		return t.Base, t
	}
	return "", nil
}

// localType resolves a type assignment of this module (memoized).
func (c *compiler) localType(name string) *Type {
	if t, ok := c.types[name]; ok {
		return t
	}
	pt := c.ptypes[name]
	if pt == nil || c.visiting["type "+name] {
		return nil
	}
	c.visiting["type "+name] = true
	defer delete(c.visiting, "type "+name)
	t := &Type{Module: c.out.Name, Name: name}
	var st *parser.SyntaxType
	switch {
	case pt.TextualConvention != nil:
		st = &pt.TextualConvention.Syntax
		t.Hint = pt.TextualConvention.DisplayHint
	case pt.Implicit != nil:
		st = &pt.Implicit.Syntax
	default:
		st = pt.Syntax
	}
	if st != nil {
		base, parent := c.resolveType(string(st.Name))
		t.Base = base
		if parent != nil {
			if t.Hint == "" {
				t.Hint = parent.Hint
			}
			t.Enums = parent.Enums
		}
		if len(st.Enum) > 0 {
			t.Enums = enums(st.Enum)
		}
	}
	if base, ok := BaseType(name); ok && pt.Implicit != nil {
		t.Base = base // a module re-declaring an application type, e.g. Counter64
	}
	c.types[name] = t
	return t
}
