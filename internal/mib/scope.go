package mib

import (
	"errors"
	"fmt"
)

// ErrUnresolved is wrapped by a FileError for nodes whose OID could not be
// worked out, usually because a module they import is missing.
var ErrUnresolved = errors.New("OID unresolved")

// FileError reports a MIB file that could not be loaded, or loaded only in part.
type FileError struct {
	File   string
	Line   int    // 0 when unknown
	Module string // "" when the file could not be parsed
	Err    error
}

// Error is "FILE:LINE: module M: reason".
func (e *FileError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Module != "" {
		s += ": module " + e.Module
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// scope resolves the names a module imports: the base Names, then the modules
// compiled before it in the same batch.
type scope struct {
	base    *Names
	nodes   map[qkey]string // batch modules' nodes
	byName  map[string]string
	kinds   map[string]Kind // batch nodes by OID
	types   map[qkey]*Type
	tByName map[string]*Type // every type by bare name, for modules that forget an import
}

func newScope(base *Names) *scope {
	s := &scope{
		base:    base,
		nodes:   map[qkey]string{},
		byName:  map[string]string{},
		kinds:   map[string]Kind{},
		types:   map[qkey]*Type{},
		tByName: map[string]*Type{},
	}
	for _, m := range base.mods {
		for i := range m.Types {
			if _, ok := s.tByName[m.Types[i].Name]; !ok {
				s.tByName[m.Types[i].Name] = &m.Types[i]
			}
		}
	}
	return s
}

// add makes a compiled module's names visible to the modules after it.
func (s *scope) add(m *Module) {
	for i := range m.Nodes {
		nd := &m.Nodes[i]
		s.nodes[qkey{m.Name, nd.Name}] = nd.OID
		if _, ok := s.byName[nd.Name]; !ok {
			s.byName[nd.Name] = nd.OID
		}
		s.kinds[nd.OID] = nd.Kind
	}
	for i := range m.Types {
		t := &m.Types[i]
		s.types[qkey{m.Name, t.Name}] = t
		s.tByName[t.Name] = t
	}
}

// smiAlias maps SMIv1 base modules onto SNMPv2-SMI, which holds the same names.
func smiAlias(module string) string {
	if module == "RFC1065-SMI" {
		return "RFC1155-SMI"
	}
	return module
}

func (s *scope) nodeOID(module, name string) (string, bool) {
	module = smiAlias(module)
	if oid, ok := s.nodes[qkey{module, name}]; ok {
		return oid, true
	}
	if nd := s.base.byQName[qkey{module, name}]; nd != nil {
		return nd.OID, true
	}
	return "", false
}

func (s *scope) anyOID(name string) (string, bool) {
	if nd := s.base.byName[name]; nd != nil {
		return nd.OID, true
	}
	oid, ok := s.byName[name]
	return oid, ok
}

func (s *scope) hasOID(oid string) bool {
	if _, ok := s.kinds[oid]; ok {
		return true
	}
	_, ok := s.base.byOID[oid]
	return ok
}

func (s *scope) kindAt(oid string) Kind {
	if k, ok := s.kinds[oid]; ok {
		return k
	}
	if nd := s.base.byOID[oid]; nd != nil {
		return nd.Kind
	}
	return KindUnknown
}

func (s *scope) typ(module, name string) (*Type, bool) {
	if t, ok := s.types[qkey{module, name}]; ok {
		return t, true
	}
	t, ok := s.base.types[qkey{module, name}]
	return t, ok
}

func (s *scope) anyType(name string) (*Type, bool) {
	t, ok := s.tByName[name]
	return t, ok
}
