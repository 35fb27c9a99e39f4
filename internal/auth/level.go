package auth

import "fmt"

// Level is how much a user may do on a map. Levels are ordered: each one
// includes everything below it.
type Level int

// The access levels, lowest first.
const (
	// None hides the map: it is not listed and its URLs answer 404.
	None Level = iota
	// Read shows the map, its devices, charts, reports and events.
	Read
	// Acknowledge adds acknowledging problems, device maintenance and
	// polling a device now.
	Acknowledge
	// Write adds editing devices, networks, links and the map itself, map
	// maintenance and SNMP tools on its devices.
	Write
	// Admin adds deleting the map and granting access to it.
	Admin
)

var levelNames = [...]string{"none", "read", "acknowledge", "write", "admin"}

func (l Level) String() string {
	if l < None || l > Admin {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return None, fmt.Errorf("access level %q is not none, read, acknowledge, write or admin", s)
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
