package settingsync

import (
	"encoding/json"
	"fmt"
	"time"
)

// Manifest describes an export: who made it, when, and every file with
// its size and SHA-256, so the importer can tell a complete, untampered
// archive from a truncated one.
type Manifest struct {
	Format  string    `json:"format"`
	Version string    `json:"version"`
	Server  string    `json:"server,omitempty"`
	Created time.Time `json:"created"`
	// LocalKeys are the config.yaml keys left out of the export.
	LocalKeys []string `json:"local_keys"`
	Files     []File   `json:"files"`
}

// File is one archive member.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Executable is set for tools the command notifier runs.
	Executable bool `json:"executable,omitempty"`
}

// parseManifest decodes and checks a manifest.
func parseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("%s: format %q, this Vantage reads %q", ManifestName, m.Format, Format)
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if err := CheckName(f.Path); err != nil || f.Path == ManifestName {
			return m, fmt.Errorf("%s: file %q: %w", ManifestName, f.Path, ErrUnsafe)
		}
		if seen[f.Path] {
			return m, fmt.Errorf("%s: %q listed twice", ManifestName, f.Path)
		}
		seen[f.Path] = true
	}
	return m, nil
}
