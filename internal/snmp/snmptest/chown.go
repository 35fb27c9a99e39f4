package snmptest

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// chownNobody gives dir to nobody:nogroup, the user snmpsim runs as.
func chownNobody(dir string) error {
	u, err := user.Lookup("nobody")
	if err != nil {
		return fmt.Errorf("snmpsim needs user nobody: %w", err)
	}
	gid := u.Gid
	if g, err := user.LookupGroup("nogroup"); err == nil {
		gid = g.Gid
	}
	uid, err1 := strconv.Atoi(u.Uid)
	g, err2 := strconv.Atoi(gid)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("nobody has non-numeric ids %s:%s", u.Uid, gid)
	}
	return os.Chown(dir, uid, g)
}
