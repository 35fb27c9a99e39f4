package discover

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// Probe identifiers discovery assigns.
const (
	ProbeSNMPTraffic = "com.dartware.snmp"
	ProbePing        = netmap.DefaultProbe
)

// Changes says what Apply did to a map, by name.
type Changes struct {
	AddedDevices   []string `json:"added_devices"`
	UpdatedDevices []string `json:"updated_devices"`
	AddedNetworks  []string `json:"added_networks"`
	AddedLinks     int      `json:"added_links"`
}

// notesMarker starts the part of a device's notes that discovery owns;
// what the user wrote before it is kept on every rescan.
const notesMarker = "[discovery] "

// Apply merges a scan's result into m. A device with the address of a
// host found is updated, not duplicated: its name, position and probe
// parameters stay; an SNMP agent gets the SNMP Traffic probe and the
// credentials that worked when the device was still on the default ping
// probe; label (from the map's label template), mask and discovery notes
// are refreshed. New devices get the SNMP Traffic probe when their agent
// answered, else ping, and notes listing the open TCP ports (one device
// has one probe in Vantage, so services found are noted rather than
// probed). Subnets become network ovals unless an oval with the same CIDR
// exists; links are added unless already drawn (explicitly, or implied by
// an address inside an oval without an interface to name). New items are
// laid out around their ovals (see layout).
func Apply(m *netmap.Map, r Result) Changes {
	var ch Changes
	used := map[string]bool{}
	for _, d := range m.Devices {
		used[d.Name] = true
	}
	for _, n := range m.Networks {
		used[n.Name] = true
	}
	unique := func(base string) string {
		n := base
		for i := 2; used[n]; i++ {
			n = fmt.Sprintf("%s (%d)", base, i)
		}
		used[n] = true
		return n
	}

	nets := map[netip.Prefix]string{}
	var newNets []int
	for _, s := range r.Subnets {
		if name := networkWith(m, s.Prefix); name != "" {
			nets[s.Prefix] = name
			continue
		}
		name := unique(s.Prefix.String())
		m.Networks = append(m.Networks, netmap.Network{Name: name, CIDRs: []string{s.Prefix.String()}})
		nets[s.Prefix] = name
		newNets = append(newNets, len(m.Networks)-1)
		ch.AddedNetworks = append(ch.AddedNetworks, name)
	}

	devs := map[netip.Addr]string{}
	var newDevs []int
	for _, h := range r.Hosts {
		i := slices.IndexFunc(m.Devices, func(d netmap.Device) bool { a, ok := d.Addr(); return ok && a.Unmap() == h.Addr })
		if i < 0 {
			m.Devices = append(m.Devices, netmap.Device{Name: unique(h.Name), Address: h.Addr.String()})
			i = len(m.Devices) - 1
			newDevs = append(newDevs, i)
			ch.AddedDevices = append(ch.AddedDevices, m.Devices[i].Name)
		} else {
			ch.UpdatedDevices = append(ch.UpdatedDevices, m.Devices[i].Name)
		}
		d := &m.Devices[i]
		if h.SNMP != nil && (d.Probe == "" || d.Probe == ProbePing || d.Probe == "ping") {
			d.Probe = ProbeSNMPTraffic
			d.SNMP = snmpSettings(h.SNMP.Creds)
		} else if d.Probe == "" {
			d.Probe = ProbePing
		}
		if h.Mask > 0 {
			d.Mask = "/" + strconv.Itoa(h.Mask)
		}
		if m.LabelTemplate != "" {
			d.Label = netmap.ExpandLabel(m.LabelTemplate, h.LabelVars(d.Probe))
		}
		d.Notes = mergeNotes(d.Notes, discoveryNotes(h))
		devs[h.Addr] = d.Name
		for _, a := range h.Aliases {
			devs[a] = d.Name
		}
	}

	for _, l := range r.Links {
		from := devs[l.From]
		to := devs[l.ToHost]
		if l.ToSubnet.IsValid() {
			to = nets[l.ToSubnet]
		}
		if from == "" || to == "" {
			continue
		}
		link := netmap.Link{From: from, To: to, FromInterface: l.FromInterface, ToInterface: l.ToInterface}
		if slices.ContainsFunc(m.Links, link.Same) || m.CheckLink(link) != nil {
			continue
		}
		m.Links = append(m.Links, link)
		ch.AddedLinks++
	}
	layout(m, newNets, newDevs)
	return ch
}

