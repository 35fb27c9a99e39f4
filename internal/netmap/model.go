// Package netmap holds Vantage's maps: devices, networks (InterMapper's
// subnet ovals), the links between them, and the YAML map files in
// DIR/maps/ that store them. It is pure domain plus file I/O: nothing here
// sends a packet.
//
// The same structs are read from map files and served by the HTTP API, so
// every YAML key has an identical JSON name.
package netmap

import (
	"maps"
	"path"
	"slices"
)

// DefaultProbe is the probe a device uses when its map file names none:
// InterMapper's ICMP echo probe.
const DefaultProbe = "com.dartware.ping"

// Map is one map file: the devices and networks drawn on it and the links
// between them.
type Map struct {
	// Name identifies the map in the store and in URLs; it defaults to the
	// file's base name when the file has no name key.
	Name string `yaml:"name" json:"name"`
	// Vantage names the device or network that stands for the Vantage
	// server itself (or the direction towards it); dependency-based alert
	// suppression starts from there.
	Vantage string `yaml:"vantage,omitempty" json:"vantage,omitempty"`
	// SNMP holds the map's default SNMP settings for its devices; a
	// device's own fields win, and the server's defaults fill the rest.
	SNMP *SNMPSettings `yaml:"snmp,omitempty" json:"snmp,omitempty"`
	// Geo holds the benchmarks that place devices without lat/lon.
	Geo *Geo `yaml:"geo,omitempty" json:"geo,omitempty"`
	// LabelTemplate is how discovery labels the devices it adds to this
	// map, e.g. "${ShortName}\n${Address}" (see ExpandLabel); empty leaves
	// discovered devices unlabelled, shown by their names.
	LabelTemplate string    `yaml:"label_template,omitempty" json:"label_template,omitempty"`
	Devices       []Device  `yaml:"devices,omitempty" json:"devices"`
	Networks      []Network `yaml:"networks,omitempty" json:"networks"`
	// Links are the explicit links of the file. Links implied by addresses
	// (a device inside a network's CIDR) are computed by AutoLinks and are
	// never stored.
	Links []Link `yaml:"links,omitempty" json:"links"`
}

// Device is one monitored device.
type Device struct {
	// Name is unique among the map's devices and networks.
	Name string `yaml:"name" json:"name"`
	// Address is an IPv4 or IPv6 literal or a DNS name.
	Address string `yaml:"address" json:"address"`
	// Label is the text drawn for the device, one line per line; empty
	// shows the name. Discovery fills it from the map's LabelTemplate.
	Label string `yaml:"label,omitempty" json:"label,omitempty"`
	// Probe is the probe identifier or alias as written; empty means
	// DefaultProbe. Alias resolution belongs to the probe registry.
	Probe string `yaml:"probe,omitempty" json:"probe"`
	// Params are the probe's parameters by name.
	Params map[string]string `yaml:"params,omitempty" json:"params,omitempty"`
	// Interval between polls; 0 means the server default.
	Interval Duration `yaml:"interval,omitempty" json:"interval,omitempty"`
	X        float64  `yaml:"x" json:"x"`
	Y        float64  `yaml:"y" json:"y"`
	// Lat and Lon place the device geographically (Google Earth export);
	// nil when unknown.
	Lat *float64 `yaml:"lat,omitempty" json:"lat,omitempty"`
	Lon *float64 `yaml:"lon,omitempty" json:"lon,omitempty"`
	// Mask is the device's own netmask when known ("/25", "25" or
	// "255.255.255.128"), e.g. learnt by SNMP. It is only used to point out
	// misconfigured masks (MaskMismatch), as InterMapper's status window does.
	Mask string        `yaml:"mask,omitempty" json:"mask,omitempty"`
	SNMP *SNMPSettings `yaml:"snmp,omitempty" json:"snmp,omitempty"`
	// DownAfter is the number of consecutive lost polls before the device
	// is down; 0 means the default of 3.
	DownAfter int `yaml:"down_after,omitempty" json:"down_after,omitempty"`
	// Timeout bounds one poll; 0 means the probe's default.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	Notes   string   `yaml:"notes,omitempty" json:"notes,omitempty"`
	// Datasets, when set, are the only datasets recorded for charts:
	// names or patterns ("rtt", "if.*.in_bps"); "none" records nothing.
	// Empty follows the probe (its <datasets> for probe files).
	Datasets []string `yaml:"datasets,omitempty" json:"datasets,omitempty"`
}

// Records reports whether the device's chart settings record dataset.
func (d Device) Records(dataset string) bool {
	if len(d.Datasets) == 0 {
		return true
	}
	for _, p := range d.Datasets {
		if ok, _ := path.Match(p, dataset); ok {
			return true
		}
	}
	return false
}

