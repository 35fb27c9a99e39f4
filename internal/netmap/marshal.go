package netmap

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Marshal writes m as a map file: keys in the order of DESIGN.md (name,
// vantage, devices, networks, links; a device's name, address, probe …),
// short flow forms for CIDRs, small parameter sets and links ("- [gw,
// lan]"), and empty optional fields left out. Auto links are derived from
// addresses and are not written. Parse(Marshal(m)) equals m for any m that
// Parse produced. Marshal does not validate; see Map.Validate.
func Marshal(m *Map) ([]byte, error) {
	root := mapping(false)
	addStr(root, "name", m.Name, true)
	addStr(root, "vantage", m.Vantage, false)
	if m.SNMP != nil {
		add(root, "snmp", snmpNode(m.SNMP))
	}
	if m.Geo != nil && len(m.Geo.Benchmarks) > 0 {
		add(root, "geo", geoNode(m.Geo))
	}
	addStr(root, "label_template", m.LabelTemplate, false)
	if len(m.Devices) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, d := range m.Devices {
			seq.Content = append(seq.Content, deviceNode(d))
		}
		add(root, "devices", seq)
	}
	if len(m.Networks) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, n := range m.Networks {
			nn := mapping(false)
			addStr(nn, "name", n.Name, true)
			cidrs := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, c := range n.CIDRs {
				cidrs.Content = append(cidrs.Content, strNode(c))
			}
			add(nn, "cidrs", cidrs)
			addNum(nn, "x", n.X)
			addNum(nn, "y", n.Y)
			seq.Content = append(seq.Content, nn)
		}
		add(root, "networks", seq)
	}
	links := &yaml.Node{Kind: yaml.SequenceNode}
	for _, l := range m.Links {
		if !l.Auto {
			links.Content = append(links.Content, linkNode(l))
		}
	}
	if len(links.Content) > 0 {
		add(root, "links", links)
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encoding map %q: %w", m.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding map %q: %w", m.Name, err)
	}
	return buf.Bytes(), nil
}

func deviceNode(d Device) *yaml.Node {
	n := mapping(false)
	addStr(n, "name", d.Name, true)
	addStr(n, "address", d.Address, true)
	addStr(n, "label", d.Label, false)
	addStr(n, "probe", d.Probe, false)
	if len(d.Params) > 0 {
		p := mapping(false)
		for _, k := range slices.Sorted(maps.Keys(d.Params)) {
			addStr(p, k, d.Params[k], true)
		}
		add(n, "params", oneLine(p))
	}
	if d.Interval != 0 {
		addStr(n, "interval", d.Interval.String(), true)
	}
	addNum(n, "x", d.X)
	addNum(n, "y", d.Y)
	if d.Lat != nil {
		addNum(n, "lat", *d.Lat)
	}
	if d.Lon != nil {
		addNum(n, "lon", *d.Lon)
	}
	addStr(n, "mask", d.Mask, false)
	if d.SNMP != nil {
		add(n, "snmp", snmpNode(d.SNMP))
	}
	if d.DownAfter != 0 {
		addNum(n, "down_after", d.DownAfter)
	}
	if d.Timeout != 0 {
		addStr(n, "timeout", d.Timeout.String(), true)
	}
	addStr(n, "notes", d.Notes, false)
	if len(d.Datasets) > 0 {
		ds := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range d.Datasets {
			ds.Content = append(ds.Content, strNode(s))
		}
		add(n, "datasets", ds)
	}
	return n
}

// MarshalYAML writes a link in its short form, [a, b], unless it has a
// label, so that yaml.v3 used directly agrees with Marshal.
func (l Link) MarshalYAML() (any, error) { return linkNode(l), nil }

func linkNode(l Link) *yaml.Node {
	if l.Label == "" && l.FromInterface == "" && l.ToInterface == "" {
		return &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle,
			Content: []*yaml.Node{strNode(l.From), strNode(l.To)}}
	}
	n := mapping(true)
	addStr(n, "from", l.From, true)
	addStr(n, "to", l.To, true)
	addStr(n, "label", l.Label, false)
	addStr(n, "from_interface", l.FromInterface, false)
	addStr(n, "to_interface", l.ToInterface, false)
	return n
}

// oneLine gives a small mapping the flow style ({port: 80}) when it fits
// comfortably on one line.
func oneLine(m *yaml.Node) *yaml.Node {
	total := 0
	for _, c := range m.Content {
		total += len(c.Value) + 2
		if strings.ContainsAny(c.Value, "\n\r") {
			return m
		}
	}
	if total <= 60 {
		m.Style = yaml.FlowStyle
	}
	return m
}

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

// add appends key: v. Keys are fixed identifiers or parameter names;
// they are written plain when YAML allows ("y", not the YAML 1.1 '"y"').
func add(m *yaml.Node, key string, v *yaml.Node) {
	k := &yaml.Node{Kind: yaml.ScalarNode, Value: key}
	if k.ShortTag() != "!!str" || strings.ContainsAny(key, "\t\n\r\u0085\u2028\u2029") {
		k = strNode(key)
	}
	m.Content = append(m.Content, k, v)
}

func addStr(m *yaml.Node, key, v string, always bool) {
	if v != "" || always {
		add(m, key, strNode(v))
	}
}

func addNum[T int | float64](m *yaml.Node, key string, v T) {
	n := &yaml.Node{}
	_ = n.Encode(v) // encoding a number cannot fail
	add(m, key, n)
}

// strNode writes a string so that Parse reads back the same bytes. Parse
// takes any scalar's text as a string, so text that YAML would read as a
// number or boolean is written plain (port: 80, not port: "80"); other
// quoting is yaml.v3's, so "~" or "null" stay strings. Double quotes are
// forced where a block scalar would not read back byte for byte: readers
// normalise carriage returns and Unicode line breaks, and editors lose
// trailing blanks.
func strNode(s string) *yaml.Node {
	if n := (&yaml.Node{Kind: yaml.ScalarNode, Value: s}); s != "" && !strings.ContainsAny(s, " \t\n\r") {
		switch n.ShortTag() {
		case "!!int", "!!float", "!!bool":
			return n
		}
	}
	n := &yaml.Node{}
	_ = n.Encode(s) // encoding a string cannot fail
	if strings.ContainsAny(s, "\r\u0085\u2028\u2029\t") || strings.Contains(s, " \n") {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// snmpNode writes SNMP settings on one line: they are short.
func snmpNode(s *SNMPSettings) *yaml.Node {
	sn := mapping(false)
	addStr(sn, "version", s.Version, false)
	addStr(sn, "community", s.Community, false)
	if s.Port != 0 {
		addNum(sn, "port", s.Port)
	}
	addStr(sn, "user", s.User, false)
	addStr(sn, "auth", s.Auth, false)
	addStr(sn, "auth_key", s.AuthKey, false)
	addStr(sn, "priv", s.Priv, false)
	addStr(sn, "priv_key", s.PrivKey, false)
	addStr(sn, "context", s.Context, false)
	return oneLine(sn)
}
