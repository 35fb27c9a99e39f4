package web

import (
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// SNMP communities and v3 keys never leave the server: answers carry
// snmp.Secret in their place, and an update that sends snmp.Secret back
// keeps the stored value, so a client can round-trip an object unchanged.

func redactSNMP(s *netmap.SNMPSettings) *netmap.SNMPSettings {
	if s == nil {
		return nil
	}
	c := *s
	for _, f := range []*string{&c.Community, &c.AuthKey, &c.PrivKey} {
		if *f != "" {
			*f = snmp.Secret
		}
	}
	return &c
}

// redactMap returns a copy of m without secrets.
func redactMap(m *netmap.Map) *netmap.Map {
	c := m.Clone()
	c.SNMP = redactSNMP(c.SNMP)
	for i := range c.Devices {
		c.Devices[i].SNMP = redactSNMP(c.Devices[i].SNMP)
	}
	return c
}

// restoreSNMP puts stored secrets back where an update sent snmp.Secret.
func restoreSNMP(s, stored *netmap.SNMPSettings) {
	if s == nil {
		return
	}
	var old netmap.SNMPSettings
	if stored != nil {
		old = *stored
	}
	pairs := [][2]*string{{&s.Community, &old.Community}, {&s.AuthKey, &old.AuthKey}, {&s.PrivKey, &old.PrivKey}}
	for _, p := range pairs {
		if *p[0] == snmp.Secret {
			*p[0] = *p[1]
		}
	}
}

// restoreMap restores secrets in an incoming map from the stored one.
func restoreMap(m, stored *netmap.Map) {
	if stored == nil {
		restoreSNMP(m.SNMP, nil)
		for i := range m.Devices {
			restoreSNMP(m.Devices[i].SNMP, nil)
		}
		return
	}
	restoreSNMP(m.SNMP, stored.SNMP)
	for i := range m.Devices {
		var old *netmap.SNMPSettings
		if d := stored.FindDevice(m.Devices[i].Name); d != nil {
			old = d.SNMP
		}
		restoreSNMP(m.Devices[i].SNMP, old)
	}
}
