package settingsync

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ImportOptions tune an import.
type ImportOptions struct {
	Limits Limits
	// DryRun reports what would change and writes nothing.
	DryRun bool
	// CheckConfig validates the merged config.yaml (config.Parse); an
	// archive whose settings the server would refuse to start with is
	// refused whole. Nil accepts any YAML mapping.
	CheckConfig func([]byte) error
}

// Report says what an import changed, by path relative to the settings
// folder.
type Report struct {
	From      Manifest `json:"from"`
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
	// Kept are files an earlier sync installed, now gone from the
	// primary, that were edited here since: they are left alone.
	Kept []string `json:"kept,omitempty"`
}

// Changes counts the files written or removed.
func (r Report) Changes() int { return len(r.Added) + len(r.Changed) + len(r.Removed) }

// staged is a received file waiting in the staging folder.
type staged struct {
	File
	tmp string
}

// Import reads an export from r into the settings folder root. Nothing is
// installed until the whole archive has arrived, every member has passed
// CheckName and the limits, the manifest matches every file's size and
// SHA-256, and the merged config.yaml is valid; then each file replaces
// its old version atomically (a rename from a staging folder inside root)
// in the order probe files, MIBs, tools, maps, config.yaml. Files an
// earlier sync installed that the primary no longer has are removed unless
// edited here since; files this server has of its own are never touched.
func Import(ctx context.Context, root string, r io.Reader, o ImportOptions) (Report, error) {
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return Report{}, fmt.Errorf("import: %w", err)
	}
	stage, err := os.MkdirTemp(root, ".sync-staging-")
	if err != nil {
		return Report{}, fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(stage)
	files, manifest, err := receive(ctx, r, stage, o.Limits)
	if err != nil {
		return Report{}, fmt.Errorf("import: %w", err)
	}
	if err := verify(files, manifest); err != nil {
		return Report{}, fmt.Errorf("import: %w", err)
	}
	if f, ok := files["config.yaml"]; ok {
		if err := stageConfig(root, f, o.CheckConfig); err != nil {
			return Report{}, fmt.Errorf("import config.yaml: %w", err)
		}
	}
	rep := Report{From: manifest, Added: []string{}, Changed: []string{}, Removed: []string{}}
	prev, err := loadState(root)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	plan := installOrder(files)
	next := state{Files: map[string]string{}}
	for _, f := range plan {
		cur, exists, err := hashFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil {
			return rep, fmt.Errorf("import %s: %w", f.Path, err)
		}
		next.Files[f.Path] = f.SHA256
		switch {
		case !exists:
			rep.Added = append(rep.Added, f.Path)
		case cur != f.SHA256:
			rep.Changed = append(rep.Changed, f.Path)
		default:
			rep.Unchanged++
			continue
		}
		if !o.DryRun {
			if err := install(root, f); err != nil {
				return rep, fmt.Errorf("import %s: %w", f.Path, err)
			}
		}
	}
	for _, p := range slices.Sorted(mapsKeys(prev.Files)) {
		if _, still := files[p]; still || p == "config.yaml" {
			continue
		}
		full := filepath.Join(root, filepath.FromSlash(p))
		cur, exists, err := hashFile(full)
		switch {
		case err != nil:
			return rep, fmt.Errorf("import: %w", err)
		case !exists:
		case cur != prev.Files[p]:
			rep.Kept = append(rep.Kept, p)
		default:
			rep.Removed = append(rep.Removed, p)
			if !o.DryRun {
				if err := os.Remove(full); err != nil {
					return rep, fmt.Errorf("import: remove %s: %w", p, err)
				}
			}
		}
	}
	if !o.DryRun {
		if err := saveState(root, next); err != nil {
			return rep, fmt.Errorf("import: %w", err)
		}
	}
	return rep, nil
}

