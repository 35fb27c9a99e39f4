package main

import (
	"flag"
	"fmt"
	"strings"
)

// usmFlags are net-snmp's SNMPv3 security flags (-u -l -a -A -x -X), shared
// by walk, get and trap listen so administrators can paste their habits.
type usmFlags struct {
	user, level, authProto, authKey, privProto, privKey *string
}

func addUSMFlags(fs *flag.FlagSet, userHelp string) usmFlags {
	return usmFlags{
		user:      fs.String("u", "", userHelp),
		level:     fs.String("l", "", "v3 security level: noAuthNoPriv, authNoPriv or authPriv (default: from -A and -X)"),
		authProto: fs.String("a", "MD5", "v3 authentication protocol: MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512"),
		authKey:   fs.String("A", "", "v3 authentication pass phrase"),
		privProto: fs.String("x", "DES", "v3 privacy protocol: DES, AES, AES-192, AES-256 (AES-192-C, AES-256-C: Cisco's)"),
		privKey:   fs.String("X", "", "v3 privacy pass phrase"),
	}
}

// security applies -l, or infers the level from -A and -X as net-snmp
// does, and returns the protocols and keys that level uses.
func (f usmFlags) security() (auth, authKey, priv, privKey string, err error) {
	lvl := strings.ToLower(*f.level)
	switch {
	case lvl != "":
	case *f.privKey != "":
		lvl = "authpriv"
	case *f.authKey != "":
		lvl = "authnopriv"
	default:
		lvl = "noauthnopriv"
	}
	switch lvl {
	case "authpriv":
		priv, privKey = *f.privProto, *f.privKey
		fallthrough
	case "authnopriv":
		auth, authKey = *f.authProto, *f.authKey
	case "noauthnopriv":
	default:
		err = fmt.Errorf("-l: %q is not noAuthNoPriv, authNoPriv or authPriv", *f.level)
	}
	return auth, authKey, priv, privKey, err
}
