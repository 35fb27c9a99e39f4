// Package settingsync copies a server's settings to another for redundant
// monitoring, as InterMapper's HTTP API scripts did: the primary exports
// its maps, probe files, MIBs, tools and config.yaml as one tar.gz
// (GET /api/v1/export); a secondary imports it (`vantage sync`) and then
// monitors the same network on its own, from its own place in the network.
//
// What is copied: DIR/config.yaml (minus the keys in LocalKeys), DIR/maps/,
// DIR/probes/, DIR/mibs/ and DIR/tools/. What is not: chart data and
// everything else in DIR/db (users, tokens, acknowledgements, events), the
// logs, DIR/tls (each server has its own certificate), flows, and hidden
// files. Map files carry their SNMP credentials — the secondary polls the
// same devices — so the export is for administrators, over TLS.
package settingsync

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Format names the archive layout; Import refuses others.
const Format = "vantage-export/1"

// ManifestName is the archive member describing the others; it comes
// last, so the export is written in one pass.
const ManifestName = "manifest.json"

// Folders are the settings sub-folders copied whole, in the order they
// are installed: probe files and MIBs before the maps that use them.
func Folders() []string { return []string{"probes", "mibs", "tools", "maps"} }

// LocalKeys are the config.yaml keys that belong to one server and are
// never copied: where it listens, its name in a shared database, the
// database itself (its URL holds a password), the servers it lists (their
// tokens) and how it may send ICMP (a matter of the machine's privileges).
// The export leaves them out; the import keeps the secondary's own.
func LocalKeys() []string {
	return []string{"listeners", "server_name", "database", "servers", "icmp"}
}

// Limits bound what an import accepts, against archive bombs.
type Limits struct {
	// MaxFiles counts archive entries of any kind.
	MaxFiles int
	// MaxFileSize bounds one file, MaxTotal all files, uncompressed.
	MaxFileSize int64
	MaxTotal    int64
}

// DefaultLimits are generous for settings (maps are kilobytes, MIB
// folders megabytes) and small next to a disk.
func DefaultLimits() Limits {
	return Limits{MaxFiles: 20000, MaxFileSize: 32 << 20, MaxTotal: 512 << 20}
}

// ErrUnsafe marks an archive member refused for where it would go or what
// it is; the whole import is refused with it.
var ErrUnsafe = errors.New("unsafe archive member")

// CheckName accepts a member name only if it is a clean relative path
// ("maps/campus.yaml") inside one of the copied folders, or config.yaml or
// the manifest: no absolute paths, "..", ".", empty or hidden elements,
// backslashes or control characters, and map files only at the top of
// maps/ with a .yaml or .yml extension (the map store reads nothing else).
func CheckName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrUnsafe, name, why) }
	switch {
	case name == "":
		return bad("empty name")
	case len(name) > 1024:
		return bad("name too long")
	case strings.HasPrefix(name, "/"):
		return bad("absolute path")
	case strings.ContainsAny(name, "\\:"):
		return bad("backslash or colon in name")
	case path.Clean(name) != name:
		return bad("not a clean path")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return bad("control character in name")
		}
	}
	if name == "config.yaml" || name == ManifestName {
		return nil
	}
	parts := strings.Split(name, "/")
	for _, p := range parts {
		switch {
		case p == "..", p == ".":
			return bad("parent or current directory element")
		case strings.HasPrefix(p, "."):
			return bad("hidden file or folder")
		case len(p) > 255:
			return bad("element too long")
		}
	}
	top := parts[0]
	known := false
	for _, f := range Folders() {
		known = known || top == f
	}
	if !known || len(parts) < 2 {
		return bad("outside config.yaml, maps/, probes/, mibs/ and tools/")
	}
	if top == "maps" {
		ext := strings.ToLower(path.Ext(name))
		if len(parts) != 2 || (ext != ".yaml" && ext != ".yml") {
			return bad("map files are maps/NAME.yaml")
		}
	}
	return nil
}
