package settingsync

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport feeds arbitrary archives to Import: it must never panic, and
// whatever it accepts, nothing may land outside the settings folder or
// outside config.yaml and the copied folders, and no link may appear.
func FuzzImport(f *testing.F) {
	f.Add(build(f, []member{{name: "maps/campus.yaml", body: mapCampus}, {name: "probes/x.txt", body: "x"}}, nil))
	f.Add(build(f, []member{{name: "config.yaml", body: "down_after: 4\n"}, {name: "tools/t.sh", body: "#!/bin/sh\n", mode: 0o755}}, nil))
	f.Add(build(f, []member{{name: "maps/../../evil.yaml", body: "x"}}, nil))
	f.Add(build(f, []member{{name: "probes/l", typ: tar.TypeSymlink, linkname: "/etc/passwd"}}, nil))
	f.Add(build(f, []member{{name: "/abs.yaml", body: "x"}}, nil))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte("not an archive"))
	lim := Limits{MaxFiles: 50, MaxFileSize: 64 << 10, MaxTotal: 256 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		root := filepath.Join(parent, "data")
		if _, err := Import(context.Background(), root, bytes.NewReader(data), ImportOptions{Limits: lim}); err != nil {
			return
		}
		ents, _ := os.ReadDir(parent)
		if len(ents) != 1 {
			t.Fatalf("wrote next to the settings folder: %v", ents)
		}
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || p == root {
				return err
			}
			if d.Type()&os.ModeSymlink != 0 {
				t.Fatalf("link created: %s", p)
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				return nil
			}
			if rel != stateFile && CheckName(rel) != nil {
				t.Fatalf("file outside the allowed folders: %s", rel)
			}
			return nil
		})
	})
}
