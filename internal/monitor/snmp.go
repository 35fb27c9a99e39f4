package monitor

import (
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// credentials merges a device's SNMP settings with its map's and the
// server's defaults: the first non-empty field wins.
func credentials(dev, mp *netmap.SNMPSettings, server snmp.Credentials) snmp.Credentials {
	return snmp.Merge(fromSettings(dev), fromSettings(mp), server)
}

func fromSettings(s *netmap.SNMPSettings) snmp.Credentials {
	if s == nil {
		return snmp.Credentials{}
	}
	return snmp.Credentials{Version: s.Version, Community: s.Community, Port: s.Port, User: s.User,
		Auth: s.Auth, AuthKey: s.AuthKey, Priv: s.Priv, PrivKey: s.PrivKey, Context: s.Context}
}

// Agent returns a device's address and merged SNMP credentials, for tools
// such as walks and probe previews.
func (m *Monitor) Agent(mapName, device string) (address string, creds snmp.Credentials, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, mp := range m.maps {
		if mp.Name != mapName {
			continue
		}
		if d := mp.FindDevice(device); d != nil {
			return d.Address, credentials(d.SNMP, mp.SNMP, m.cfg.SNMP), true
		}
	}
	return "", snmp.Credentials{}, false
}

// Credentials merges ad-hoc settings with the server's defaults.
func (m *Monitor) Credentials(s *netmap.SNMPSettings) snmp.Credentials {
	return credentials(s, nil, m.cfg.SNMP)
}
