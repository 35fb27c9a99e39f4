package netmap

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/vantage-monitor/vantage/internal/dur"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse decodes and validates one map file. name is the file's path as the
// user should see it in errors (e.g. "maps/campus.yaml"); its base name
// without extension is the map's name when the file has no name key.
//
// Decoding is strict: unknown keys, duplicate keys and values of the wrong
// type are errors. Every error names the file, the line and the reason; the
// result is a *FileError or several joined (see FileErrors).
func Parse(name string, data []byte) (*Map, error) {
	var p parser
	m, pos := p.file(data)
	if len(p.errs) == 0 {
		if m.Name == "" {
			m.Name = DefaultName(name)
		}
		p.errs = validate(m, pos)
	}
	if len(p.errs) > 0 {
		return nil, joinFileErrors(name, p.errs)
	}
	return m, nil
}

// DefaultName is the map name of a file without a name key: its base name
// without extension ("maps/campus.yaml" → "campus").
func DefaultName(file string) string {
	if file == "" {
		return ""
	}
	base := filepath.Base(file)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// positions remembers where each item and key was written, so that
// semantic errors found after decoding can still name their line.
type positions struct {
	name, vantage, snmp, geo, label int
	devices                         []itemPos
	networks                        []itemPos
	links                           []int
}

type itemPos struct {
	line int
	keys map[string]int
}

func (ip itemPos) at(key string) int {
	if l, ok := ip.keys[key]; ok {
		return l
	}
	return ip.line
}

// device returns the line of device i's key, of the device itself when the
// key is absent, or 0 without positions (a map built in code).
func (ps *positions) device(i int, key string) int {
	if ps == nil || i >= len(ps.devices) {
		return 0
	}
	return ps.devices[i].at(key)
}

func (ps *positions) network(i int, key string) int {
	if ps == nil || i >= len(ps.networks) {
		return 0
	}
	return ps.networks[i].at(key)
}

func (ps *positions) link(i int) int {
	if ps == nil || i >= len(ps.links) {
		return 0
	}
	return ps.links[i]
}

func (ps *positions) top(key string) int {
	if ps == nil {
		return 0
	}
	switch key {
	case "name":
		return ps.name
	case "snmp":
		return ps.snmp
	case "geo":
		return ps.geo
	case "label_template":
		return ps.label
	}
	return ps.vantage
}

// parser walks the yaml.Node tree by hand rather than decoding into the
// structs: that is how it can name the line and the object of every error,
// refuse unknown keys, and go on to report more than the first problem.
type parser struct {
	errs []*FileError
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &FileError{Line: line, Reason: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntax turns a yaml.v3 syntax error into a FileError with its line.
func (p *parser) syntax(err error) {
	msg := err.Error()
	if sm := yamlLineRE.FindStringSubmatch(msg); sm != nil {
		line, _ := strconv.Atoi(sm[1])
		p.errorf(line, "invalid YAML: %s", sm[2])
		return
	}
	p.errorf(0, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

func (p *parser) file(data []byte) (*Map, *positions) {
	m, pos := &Map{}, &positions{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(0, "empty map file")
		} else {
			p.syntax(err)
		}
		return m, pos
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			p.syntax(err)
		} else {
			p.errorf(more.Line, "only one YAML document is allowed in a map file")
		}
		return m, pos
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = deref(root.Content[0])
	}
	if root.ShortTag() == "!!null" {
		p.errorf(root.Line, "empty map file")
		return m, pos
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root.Line, "a map file must be a mapping with name, devices, networks and links")
		return m, pos
	}
	p.mapping(root, "map", func(key string, line int, v *yaml.Node) {
		switch key {
		case "name":
			pos.name = line
			m.Name = p.str(v, "map", key)
		case "vantage":
			pos.vantage = line
			m.Vantage = p.str(v, "map", key)
		case "snmp":
			pos.snmp = line
			m.SNMP = p.snmp(v, "map")
		case "geo":
			pos.geo = line
			m.Geo = p.geo(v)
		case "label_template":
			pos.label = line
			m.LabelTemplate = p.str(v, "map", key)
		case "devices":
			p.seq(v, key, func(i int, n *yaml.Node) {
				d, ip := p.device(n, i)
				m.Devices = append(m.Devices, d)
				pos.devices = append(pos.devices, ip)
			})
		case "networks":
			p.seq(v, key, func(i int, n *yaml.Node) {
				nw, ip := p.network(n, i)
				m.Networks = append(m.Networks, nw)
				pos.networks = append(pos.networks, ip)
			})
		case "links":
			p.seq(v, key, func(i int, n *yaml.Node) {
				m.Links = append(m.Links, p.link(n, i))
				pos.links = append(pos.links, n.Line)
			})
		default:
			p.errorf(line, "unknown key %q (expected name, vantage, snmp, geo, label_template, devices, networks or links)", key)
		}
	})
	return m, pos
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "scalar"
}

// mapping calls fn for each key of n, refusing non-string and duplicate
// keys. what names the object in errors.
func (p *parser) mapping(n *yaml.Node, what string, fn func(key string, line int, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(k.Line, "%s: keys must be strings, not a %s", what, kindName(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k.Line, "%s: duplicate key %q (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k.Line, v)
	}
}

// seq calls fn for each item of a sequence; null means empty.
func (p *parser) seq(n *yaml.Node, key string, fn func(i int, item *yaml.Node)) {
	if n.ShortTag() == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n.Line, "%s must be a sequence, not a %s", key, kindName(n))
		return
	}
	for i, item := range n.Content {
		fn(i, deref(item))
	}
}

func (p *parser) str(v *yaml.Node, what, key string) string {
	if v.Kind != yaml.ScalarNode {
		p.errorf(v.Line, "%s: %s must be a string, not a %s", what, key, kindName(v))
		return ""
	}
	switch v.ShortTag() {
	case "!!null":
		return ""
	case "!!binary":
		var s string
		if err := v.Decode(&s); err != nil {
			p.errorf(v.Line, "%s: %s: invalid binary value", what, key)
		}
		return s
	}
	return v.Value
}

func (p *parser) float(v *yaml.Node, what, key string) float64 {
	var f float64
	if v.Kind != yaml.ScalarNode || v.Decode(&f) != nil {
		p.errorf(v.Line, "%s: %s must be a number, not %s", what, key, describe(v))
	}
	return f
}

func (p *parser) floatPtr(v *yaml.Node, what, key string) *float64 {
	if v.ShortTag() == "!!null" {
		return nil
	}
	f := p.float(v, what, key)
	return &f
}

func (p *parser) int(v *yaml.Node, what, key string) int {
	var i int
	if v.ShortTag() == "!!null" {
		return 0
	}
	// yaml.v3 would truncate 2.5 into an int; only an integer will do.
	if v.ShortTag() != "!!int" || v.Decode(&i) != nil {
		p.errorf(v.Line, "%s: %s must be an integer, not %s", what, key, describe(v))
	}
	return i
}

func (p *parser) duration(v *yaml.Node, what, key string) Duration {
	if v.Kind != yaml.ScalarNode {
		p.errorf(v.Line, "%s: %s must be a duration, not a %s", what, key, kindName(v))
		return 0
	}
	if v.ShortTag() == "!!null" {
		return 0
	}
	d, err := dur.Parse(v.Value)
	if err != nil {
		p.errorf(v.Line, "%s: %s: %v", what, key, err)
	}
	return d
}

func describe(v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode {
		return strconv.Quote(v.Value)
	}
	return "a " + kindName(v)
}
