package settingsync

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// member is one archive entry a test builds by hand.
type member struct {
	name     string
	body     string
	typ      byte // tar.TypeReg when 0
	linkname string
	mode     int64
	// size, when set, overrides the header's size (lying headers).
	size int64
	// unlisted keeps the member out of the generated manifest.
	unlisted bool
}

// build makes a tar.gz of members followed by a manifest listing them,
// unless manifest is given (nil: generated; "-": none).
func build(t testing.TB, members []member, manifest *string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	m := Manifest{Format: Format, Version: "test", Created: time.Unix(0, 0).UTC(), Files: []File{}}
	for _, mb := range members {
		typ := mb.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		size := int64(len(mb.body))
		if typ != tar.TypeReg {
			size = 0
		}
		if mb.size != 0 {
			size = mb.size
		}
		mode := mb.mode
		if mode == 0 {
			mode = 0o644
		}
		h := &tar.Header{Name: mb.name, Typeflag: typ, Size: size, Mode: mode, Linkname: mb.linkname, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("header %q: %v", mb.name, err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(mb.body))
		}
		if typ == tar.TypeReg && !mb.unlisted {
			sum := sha256.Sum256([]byte(mb.body))
			m.Files = append(m.Files, File{Path: mb.name, Size: int64(len(mb.body)), SHA256: hex.EncodeToString(sum[:]), Executable: mode&0o111 != 0})
		}
	}
	var mj []byte
	switch {
	case manifest == nil:
		mj, _ = json.Marshal(m)
	case *manifest != "-":
		mj = []byte(*manifest)
	}
	if mj != nil {
		tw.WriteHeader(&tar.Header{Name: ManifestName, Typeflag: tar.TypeReg, Size: int64(len(mj)), Mode: 0o644})
		tw.Write(mj)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// writeTree creates files under root.
func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tree reads every non-hidden file under root, by slash path.
func tree(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && d.Name()[0] == '.' {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name()[0] == '.' {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		b, _ := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return out
}

const mapCampus = "name: Campus\ndevices:\n  - name: gw\n    address: 192.0.2.1\n"
