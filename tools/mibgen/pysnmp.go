package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/mib"
)

// The pysnmp modules of python3-pysnmp4-mibs were written by libsmi's
// "smidump -f python" (libsmi2pysnmp 0.1.3) and are regular, one statement a
// line:
//
//	( Integer32, mib_2, ) = mibBuilder.importSymbols("SNMPv2-SMI", "Integer32", "mib-2")
//	class OwnerString(TextualConvention, OctetString):
//	    displayHint = "255a"
//	    namedValues = NamedValues(("up", 1), ("down", 2), )
//	ifIndex = MibTableColumn((1, 3, 6, 1, 2, 1, 2, 2, 1, 1), InterfaceIndex()).setMaxAccess("readonly")
//	es_is = MibIdentifier((1, 3, 6, 1, 3, 1, 4)).setLabel("es-is")
//
// OIDs are absolute, so only types need resolving.

var (
	pyImport = regexp.MustCompile(`^\((.*)\) = mibBuilder\.importSymbols\((.*)\)\s*$`)
	pyClass  = regexp.MustCompile(`^class (\w+)\(([\w, ]+)\):`)
	pyObject = regexp.MustCompile(`^(\w+) = (\w+)\(\(([0-9, ]+)\)(.*)$`)
	pyString = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	pyHint   = regexp.MustCompile(`^\s+displayHint = "((?:[^"\\]|\\.)*)"`)
	pySyntax = regexp.MustCompile(`^, (\w+)\(`)
	pyLabel  = regexp.MustCompile(`\.setLabel\("([^"]+)"\)`)
	pyUnits  = regexp.MustCompile(`\.setUnits\("((?:[^"\\]|\\.)*)"\)`)
	pyPair   = regexp.MustCompile(`\("([^"]+)", (-?\d+)\)`)
)

// pyKind maps pysnmp constructors to node kinds.
func pyKind(ctor string) (mib.Kind, bool) {
	switch ctor {
	case "MibIdentifier", "ObjectIdentity":
		return mib.KindNode, true
	case "ModuleIdentity":
		return mib.KindModule, true
	case "MibScalar":
		return mib.KindScalar, true
	case "MibTable":
		return mib.KindTable, true
	case "MibTableRow":
		return mib.KindRow, true
	case "MibTableColumn":
		return mib.KindColumn, true
	case "NotificationType":
		return mib.KindNotification, true
	case "ObjectGroup", "NotificationGroup":
		return mib.KindGroup, true
	case "ModuleCompliance":
		return mib.KindCompliance, true
	case "AgentCapabilities":
		return mib.KindCapabilities, true
	}
	return mib.KindUnknown, false
}

// pyBase maps pysnmp's ASN.1 classes to SMI base types.
func pyBase(class string) (string, bool) {
	switch class {
	case "Integer":
		return "INTEGER", true
	case "OctetString":
		return "OCTET STRING", true
	case "ObjectIdentifier":
		return "OBJECT IDENTIFIER", true
	case "Bits":
		return "BITS", true
	}
	return mib.BaseType(class)
}

type pyClassDef struct {
	name, parent, hint string
	enums              map[int64]string
}

type pyFile struct {
	name    string
	path    string
	imports map[string][2]string // Python name → module, symbol
	classes []pyClassDef
	lines   []string
}

// readPysnmp reads every module in dir that names does not already have.
func readPysnmp(dir string, names *mib.Names) ([]mib.Module, []error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.py"))
	if err != nil || len(paths) == 0 {
		return nil, []error{fmt.Errorf("no pysnmp modules in %s", dir)}
	}
	have := map[string]bool{}
	for _, m := range names.Modules() {
		have[m.Name] = true
	}
	files := map[string]*pyFile{}
	var order []string
	var errs []error
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".py")
		if strings.HasPrefix(name, "__") || have[name] {
			continue
		}
		f, err := loadPy(p, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files[name] = f
		order = append(order, name)
	}
	r := &pyResolver{names: names, files: files, types: map[string]*mib.Type{}}
	done := map[string]bool{}
	var mods []mib.Module
	var visit func(string)
	visit = func(name string) {
		f, ok := files[name]
		if !ok || done[name] {
			return
		}
		done[name] = true
		deps := make([]string, 0, len(f.imports))
		for _, imp := range f.imports {
			deps = append(deps, imp[0])
		}
		sort.Strings(deps)
		for _, dep := range deps {
			visit(dep)
		}
		mods = append(mods, r.module(f))
	}
	for _, name := range order {
		visit(name)
	}
	return mods, errs
}