// networkWith names m's network having exactly the CIDR p, or "".
func networkWith(m *netmap.Map, p netip.Prefix) string {
	for _, n := range m.Networks {
		for _, c := range n.Prefixes() {
			if c == p {
				return n.Name
			}
		}
	}
	return ""
}

// snmpSettings stores the credentials that worked on the device: the
// server's defaults may differ from the community that answered.
func snmpSettings(c snmp.Credentials) *netmap.SNMPSettings {
	s := &netmap.SNMPSettings{Version: c.Version, Community: c.Community, User: c.User, Auth: c.Auth, AuthKey: c.AuthKey,
		Priv: c.Priv, PrivKey: c.PrivKey, Context: c.Context}
	if c.Port != 161 {
		s.Port = c.Port
	}
	if c.Version == "3" {
		s.Community = ""
	}
	return s
}

// discoveryNotes is one line describing what the scan learnt of h.
func discoveryNotes(h Host) string {
	var parts []string
	if len(h.OpenPorts) > 0 {
		ports := make([]string, len(h.OpenPorts))
		for i, p := range h.OpenPorts {
			ports[i] = strconv.Itoa(p)
		}
		parts = append(parts, "open TCP ports: "+strings.Join(ports, ", "))
	}
	if h.NetBIOSName != "" {
		nb := "NetBIOS name: " + h.NetBIOSName
		if h.Workgroup != "" {
			nb += " (" + h.Workgroup + ")"
		}
		parts = append(parts, nb)
	}
	if h.SNMP != nil && h.SNMP.SysDescr != "" {
		parts = append(parts, "sysDescr: "+h.SNMP.SysDescr)
	}
	if len(parts) == 0 {
		parts = append(parts, "answers ping")
	}
	return notesMarker + strings.Join(parts, "; ")
}

// mergeNotes replaces the discovery line of notes, keeping the user's.
func mergeNotes(old, line string) string {
	if i := strings.Index(old, notesMarker); i >= 0 {
		old = strings.TrimRight(old[:i], "\n")
	}
	if old == "" {
		return line
	}
	return old + "\n" + line
}

// layout places new networks in a row below or beside what the map has,
// and new devices on a circle around their oval; a device in several
// ovals (a router) goes between them. Existing items do not move.
func layout(m *netmap.Map, newNets, newDevs []int) {
	if len(newNets) == 0 && len(newDevs) == 0 {
		return
	}
	top := 0.0
	for _, d := range m.Devices {
		top = max(top, d.Y)
	}
	for _, n := range m.Networks {
		top = max(top, n.Y)
	}
	// Each new oval's devices, to size its circle.
	members := map[string][]int{}
	home := map[int][]string{}
	for _, i := range newDevs {
		for _, n := range ovalsOf(m, m.Devices[i]) {
			members[n] = append(members[n], i)
			home[i] = append(home[i], n)
		}
	}
	const spacing = 600.0
	baseY := 300.0
	if top > 0 {
		baseY = top + 500
	}
	for k, i := range newNets {
		n := &m.Networks[i]
		n.X, n.Y = 400+float64(k)*spacing, baseY
	}
	for name, list := range members {
		nw := m.FindNetwork(name)
		var ring []int
		for _, i := range list {
			if len(home[i]) == 1 {
				ring = append(ring, i)
			}
		}
		radius := math.Max(180, float64(len(ring))*22)
		for k, i := range ring {
			angle := 2*math.Pi*float64(k)/float64(len(ring)) + math.Pi/2
			m.Devices[i].X = math.Round(nw.X + radius*math.Cos(angle))
			m.Devices[i].Y = math.Round(nw.Y + radius*math.Sin(angle))
		}
	}
	for _, i := range newDevs {
		switch len(home[i]) {
		case 0:
			m.Devices[i].X, m.Devices[i].Y = 200, baseY-300
		case 1:
		default:
			var x, y float64
			for _, n := range home[i] {
				nw := m.FindNetwork(n)
				x, y = x+nw.X, y+nw.Y
			}
			k := float64(len(home[i]))
			m.Devices[i].X, m.Devices[i].Y = math.Round(x/k), math.Round(y/k-250)
		}
	}
}

// ovalsOf names the networks d is in: by its address, or by an explicit
// link.
func ovalsOf(m *netmap.Map, d netmap.Device) []string {
	var out []string
	for _, l := range m.AllLinks() {
		var other string
		switch {
		case l.From == d.Name:
			other = l.To
		case l.To == d.Name:
			other = l.From
		default:
			continue
		}
		if m.FindNetwork(other) != nil && !slices.Contains(out, other) {
			out = append(out, other)
		}
	}
	return out
}
