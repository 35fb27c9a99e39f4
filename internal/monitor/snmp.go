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
