package probe

import "fmt"

// Builtins are the dependencies of the built-in probes.
type Builtins struct {
	Pinger Pinger
	// SNMP is the SNMP client; nil leaves the SNMP probes out.
	SNMP SNMPClient
}

// RegisterBuiltins adds every built-in probe to r.
func RegisterBuiltins(r *Registry, b Builtins) error {
	infos := append([]Info{PingInfo(b.Pinger), TrapViewerInfo()}, TCPInfos()...)
	if b.SNMP != nil {
		infos = append(infos, SNMPInfos(b.SNMP, b.Pinger)...)
	}
	for _, i := range infos {
		if err := r.Register(i); err != nil {
			return fmt.Errorf("built-in probes: %w", err)
		}
	}
	return nil
}
