package settingsync

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"config.yaml", true},
		{"manifest.json", true},
		{"maps/campus.yaml", true},
		{"maps/campus.yml", true},
		{"probes/com.example.x.txt", true},
		{"probes/sub/x.txt", true},
		{"mibs/IF-MIB.txt", true},
		{"tools/notify.sh", true},
		{"", false},
		{"/etc/passwd", false},
		{"../x", false},
		{"maps/../../x.yaml", false},
		{"maps/./x.yaml", false},
		{"maps//x.yaml", false},
		{"maps/x.yaml/", false},
		{"maps/sub/x.yaml", false},
		{"maps/x.txt", false},
		{"maps", false},
		{"db/vantage.db", false},
		{"logs/event.log", false},
		{"tls/key.pem", false},
		{"initial-admin-password", false},
		{".sync-state.json", false},
		{"probes/.hidden", false},
		{"probes\\x.txt", false},
		{"C:/x", false},
		{"probes/a\x00b", false},
		{"probes/a\nb", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrUnsafe) {
				t.Fatalf("error %v is not ErrUnsafe", err)
			}
		})
	}
}

// TestImportRefuses: every unsafe or inconsistent archive is refused
// whole, and leaves the settings folder exactly as it was.
func TestImportRefuses(t *testing.T) {
	str := func(s string) *string { return &s }
	small := Limits{MaxFiles: 10, MaxFileSize: 1 << 10, MaxTotal: 4 << 10}
	for _, tc := range []struct {
		name     string
		members  []member
		manifest *string
		limits   Limits
		want     string
	}{
		{name: "traversal", members: []member{{name: "maps/../../evil.yaml", body: "x"}}, want: "unsafe"},
		{name: "traversal to sibling", members: []member{{name: "../outside/maps/x.yaml", body: "x"}}, want: "unsafe"},
		{name: "absolute", members: []member{{name: "/tmp/evil.yaml", body: "x"}}, want: "unsafe"},
		{name: "symlink", members: []member{{name: "probes/link.txt", typ: tar.TypeSymlink, linkname: "/etc/passwd"}}, want: "not a regular file"},
		{name: "hard link", members: []member{{name: "probes/link.txt", typ: tar.TypeLink, linkname: "config.yaml"}}, want: "not a regular file"},
		{name: "device", members: []member{{name: "probes/dev", typ: tar.TypeChar}}, want: "not a regular file"},
		{name: "unknown top level", members: []member{{name: "db/vantage.db", body: "x"}}, want: "outside"},
		{name: "top-level file", members: []member{{name: "initial-admin-password", body: "x"}}, want: "outside"},
		{name: "folder outside", members: []member{{name: "etc/", typ: tar.TypeDir}}, want: "unsafe"},
		{name: "hidden", members: []member{{name: "probes/.x.txt", body: "x"}}, want: "hidden"},
		{name: "map in subfolder", members: []member{{name: "maps/a/b.yaml", body: "x"}}, want: "maps/NAME.yaml"},
		{name: "oversize file", members: []member{{name: "mibs/big.txt", body: strings.Repeat("x", 2<<10)}}, limits: small, want: "limit per file"},
		{name: "oversize total", members: []member{
			{name: "mibs/a.txt", body: strings.Repeat("x", 1000)}, {name: "mibs/b.txt", body: strings.Repeat("x", 1000)},
			{name: "mibs/c.txt", body: strings.Repeat("x", 1000)}, {name: "mibs/d.txt", body: strings.Repeat("x", 1000)},
			{name: "mibs/e.txt", body: strings.Repeat("x", 1000)}}, limits: small, want: "byte limit"},
		{name: "too many entries", members: func() []member {
			var ms []member
			for i := range 12 {
				ms = append(ms, member{name: "probes/" + string(rune('a'+i)) + ".txt", body: "x"})
			}
			return ms
		}(), limits: small, want: "more than 10 entries"},
		{name: "duplicate", members: []member{{name: "maps/a.yaml", body: mapCampus}, {name: "maps/a.yaml", body: mapCampus}}, want: "twice"},
		{name: "no manifest", members: []member{{name: "maps/a.yaml", body: mapCampus}}, manifest: str("-"), want: "no manifest.json"},
		{name: "bad manifest json", members: []member{{name: "maps/a.yaml", body: mapCampus}}, manifest: str("{"), want: "manifest.json"},
		{name: "wrong format", members: []member{{name: "maps/a.yaml", body: mapCampus}}, manifest: str(`{"format":"other/9","files":[]}`), want: "format"},
		{name: "unlisted file", members: []member{{name: "maps/a.yaml", body: mapCampus, unlisted: true}}, want: "not in manifest.json"},
		{name: "missing file", members: []member{{name: "maps/a.yaml", body: mapCampus}},
			manifest: str(`{"format":"vantage-export/1","files":[{"path":"maps/b.yaml","size":1,"sha256":"00"},{"path":"maps/a.yaml","size":55,"sha256":"00"}]}`), want: "lacks"},
		{name: "altered file", members: []member{{name: "maps/a.yaml", body: mapCampus}},
			manifest: str(`{"format":"vantage-export/1","files":[{"path":"maps/a.yaml","size":55,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]}`), want: "differs"},
		{name: "manifest lists unsafe path", members: nil,
			manifest: str(`{"format":"vantage-export/1","files":[{"path":"../x","size":1,"sha256":"00"}]}`), want: "unsafe"},
		{name: "invalid settings", members: []member{{name: "config.yaml", body: "down_after: 0\n"}}, want: "not valid"},
		{name: "unknown setting", members: []member{{name: "config.yaml", body: "no_such_key: 1\n"}}, want: "not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, "data")
			before := map[string]string{"config.yaml": "down_after: 5\n", "maps/local.yaml": "name: Local\n"}
			writeTree(t, root, before)
			_, err := Import(context.Background(), root, bytes.NewReader(build(t, tc.members, tc.manifest)), ImportOptions{Limits: tc.limits, CheckConfig: checkConfig})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if got := tree(t, root); !equal(got, before) {
				t.Fatalf("settings folder changed: %v", got)
			}
			ents, _ := os.ReadDir(parent)
			if len(ents) != 1 {
				t.Fatalf("something was written next to the settings folder: %v", ents)
			}
			if hidden, _ := filepath.Glob(filepath.Join(root, ".sync-*")); len(hidden) != 0 {
				t.Fatalf("staging left behind: %v", hidden)
			}
		})
	}
}

func TestImportNotGzip(t *testing.T) {
	_, err := Import(context.Background(), t.TempDir(), strings.NewReader("<html>login</html>"), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Fatalf("err = %v", err)
	}
}

func TestImportTruncated(t *testing.T) {
	a := build(t, []member{{name: "mibs/a.txt", body: strings.Repeat("abc", 5000)}}, nil)
	_, err := Import(context.Background(), t.TempDir(), bytes.NewReader(a[:len(a)/2]), ImportOptions{})
	if err == nil {
		t.Fatal("a truncated archive was accepted")
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// checkConfig stands in for config.Parse, which would link every
// component into this package's test binary (and slow fuzzing to a crawl).
func checkConfig(b []byte) error {
	for _, bad := range []string{"down_after: 0", "no_such_key"} {
		if bytes.Contains(b, []byte(bad)) {
			return errors.New("refused " + bad)
		}
	}
	return nil
}
