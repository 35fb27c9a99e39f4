package remotes

import (
	"strings"
)

// Params are the Map Status probe's parameters, under their canonical
// names; InterMapper's spellings ("Map Name", "Username", "Password*")
// are accepted so imported map files keep working.
type Params struct {
	// Server is the other server's base URL; empty is this server.
	Server string
	// Map is the map's name; InterMapper's "/Folder/Name.map" form has
	// its slash and extension removed.
	Map         string
	Token       string
	User        string
	Password    string
	Fingerprint string
	Insecure    bool
}

// canonicalParam maps every accepted spelling to the canonical name, or
// "" for a name the probe does not know.
func canonicalParam(k string) string {
	switch k {
	case "server", "Server", "Server URL", "url":
		return "server"
	case "map", "Map", "Map Name":
		return "map"
	case "token", "Token":
		return "token"
	case "user", "User", "Username":
		return "user"
	case "password", "Password", "Password*":
		return "password"
	case "fingerprint", "Fingerprint":
		return "fingerprint"
	case "insecure", "Insecure":
		return "insecure"
	}
	return ""
}

// NormalizeParams reads the probe's parameters whatever their spelling.
func NormalizeParams(in map[string]string) Params {
	v := map[string]string{}
	for k, val := range in {
		if c := canonicalParam(k); c != "" && v[c] == "" {
			v[c] = strings.TrimSpace(val)
		}
	}
	m := strings.TrimPrefix(v["map"], "/")
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m = m[i+1:]
	}
	m = strings.TrimSuffix(m, ".map")
	ins := strings.ToLower(v["insecure"])
	return Params{
		Server: strings.TrimRight(v["server"], "/"), Map: m, Token: v["token"], User: v["user"],
		Password: v["password"], Fingerprint: v["fingerprint"],
		Insecure: ins == "true" || ins == "yes" || ins == "1",
	}
}
