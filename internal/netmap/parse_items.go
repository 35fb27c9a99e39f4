package netmap

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// itemName finds an item's name before decoding it, so that every error
// about the item can say which one it is.
func itemName(n *yaml.Node, kind string, i int) string {
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := deref(n.Content[j]), deref(n.Content[j+1])
			if k.Value == "name" && v.Kind == yaml.ScalarNode && v.Value != "" {
				return fmt.Sprintf("%s %q", kind, v.Value)
			}
		}
	}
	return fmt.Sprintf("%s #%d", kind, i+1)
}

// item starts reading map item number i of a kind (device, network): its
// name for messages and where it and its keys are; ok is false (and the
// error noted) when it is not a mapping.
func (p *parser) item(n *yaml.Node, kind string, i int) (what string, ip itemPos, ok bool) {
	ip = itemPos{line: n.Line, keys: map[string]int{}}
	what = itemName(n, kind, i)
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, "%s must be a mapping, not a %s", what, kindName(n))
		return what, ip, false
	}
	return what, ip, true
}

func (p *parser) device(n *yaml.Node, i int) (Device, itemPos) {
	var d Device
	what, ip, ok := p.item(n, "device", i)
	if !ok {
		return d, ip
	}
	p.mapping(n, what, func(key string, line int, v *yaml.Node) {
		ip.keys[key] = line
		switch key {
		case "name":
			d.Name = p.str(v, what, key)
		case "address":
			d.Address = p.str(v, what, key)
		case "label":
			d.Label = p.str(v, what, key)
		case "probe":
			d.Probe = p.str(v, what, key)
		case "params":
			d.Params = p.params(v, what)
		case "interval":
			d.Interval = p.duration(v, what, key)
		case "x":
			d.X = p.float(v, what, key)
		case "y":
			d.Y = p.float(v, what, key)
		case "lat":
			d.Lat = p.floatPtr(v, what, key)
		case "lon":
			d.Lon = p.floatPtr(v, what, key)
		case "mask":
			d.Mask = p.str(v, what, key)
		case "snmp":
			d.SNMP = p.snmp(v, what)
		case "down_after":
			d.DownAfter = p.int(v, what, key)
		case "timeout":
			d.Timeout = p.duration(v, what, key)
		case "notes":
			d.Notes = p.str(v, what, key)
		case "datasets":
			p.seq(v, what+": datasets", func(_ int, c *yaml.Node) {
				d.Datasets = append(d.Datasets, p.str(c, what, "dataset"))
			})
		default:
			p.errorf(line, "%s: unknown key %q", what, key)
		}
	})
	return d, ip
}

func (p *parser) params(v *yaml.Node, what string) map[string]string {
	if v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v.Line, "%s: params must be a mapping, not a %s", what, kindName(v))
		return nil
	}
	out := map[string]string{}
	p.mapping(v, what+": params", func(key string, line int, val *yaml.Node) {
		out[key] = p.str(val, what, "param "+strconv.Quote(key))
	})
	if len(out) == 0 {
		return nil // params: {} and no params are the same thing
	}
	return out
}

func (p *parser) snmp(v *yaml.Node, what string) *SNMPSettings {
	if v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v.Line, "%s: snmp must be a mapping, not a %s", what, kindName(v))
		return nil
	}
	s := &SNMPSettings{}
	what += ": snmp"
	p.mapping(v, what, func(key string, line int, val *yaml.Node) {
		switch key {
		case "version":
			s.Version = p.str(val, what, key)
		case "community":
			s.Community = p.str(val, what, key)
		case "port":
			s.Port = p.int(val, what, key)
		case "user":
			s.User = p.str(val, what, key)
		case "auth":
			s.Auth = p.str(val, what, key)
		case "auth_key":
			s.AuthKey = p.str(val, what, key)
		case "priv":
			s.Priv = p.str(val, what, key)
		case "priv_key":
			s.PrivKey = p.str(val, what, key)
		case "context":
			s.Context = p.str(val, what, key)
		default:
			p.errorf(line, "%s: unknown key %q", what, key)
		}
	})
	if *s == (SNMPSettings{}) {
		return nil // snmp: {} adds nothing to the server defaults
	}
	return s
}

func (p *parser) network(n *yaml.Node, i int) (Network, itemPos) {
	var nw Network
	what, ip, ok := p.item(n, "network", i)
	if !ok {
		return nw, ip
	}
	p.mapping(n, what, func(key string, line int, v *yaml.Node) {
		ip.keys[key] = line
		switch key {
		case "name":
			nw.Name = p.str(v, what, key)
		case "cidrs":
			p.seq(v, what+": cidrs", func(_ int, c *yaml.Node) {
				nw.CIDRs = append(nw.CIDRs, p.str(c, what, "cidr"))
			})
		case "x":
			nw.X = p.float(v, what, key)
		case "y":
			nw.Y = p.float(v, what, key)
		default:
			p.errorf(line, "%s: unknown key %q", what, key)
		}
	})
	return nw, ip
}

func (p *parser) link(n *yaml.Node, i int) Link {
	var l Link
	what := fmt.Sprintf("link #%d", i+1)
	switch n.Kind {
	case yaml.SequenceNode:
		if len(n.Content) != 2 {
			p.errorf(n.Line, "%s: must name two endpoints, as in [gw, lan]; it has %d", what, len(n.Content))
			return l
		}
		l.From = p.str(deref(n.Content[0]), what, "endpoint")
		l.To = p.str(deref(n.Content[1]), what, "endpoint")
	case yaml.MappingNode:
		p.mapping(n, what, func(key string, line int, v *yaml.Node) {
			switch key {
			case "from":
				l.From = p.str(v, what, key)
			case "to":
				l.To = p.str(v, what, key)
			case "label":
				l.Label = p.str(v, what, key)
			case "from_interface":
				l.FromInterface = p.str(v, what, key)
			case "to_interface":
				l.ToInterface = p.str(v, what, key)
			default:
				p.errorf(line, "%s: unknown key %q (expected from, to, label, from_interface or to_interface)", what, key)
			}
		})
	default:
		p.errorf(n.Line, "%s: must be [a, b] or {from: a, to: b}, not %s", what, describe(n))
	}
	return l
}

// UnmarshalYAML reads a link in either form, [a, b] or {from: a, to: b,
// label: l}, so that a Map decoded with yaml.v3 directly reads links as
// Parse does (Parse is still the way to read a file: it validates).
func (l *Link) UnmarshalYAML(n *yaml.Node) error {
	var p parser
	got := p.link(deref(n), 0)
	if len(p.errs) > 0 {
		e := p.errs[0]
		return fmt.Errorf("line %d: %s", e.Line, e.Reason)
	}
	*l = got
	return nil
}