// receive reads the archive into stage, enforcing names, types and limits.
func receive(ctx context.Context, r io.Reader, stage string, lim Limits) (map[string]*staged, Manifest, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, Manifest{}, fmt.Errorf("not a gzip archive: %w", err)
	}
	tr := tar.NewReader(gz)
	files := map[string]*staged{}
	var manifest []byte
	var total int64
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, Manifest{}, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Manifest{}, fmt.Errorf("archive: %w", err)
		}
		if n >= lim.MaxFiles {
			return nil, Manifest{}, fmt.Errorf("archive has more than %d entries", lim.MaxFiles)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if h.Typeflag == tar.TypeDir {
			// Folders are made as files need them; the name must still
			// be one a file could have under.
			if err := CheckName(name + "/x.yaml"); err != nil {
				return nil, Manifest{}, fmt.Errorf("%w: folder %q", ErrUnsafe, h.Name)
			}
			continue
		}
		if h.Typeflag != tar.TypeReg {
			return nil, Manifest{}, fmt.Errorf("%w: %q is not a regular file (type %q): links and devices are refused", ErrUnsafe, h.Name, string(h.Typeflag))
		}
		if err := CheckName(h.Name); err != nil {
			return nil, Manifest{}, err
		}
		if h.Size < 0 || h.Size > lim.MaxFileSize {
			return nil, Manifest{}, fmt.Errorf("%s: %d bytes, over the %d-byte limit per file", h.Name, h.Size, lim.MaxFileSize)
		}
		if total += h.Size; total > lim.MaxTotal {
			return nil, Manifest{}, fmt.Errorf("archive over the %d-byte limit", lim.MaxTotal)
		}
		if _, dup := files[h.Name]; dup || (h.Name == ManifestName && manifest != nil) {
			return nil, Manifest{}, fmt.Errorf("%w: %q appears twice", ErrUnsafe, h.Name)
		}
		if h.Name == ManifestName {
			if manifest, err = io.ReadAll(io.LimitReader(tr, h.Size)); err != nil {
				return nil, Manifest{}, fmt.Errorf("archive: %w", err)
			}
			continue
		}
		f, err := stageFile(tr, stage, h, n)
		if err != nil {
			return nil, Manifest{}, err
		}
		files[h.Name] = f
	}
	if manifest == nil {
		return nil, Manifest{}, fmt.Errorf("archive has no %s: not a Vantage export", ManifestName)
	}
	m, err := parseManifest(manifest)
	return files, m, err
}

// stageFile copies one member into the staging folder under a numbered
// name (never the member's own), hashing it on the way.
func stageFile(tr io.Reader, stage string, h *tar.Header, n int) (*staged, error) {
	tmp := filepath.Join(stage, fmt.Sprintf("%06d", n))
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	got, err := io.Copy(io.MultiWriter(out, sum), io.LimitReader(tr, h.Size))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	if got != h.Size {
		return nil, fmt.Errorf("%s: truncated (%d of %d bytes)", h.Name, got, h.Size)
	}
	return &staged{File: File{Path: h.Name, Size: got, SHA256: hex.EncodeToString(sum.Sum(nil)), Executable: h.Mode&0o111 != 0}, tmp: tmp}, nil
}

// verify checks that the manifest lists exactly the files received, with
// their sizes and hashes.
func verify(files map[string]*staged, m Manifest) error {
	for _, want := range m.Files {
		got, ok := files[want.Path]
		if !ok {
			return fmt.Errorf("%s lists %s, which the archive lacks", ManifestName, want.Path)
		}
		if got.Size != want.Size || got.SHA256 != want.SHA256 {
			return fmt.Errorf("%s: SHA-256 or size differs from %s (corrupted or altered)", want.Path, ManifestName)
		}
		got.Executable = want.Executable
	}
	if len(files) != len(m.Files) {
		for p := range files {
			if !slices.ContainsFunc(m.Files, func(f File) bool { return f.Path == p }) {
				return fmt.Errorf("%s is not in %s", p, ManifestName)
			}
		}
	}
	return nil
}

// stageConfig merges the primary's config.yaml with this server's own
// keys, in the staged copy, and refuses a result the server would not
// start with.
func stageConfig(root string, f *staged, check func([]byte) error) error {
	primary, err := os.ReadFile(f.tmp)
	if err != nil {
		return err
	}
	local, err := os.ReadFile(filepath.Join(root, "config.yaml"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	merged, err := mergeConfig(primary, local)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(merged); err != nil {
			return fmt.Errorf("the merged settings are not valid, nothing imported: %w", err)
		}
	}
	if err := os.WriteFile(f.tmp, merged, 0o600); err != nil {
		return err
	}
	sum := sha256.Sum256(merged)
	f.SHA256, f.Size = hex.EncodeToString(sum[:]), int64(len(merged))
	return nil
}

// installOrder sorts files as Folders says, config.yaml last.
func installOrder(files map[string]*staged) []*staged {
	rank := func(p string) int {
		top, _, _ := strings.Cut(p, "/")
		if i := slices.Index(Folders(), top); i >= 0 {
			return i
		}
		return len(Folders())
	}
	out := make([]*staged, 0, len(files))
	for _, f := range files {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *staged) int {
		if d := rank(a.Path) - rank(b.Path); d != 0 {
			return d
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// install moves a staged file into place: its folder is made, and the
// rename replaces the old file in one step.
func install(root string, f *staged) error {
	dst := filepath.Join(root, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if f.Executable && strings.HasPrefix(f.Path, "tools/") {
		mode = 0o755
	}
	if err := os.Chmod(f.tmp, mode); err != nil {
		return err
	}
	return os.Rename(f.tmp, dst)
}

// hashFile returns the SHA-256 of a file, or exists=false.
func hashFile(p string) (sum string, exists bool, err error) {
	st, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !st.Mode().IsRegular() {
		return "", true, fmt.Errorf("%s exists and is not a regular file", p)
	}
	fh, err := os.Open(p)
	if err != nil {
		return "", true, err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", true, err
	}
	return hex.EncodeToString(h.Sum(nil)), true, nil
}
