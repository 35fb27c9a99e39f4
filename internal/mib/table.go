package mib

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// The compiled table is tab-separated text, one record a line; lines starting
// with '#' are comments:
//
//	M  module  v2|v1  origin
//	T  name  base  hint  enums                                (a type of the module above)
//	N  oid  name  kind  syntax  tc  base  hint  units  enums  (a node of the module above)
//
// Enums are "1:up,2:down". A node whose tc is a known type leaves base, hint
// and enums empty when they equal the type's; the reader takes them from it
// (and shares the type's enum map).

// sanitize keeps a field on its line.
func sanitize(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// formatEnums is "1:up,2:down".
func formatEnums(e map[int64]string) string {
	var b strings.Builder
	for i, k := range sortedEnums(e) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(k, 10))
		b.WriteByte(':')
		b.WriteString(e[k])
	}
	return b.String()
}

// parseEnums is the inverse of formatEnums; "" is nil.
func parseEnums(s string) (map[int64]string, error) {
	if s == "" {
		return nil, nil
	}
	e := make(map[int64]string, strings.Count(s, ",")+1)
	for s != "" {
		var item string
		item, s, _ = strings.Cut(s, ",")
		num, name, ok := strings.Cut(item, ":")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || name == "" {
			return nil, fmt.Errorf("bad enumeration item %q", item)
		}
		e[v] = name
	}
	return e, nil
}

func sameEnums(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// WriteTable writes every loaded module except the built-in SMI base modules
// in the table format, after the header lines given (written as comments).
func (n *Names) WriteTable(w io.Writer, header ...string) error {
	bw := bufio.NewWriter(w)
	for _, h := range header {
		fmt.Fprintf(bw, "# %s\n", sanitize(h))
	}
	for _, m := range n.mods {
		if IsBaseModule(m.Name) {
			continue
		}
		lang := "v1"
		if m.SMIv2 {
			lang = "v2"
		}
		fmt.Fprintf(bw, "M\t%s\t%s\t%s\n", m.Name, lang, sanitize(m.Origin))
		for _, t := range m.Types {
			fmt.Fprintf(bw, "T\t%s\t%s\t%s\t%s\n", t.Name, t.Base, sanitize(t.Hint), formatEnums(t.Enums))
		}
		for _, nd := range m.Nodes {
			base, hint, enums := nd.Base, nd.Hint, formatEnums(nd.Enums)
			if t, ok := n.Type(nd.TC); ok {
				if base == t.Base {
					base = ""
				}
				if hint == t.Hint {
					hint = ""
				}
				if sameEnums(nd.Enums, t.Enums) {
					enums = ""
				}
			}
			fmt.Fprintf(bw, "N\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", nd.OID, nd.Name, nd.Kind,
				sanitize(nd.Syntax), nd.TC, base, sanitize(hint), sanitize(nd.Units), enums)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write MIB table: %w", err)
	}
	return nil
}

// ParseTable reads the table format. Strings in the result share data's memory.
func ParseTable(data string) ([]Module, error) {
	// One backing array for all nodes, so loading makes no garbage copies.
	all := make([]Node, 0, strings.Count(data, "\nN\t")+1)
	var mods []Module
	var cur *Module
	start := 0
	closeModule := func() {
		if cur != nil {
			cur.Nodes = all[start:len(all):len(all)]
			start = len(all)
		}
	}
	var f [10]string
	for lineNo := 1; data != ""; lineNo++ {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		nf := 0
		for rest, more := line, true; more; nf++ {
			if nf == len(f) {
				return nil, fmt.Errorf("MIB table line %d: too many fields", lineNo)
			}
			f[nf], rest, more = strings.Cut(rest, "\t")
		}
		bad := func(why string) error { return fmt.Errorf("MIB table line %d: %s", lineNo, why) }
		switch {
		case f[0] == "M" && nf == 4:
			closeModule()
			mods = append(mods, Module{Name: f[1], SMIv2: f[2] == "v2", Origin: f[3]})
			cur = &mods[len(mods)-1]
		case cur == nil:
			return nil, bad("record before the first module")
		case f[0] == "T" && nf == 5:
			e, err := parseEnums(f[4])
			if err != nil {
				return nil, bad(err.Error())
			}
			cur.Types = append(cur.Types, Type{Module: cur.Name, Name: f[1], Base: f[2], Hint: f[3], Enums: e})
		case f[0] == "N" && nf == 10:
			kind, ok := ParseKind(f[3])
			if !ok {
				return nil, bad("unknown kind " + strconv.Quote(f[3]))
			}
			e, err := parseEnums(f[9])
			if err != nil {
				return nil, bad(err.Error())
			}
			all = append(all, Node{OID: f[1], Module: cur.Name, Name: f[2], Kind: kind,
				Syntax: f[4], TC: f[5], Base: f[6], Hint: f[7], Units: f[8], Enums: e})
		default:
			return nil, bad("malformed record")
		}
	}
	closeModule()
	inheritTypes(mods)
	return mods, nil
}

// inheritTypes fills the base, hint and enums a node left empty from its type.
func inheritTypes(mods []Module) {
	types := map[qkey]*Type{}
	for i := range mods {
		for j := range mods[i].Types {
			t := &mods[i].Types[j]
			types[qkey{t.Module, t.Name}] = t
		}
	}
	for i := range mods {
		for j := range mods[i].Nodes {
			nd := &mods[i].Nodes[j]
			if nd.TC == "" {
				continue
			}
			module, name, _ := strings.Cut(nd.TC, "::")
			t, ok := types[qkey{module, name}]
			if !ok {
				continue
			}
			if nd.Base == "" {
				nd.Base = t.Base
			}
			if nd.Hint == "" {
				nd.Hint = t.Hint
			}
			if nd.Enums == nil {
				nd.Enums = t.Enums
			}
		}
	}
}

// WriteEnterprises writes IANA private-enterprise numbers as "number<TAB>name"
// lines in ascending order.
func WriteEnterprises(w io.Writer, names map[int]string) error {
	nums := make([]int, 0, len(names))
	for k := range names {
		nums = append(nums, k)
	}
	sort.Ints(nums)
	bw := bufio.NewWriter(w)
	for _, k := range nums {
		fmt.Fprintf(bw, "%d\t%s\n", k, sanitize(names[k]))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write enterprise numbers: %w", err)
	}
	return nil
}

// ParseEnterprises reads WriteEnterprises' format into a slice indexed by
// number. Names share data's memory.
func ParseEnterprises(data string) ([]string, error) {
	ent := make([]string, 0, strings.Count(data, "\n")+1)
	for lineNo := 1; data != ""; lineNo++ {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		num, name, ok := strings.Cut(line, "\t")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 0 || v > 1<<22 {
			return nil, fmt.Errorf("enterprise numbers line %d: malformed record", lineNo)
		}
		for len(ent) <= v {
			ent = append(ent, "")
		}
		ent[v] = name
	}
	return ent, nil
}

// WithEnterprises returns a copy of n that names enterprises from ent
// (indexed by number, "" for unassigned).
func (n *Names) WithEnterprises(ent []string) *Names {
	return n.withEnterpriseTable(&enterpriseTable{names: ent})
}

func (n *Names) withEnterpriseTable(t *enterpriseTable) *Names {
	c := *n
	c.ent = t
	return &c
}