func loadPy(path, name string) (*pyFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pysnmp module %s: %w", name, err)
	}
	f := &pyFile{name: name, path: path, imports: map[string][2]string{}}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := pyImport.FindStringSubmatch(line); m != nil {
			vars := splitList(m[1])
			args := pyString.FindAllStringSubmatch(m[2], -1)
			if len(args) != len(vars)+1 {
				return nil, fmt.Errorf("%s:%d: import list does not match", path, i+1)
			}
			for j, v := range vars {
				f.imports[v] = [2]string{args[0][1], args[j+1][1]}
			}
			continue
		}
		if m := pyClass.FindStringSubmatch(line); m != nil {
			c := pyClassDef{name: m[1]}
			for _, b := range splitList(m[2]) {
				if b != "TextualConvention" {
					c.parent = b
				}
			}
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    ") {
				i++
				if h := pyHint.FindStringSubmatch(lines[i]); h != nil {
					c.hint = unquote(h[1])
				}
				if strings.Contains(lines[i], "namedValues = NamedValues(") {
					c.enums = pyEnums(lines[i])
				}
			}
			f.classes = append(f.classes, c)
			continue
		}
		f.lines = append(f.lines, line)
	}
	return f, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func unquote(s string) string {
	if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
		return u
	}
	return s
}

// pyEnums reads the NamedValues((name, n), …) in s.
func pyEnums(s string) map[int64]string {
	i := strings.Index(s, "NamedValues(")
	if i < 0 {
		return nil
	}
	s = s[i:]
	if j := strings.Index(s, ", ))"); j >= 0 {
		s = s[:j+3]
	}
	e := map[int64]string{}
	for _, m := range pyPair.FindAllStringSubmatch(s, -1) {
		if v, err := strconv.ParseInt(m[2], 10, 64); err == nil {
			e[v] = m[1]
		}
	}
	return e
}

// pyResolver resolves type names across the text modules and pysnmp modules.
type pyResolver struct {
	names *mib.Names
	files map[string]*pyFile
	types map[string]*mib.Type // "MODULE::Type" of pysnmp modules done so far
}

// typ resolves a Python type name used in module f to its base and, for a
// textual convention, the type; display is the SMI spelling.
func (r *pyResolver) typ(f *pyFile, name string) (display, base string, t *mib.Type) {
	if base, ok := pyBase(name); ok {
		if name == "Integer" || name == "OctetString" || name == "ObjectIdentifier" || name == "Bits" {
			return base, base, nil
		}
		return name, base, nil
	}
	module, symbol := f.name, name
	if imp, ok := f.imports[name]; ok {
		module, symbol = imp[0], imp[1]
		if base, ok := mib.BaseType(symbol); ok && mib.IsBaseModule(module) {
			return symbol, base, nil
		}
	}
	q := module + "::" + symbol
	if t, ok := r.types[q]; ok {
		return symbol, t.Base, t
	}
	if t, ok := r.names.Type(q); ok {
		return symbol, t.Base, &t
	}
	return symbol, "", nil
}

// module converts one pysnmp module; its imports are already converted.
func (r *pyResolver) module(f *pyFile) mib.Module {
	m := mib.Module{Name: f.name, Origin: f.path}
	for _, c := range f.classes {
		_, base, parent := r.typ(f, c.parent)
		t := mib.Type{Module: f.name, Name: c.name, Base: base, Hint: c.hint, Enums: c.enums}
		if parent != nil {
			if t.Hint == "" {
				t.Hint = parent.Hint
			}
			if t.Enums == nil {
				t.Enums = parent.Enums
			}
		}
		m.Types = append(m.Types, t)
		r.types[t.Qualified()] = &m.Types[len(m.Types)-1]
	}
	for i := range m.Types { // re-point after appends may have moved the slice
		r.types[m.Types[i].Qualified()] = &m.Types[i]
	}
	for _, line := range f.lines {
		o := pyObject.FindStringSubmatch(line)
		if o == nil {
			continue
		}
		kind, ok := pyKind(o[2])
		if !ok {
			continue
		}
		if kind == mib.KindModule {
			m.SMIv2 = true
		}
		nd := mib.Node{OID: strings.Join(splitList(o[3]), "."), Module: f.name, Name: o[1], Kind: kind}
		rest := o[4]
		if l := pyLabel.FindStringSubmatch(rest); l != nil {
			nd.Name = l[1]
		}
		if u := pyUnits.FindStringSubmatch(rest); u != nil {
			nd.Units = unquote(u[1])
		}
		if s := pySyntax.FindStringSubmatch(rest); s != nil && kind.IsObject() {
			display, base, t := r.typ(f, s[1])
			nd.Syntax, nd.Base = display, base
			if t != nil {
				nd.TC, nd.Hint, nd.Enums = t.Qualified(), t.Hint, t.Enums
			}
			if strings.Contains(rest, "namedValues=NamedValues(") {
				nd.Enums = pyEnums(rest)
			}
		}
		m.Nodes = append(m.Nodes, nd)
	}
	return m
}
