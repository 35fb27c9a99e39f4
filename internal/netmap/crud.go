package netmap

import (
	"fmt"
	"slices"
)

// update applies fn to a copy of the named map and writes the result.
func (s *Store) update(mapName string, fn func(m *Map) error) error {
	s.ioMu.Lock()
	defer s.ioMu.Unlock()
	e := s.entry(mapName)
	if e == nil {
		return fmt.Errorf("map %q: %w", mapName, ErrNotFound)
	}
	m := e.m.Clone()
	if err := fn(m); err != nil {
		return err
	}
	return s.write(m)
}

// Update applies fn to a copy of the named map and writes the result, all
// under the store's write lock: a read-modify-write (merging discovery
// results, say) cannot lose another writer's change. fn's error is
// returned as is and nothing is written.
func (s *Store) Update(mapName string, fn func(m *Map) error) error {
	return s.update(mapName, fn)
}

// PutDevice adds d to the map, or replaces the device of the same name.
func (s *Store) PutDevice(mapName string, d Device) error {
	return s.ReplaceDevice(mapName, d.Name, d)
}

// ReplaceDevice replaces device oldName with d; when d.Name differs the
// device is renamed and its links and the map's vantage point follow it.
// With oldName == d.Name and no such device, d is added. Explicit links to
// networks that no longer contain the device's new address are dropped, as
// InterMapper makes them "jump back"; the auto links take their place.
func (s *Store) ReplaceDevice(mapName, oldName string, d Device) error {
	d = d.Clone()
	return s.update(mapName, func(m *Map) error {
		i := slices.IndexFunc(m.Devices, func(x Device) bool { return x.Name == oldName })
		if err := s.checkRename(m, "device", oldName, d.Name, i >= 0); err != nil {
			return err
		}
		if i < 0 {
			m.Devices = append(m.Devices, d)
		} else {
			m.Devices[i] = d
			renameEndpoint(m, oldName, d.Name)
		}
		s.dropStaleLinks(m, d.Name)
		return nil
	})
}

// DeleteDevice removes a device and its links; if it was the vantage point
// the map has none afterwards.
func (s *Store) DeleteDevice(mapName, devName string) error {
	return s.update(mapName, func(m *Map) error {
		n := len(m.Devices)
		m.Devices = slices.DeleteFunc(m.Devices, func(d Device) bool { return d.Name == devName })
		if len(m.Devices) == n {
			return fmt.Errorf("map %q: device %q: %w", mapName, devName, ErrNotFound)
		}
		removeEndpoint(m, devName)
		return nil
	})
}

// PutNetwork adds n to the map, or replaces the network of the same name.
func (s *Store) PutNetwork(mapName string, n Network) error {
	return s.ReplaceNetwork(mapName, n.Name, n)
}

// ReplaceNetwork is ReplaceDevice for networks: renames carry links and
// the vantage point along, and explicit links from devices the new CIDRs no
// longer contain are dropped.
func (s *Store) ReplaceNetwork(mapName, oldName string, n Network) error {
	n = n.Clone()
	return s.update(mapName, func(m *Map) error {
		i := slices.IndexFunc(m.Networks, func(x Network) bool { return x.Name == oldName })
		if err := s.checkRename(m, "network", oldName, n.Name, i >= 0); err != nil {
			return err
		}
		if i < 0 {
			m.Networks = append(m.Networks, n)
		} else {
			m.Networks[i] = n
			renameEndpoint(m, oldName, n.Name)
		}
		s.dropStaleLinks(m, n.Name)
		return nil
	})
}

// DeleteNetwork removes a network and every link to it.
func (s *Store) DeleteNetwork(mapName, netName string) error {
	return s.update(mapName, func(m *Map) error {
		n := len(m.Networks)
		m.Networks = slices.DeleteFunc(m.Networks, func(x Network) bool { return x.Name == netName })
		if len(m.Networks) == n {
			return fmt.Errorf("map %q: network %q: %w", mapName, netName, ErrNotFound)
		}
		removeEndpoint(m, netName)
		return nil
	})
}

// AddLink adds an explicit link after CheckLink; an existing link between
// the same endpoints (either direction) is ErrDuplicate.
func (s *Store) AddLink(mapName string, l Link) error {
	l.Auto = false
	return s.update(mapName, func(m *Map) error {
		if err := m.CheckLink(l); err != nil {
			return fmt.Errorf("map %q: %w", mapName, err)
		}
		if slices.ContainsFunc(m.Links, l.Same) {
			return fmt.Errorf("map %q: link [%s, %s]: %w", mapName, l.From, l.To, ErrDuplicate)
		}
		m.Links = append(m.Links, l)
		return nil
	})
}

// DeleteLink removes the explicit link between l's endpoints (either
// direction). Auto links cannot be deleted: they follow from addresses.
func (s *Store) DeleteLink(mapName string, l Link) error {
	return s.update(mapName, func(m *Map) error {
		n := len(m.Links)
		m.Links = slices.DeleteFunc(m.Links, l.Same)
		if len(m.Links) == n {
			return fmt.Errorf("map %q: link [%s, %s]: %w", mapName, l.From, l.To, ErrNotFound)
		}
		return nil
	})
}

// checkRename refuses to add or rename onto a name the map already uses:
// devices and networks share one namespace, as links name either.
func (s *Store) checkRename(m *Map, kind, oldName, newName string, exists bool) error {
	if !exists && oldName != newName {
		return fmt.Errorf("map %q: %s %q: %w", m.Name, kind, oldName, ErrNotFound)
	}
	if exists && oldName == newName {
		return nil
	}
	if m.FindDevice(newName) != nil || m.FindNetwork(newName) != nil {
		return fmt.Errorf("map %q: name %q: %w", m.Name, newName, ErrDuplicate)
	}
	return nil
}

func renameEndpoint(m *Map, oldName, newName string) {
	for i := range m.Links {
		l := &m.Links[i]
		if l.From == oldName {
			l.From = newName
		}
		if l.To == oldName {
			l.To = newName
		}
	}
	if m.Vantage == oldName {
		m.Vantage = newName
	}
}

func removeEndpoint(m *Map, name string) {
	m.Links = slices.DeleteFunc(m.Links, func(l Link) bool { return l.Has(name) })
	if m.Vantage == name {
		m.Vantage = ""
	}
}

// dropStaleLinks removes the explicit links of name that CheckLink now
// refuses, logging each: after an address or CIDR change such a link would
// make the whole map invalid, while InterMapper simply lets it jump back.
func (s *Store) dropStaleLinks(m *Map, name string) {
	m.Links = slices.DeleteFunc(m.Links, func(l Link) bool {
		if !l.Has(name) {
			return false
		}
		if err := m.CheckLink(l); err != nil {
			s.log.Info("link dropped", "map", m.Name, "from", l.From, "to", l.To, "reason", err.Error())
			return true
		}
		return false
	})
}