// SNMPSettings are a device's SNMP credentials; empty fields fall back to
// the server's SNMP defaults.
type SNMPSettings struct {
	// Version is "1", "2c" or "3".
	Version   string `yaml:"version,omitempty" json:"version,omitempty"`
	Community string `yaml:"community,omitempty" json:"community,omitempty"`
	// Port is the agent's UDP port; 0 means 161.
	Port int `yaml:"port,omitempty" json:"port,omitempty"`
	// User, Auth (MD5, SHA, SHA224 … SHA512), AuthKey, Priv (DES, AES,
	// AES192, AES256, AES192C, AES256C), PrivKey and Context are SNMPv3's
	// USM settings.
	User    string `yaml:"user,omitempty" json:"user,omitempty"`
	Auth    string `yaml:"auth,omitempty" json:"auth,omitempty"`
	AuthKey string `yaml:"auth_key,omitempty" json:"auth_key,omitempty"`
	Priv    string `yaml:"priv,omitempty" json:"priv,omitempty"`
	PrivKey string `yaml:"priv_key,omitempty" json:"priv_key,omitempty"`
	Context string `yaml:"context,omitempty" json:"context,omitempty"`
}

// Network is a subnet oval: one or more IP ranges drawn as one network.
type Network struct {
	// Name is unique among the map's devices and networks.
	Name string `yaml:"name" json:"name"`
	// CIDRs are the oval's ranges in canonical form (no host bits set). An
	// oval may have none (an unnumbered cloud) or several (secondary
	// addresses on one wire).
	CIDRs []string `yaml:"cidrs,flow" json:"cidrs"`
	X     float64  `yaml:"x" json:"x"`
	Y     float64  `yaml:"y" json:"y"`
}

// Link joins two endpoints, each a device or network name. Links are
// undirected: [a, b] and [b, a] are the same link.
type Link struct {
	From  string `yaml:"from" json:"from"`
	To    string `yaml:"to" json:"to"`
	Label string `yaml:"label,omitempty" json:"label,omitempty"`
	// FromInterface and ToInterface name the interface (ifIndex, ifName,
	// ifDescr or ifAlias) of an SNMP-polled endpoint device that carries
	// the link, so the map can show that interface's traffic and status.
	FromInterface string `yaml:"from_interface,omitempty" json:"from_interface,omitempty"`
	ToInterface   string `yaml:"to_interface,omitempty" json:"to_interface,omitempty"`
	// Auto marks a link implied by addresses (AutoLinks). Auto links are
	// derived, so Marshal leaves them out of the file.
	Auto bool `yaml:"-" json:"auto,omitempty"`
}

// ProbeID returns the device's probe as written, or DefaultProbe when none
// is set.
func (d Device) ProbeID() string {
	if d.Probe == "" {
		return DefaultProbe
	}
	return d.Probe
}

// Same reports whether l and o join the same two endpoints, in either
// direction; labels do not matter.
func (l Link) Same(o Link) bool {
	return (l.From == o.From && l.To == o.To) || (l.From == o.To && l.To == o.From)
}

// Has reports whether name is one of the link's endpoints.
func (l Link) Has(name string) bool { return l.From == name || l.To == name }

// FindDevice returns the named device, or nil. The pointer aliases m.
func (m *Map) FindDevice(name string) *Device {
	for i := range m.Devices {
		if m.Devices[i].Name == name {
			return &m.Devices[i]
		}
	}
	return nil
}

// FindNetwork returns the named network, or nil. The pointer aliases m.
func (m *Map) FindNetwork(name string) *Network {
	for i := range m.Networks {
		if m.Networks[i].Name == name {
			return &m.Networks[i]
		}
	}
	return nil
}

// Clone returns a deep copy of m, sharing nothing with it.
func (m *Map) Clone() *Map {
	if m == nil {
		return nil
	}
	c := *m
	if m.SNMP != nil {
		sn := *m.SNMP
		c.SNMP = &sn
	}
	if m.Geo != nil {
		g := Geo{Benchmarks: slices.Clone(m.Geo.Benchmarks)}
		c.Geo = &g
	}
	c.Devices = slices.Clone(m.Devices)
	for i := range c.Devices {
		c.Devices[i] = c.Devices[i].Clone()
	}
	c.Networks = slices.Clone(m.Networks)
	for i := range c.Networks {
		c.Networks[i].CIDRs = slices.Clone(c.Networks[i].CIDRs)
	}
	c.Links = slices.Clone(m.Links)
	return &c
}

// Clone returns a deep copy of d.
func (d Device) Clone() Device {
	d.Params = maps.Clone(d.Params)
	d.Datasets = slices.Clone(d.Datasets)
	if d.Lat != nil {
		v := *d.Lat
		d.Lat = &v
	}
	if d.Lon != nil {
		v := *d.Lon
		d.Lon = &v
	}
	if d.SNMP != nil {
		s := *d.SNMP
		d.SNMP = &s
	}
	return d
}

// Clone returns a deep copy of n.
func (n Network) Clone() Network {
	n.CIDRs = slices.Clone(n.CIDRs)
	return n
}
