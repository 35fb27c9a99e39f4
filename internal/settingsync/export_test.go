package settingsync

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const primaryConfig = `# the primary's settings
listeners:
  http: ":9443"
server_name: primary
database:
  url: postgres://u:secret@central/db
down_after: 4
icmp:
  mode: raw
`

// TestExportImport: the secondary gets the primary's maps, probes, MIBs,
// tools and settings, keeps its own listeners, name, database and ICMP
// mode, and never sees the primary's database password.
func TestExportImport(t *testing.T) {
	primary, secondary := t.TempDir(), t.TempDir()
	writeTree(t, primary, map[string]string{
		"config.yaml":                  primaryConfig,
		"maps/campus.yaml":             mapCampus,
		"maps/notes.txt":               "not a map",
		"probes/com.example.x.txt":     "<header>\n</header>\n",
		"probes/sub/com.example.y.txt": "y",
		"mibs/EXAMPLE-MIB.txt":         "EXAMPLE-MIB DEFINITIONS ::= BEGIN END",
		"tools/notify.sh":              "#!/bin/sh\necho hi\n",
		"logs/event.log":               "not exported",
		"db/vantage.db":                "not exported",
		"tls/key.pem":                  "not exported",
		"maps/.campus.yaml.swp":        "editor file",
	})
	os.Chmod(filepath.Join(primary, "tools/notify.sh"), 0o755)
	os.Symlink("/etc/passwd", filepath.Join(primary, "probes", "link.txt"))
	writeTree(t, secondary, map[string]string{
		"config.yaml":     "listeners:\n  http: \":8080\"\nserver_name: secondary\ndown_after: 2\n",
		"maps/local.yaml": "name: Local\n",
	})

	var buf bytes.Buffer
	m, err := Export(context.Background(), primary, &buf, ExportOptions{Version: "1.2.3", Server: "primary", Now: func() time.Time { return time.Unix(1e9, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	want := []string{"config.yaml", "maps/campus.yaml", "mibs/EXAMPLE-MIB.txt", "probes/com.example.x.txt", "probes/sub/com.example.y.txt", "tools/notify.sh"}
	if !slices.Equal(paths, want) {
		t.Fatalf("exported %v, want %v", paths, want)
	}
	if bytes.Contains(buf.Bytes(), []byte("secret")) {
		// gzip could hide it; check the decompressed config too below.
		t.Fatal("database password in the archive")
	}

	rep, err := Import(context.Background(), secondary, bytes.NewReader(buf.Bytes()), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 5 || len(rep.Changed) != 1 || rep.From.Server != "primary" || rep.From.Version != "1.2.3" {
		t.Fatalf("report %+v", rep)
	}
	got := tree(t, secondary)
	if got["maps/campus.yaml"] != mapCampus || got["maps/local.yaml"] != "name: Local\n" || got["probes/sub/com.example.y.txt"] != "y" {
		t.Fatalf("files: %v", got)
	}
	cfg := got["config.yaml"]
	for _, s := range []string{"down_after: 4", "server_name: secondary", `http: ":8080"`} {
		if !strings.Contains(cfg, s) {
			t.Errorf("config.yaml lacks %q:\n%s", s, cfg)
		}
	}
	for _, s := range []string{"secret", "9443", "raw", "server_name: primary"} {
		if strings.Contains(cfg, s) {
			t.Errorf("config.yaml has the primary's %q:\n%s", s, cfg)
		}
	}
	if st, _ := os.Stat(filepath.Join(secondary, "tools/notify.sh")); st.Mode().Perm()&0o100 == 0 {
		t.Errorf("tool lost its executable bit: %v", st.Mode())
	}
	if _, err := os.Lstat(filepath.Join(secondary, "probes/link.txt")); err == nil {
		t.Error("a symbolic link was copied")
	}

	// Again: nothing changes.
	rep, err = Import(context.Background(), secondary, bytes.NewReader(buf.Bytes()), ImportOptions{})
	if err != nil || rep.Changes() != 0 || rep.Unchanged != 6 {
		t.Fatalf("second import: %+v, %v", rep, err)
	}

	// The primary deletes a map and a MIB; the secondary had edited the
	// MIB, so it is kept; its own map is never touched.
	os.Remove(filepath.Join(primary, "maps/campus.yaml"))
	os.Remove(filepath.Join(primary, "mibs/EXAMPLE-MIB.txt"))
	os.WriteFile(filepath.Join(secondary, "mibs/EXAMPLE-MIB.txt"), []byte("edited here"), 0o644)
	buf.Reset()
	if _, err := Export(context.Background(), primary, &buf, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err = Import(context.Background(), secondary, &buf, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Removed, []string{"maps/campus.yaml"}) || !slices.Equal(rep.Kept, []string{"mibs/EXAMPLE-MIB.txt"}) {
		t.Fatalf("removed %v kept %v", rep.Removed, rep.Kept)
	}
	got = tree(t, secondary)
	if _, ok := got["maps/campus.yaml"]; ok || got["maps/local.yaml"] == "" || got["mibs/EXAMPLE-MIB.txt"] != "edited here" {
		t.Fatalf("files after removal: %v", got)
	}
}

func TestImportDryRun(t *testing.T) {
	primary, secondary := t.TempDir(), t.TempDir()
	writeTree(t, primary, map[string]string{"maps/campus.yaml": mapCampus})
	var buf bytes.Buffer
	if _, err := Export(context.Background(), primary, &buf, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := Import(context.Background(), secondary, &buf, ImportOptions{DryRun: true})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if got := tree(t, secondary); len(got) != 0 {
		t.Fatalf("dry run wrote %v", got)
	}
}

func TestMergeConfig(t *testing.T) {
	for _, tc := range []struct {
		name, primary, local string
		has, lacks           []string
	}{
		{name: "local keys kept", primary: "down_after: 4\nserver_name: p\n", local: "server_name: s\n", has: []string{"down_after: 4", "server_name: s"}, lacks: []string{"server_name: p"}},
		{name: "local key absent stays default", primary: "listeners:\n  http: :1\n", local: "", lacks: []string{"http: :1"}},
		{name: "empty primary", primary: "# only comments\n", local: "icmp:\n  mode: dgram\n", has: []string{"mode: dgram"}},
		{name: "servers stay local", primary: "servers: []\n", local: "servers:\n  - name: b\n    url: https://b\n    token: t\n", has: []string{"name: b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := mergeConfig([]byte(tc.primary), []byte(tc.local))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.has {
				if !strings.Contains(string(out), s) {
					t.Errorf("lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(string(out), s) {
					t.Errorf("has %q:\n%s", s, out)
				}
			}
		})
	}
	if _, err := mergeConfig([]byte("- a list\n"), nil); err == nil {
		t.Error("a list was accepted as settings")
	}
}
