package settingsync

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// ExportOptions label the archive.
type ExportOptions struct {
	Version string
	Server  string
	// Limits keep the export within what an import accepts, so a primary
	// never makes an archive its secondaries refuse.
	Limits Limits
	Logger *slog.Logger
	Now    func() time.Time
}

// Export writes root's settings (see the package comment) to w as a
// tar.gz whose last member is the manifest. Files are read one at a time;
// symbolic links, hidden files and anything that is not a regular file are
// skipped and logged.
func Export(ctx context.Context, root string, w io.Writer, o ExportOptions) (Manifest, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	names, err := exportNames(root, o.Logger)
	if err != nil {
		return Manifest{}, err
	}
	if len(names) >= o.Limits.MaxFiles {
		return Manifest{}, fmt.Errorf("export: %d files, more than an import accepts (%d)", len(names), o.Limits.MaxFiles)
	}
	m := Manifest{Format: Format, Version: o.Version, Server: o.Server, Created: o.Now().UTC(), LocalKeys: LocalKeys(), Files: []File{}}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	var total int64
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		full := filepath.Join(root, filepath.FromSlash(name))
		st, err := os.Lstat(full)
		if err != nil {
			return m, fmt.Errorf("export %s: %w", name, err)
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return m, fmt.Errorf("export %s: %w", name, err)
		}
		if name == "config.yaml" {
			if data, err = stripLocal(data); err != nil {
				return m, fmt.Errorf("export %s: %w", name, err)
			}
		}
		if int64(len(data)) > o.Limits.MaxFileSize {
			return m, fmt.Errorf("export %s: %d bytes, more than an import accepts (%d)", name, len(data), o.Limits.MaxFileSize)
		}
		if total += int64(len(data)); total > o.Limits.MaxTotal {
			return m, fmt.Errorf("export: more than %d bytes, more than an import accepts", o.Limits.MaxTotal)
		}
		exec := st.Mode().Perm()&0o111 != 0
		mode := int64(0o644)
		if exec {
			mode = 0o755
		}
		if err := writeMember(tw, name, data, mode, st.ModTime()); err != nil {
			return m, fmt.Errorf("export %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, File{Path: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Executable: exec})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := writeMember(tw, ManifestName, mb, 0o644, m.Created); err != nil {
		return m, fmt.Errorf("export manifest: %w", err)
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	if err := gz.Close(); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	return m, nil
}

func writeMember(tw *tar.Writer, name string, data []byte, mode int64, mtime time.Time) error {
	h := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: mode, ModTime: mtime.UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// exportNames lists the files to export, sorted, as slash paths relative
// to root. Only names CheckName accepts are listed, so every export
// imports.
func exportNames(root string, log *slog.Logger) ([]string, error) {
	var names []string
	if st, err := os.Lstat(filepath.Join(root, "config.yaml")); err == nil && st.Mode().IsRegular() {
		names = append(names, "config.yaml")
	}
	for _, dir := range Folders() {
		base := filepath.Join(root, dir)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == base {
					return nil
				}
				return err
			}
			if p == base {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if d.Name()[0] == '.' {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				log.Warn("not exported: not a regular file", "file", rel, "type", d.Type().String())
				return nil
			}
			if err := CheckName(rel); err != nil {
				// Hidden files are editors' and our own temporary files;
				// other names the map store or catalogue would ignore too.
				if d.Name()[0] != '.' {
					log.Warn("not exported", "file", rel, "err", err)
				}
				return nil
			}
			names = append(names, rel)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", dir, err)
		}
	}
	slices.Sort(names)
	return names, nil
}
