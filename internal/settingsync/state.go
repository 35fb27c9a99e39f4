package settingsync

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"os"
	"path/filepath"
)

// stateFile remembers what the last sync installed, so the next one can
// remove what the primary deleted without touching the secondary's own
// files. It is hidden, so it is never exported.
const stateFile = ".sync-state.json"

type state struct {
	// Files maps each installed path to the SHA-256 written.
	Files map[string]string `json:"files"`
}

func loadState(root string) (state, error) {
	s := state{Files: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(root, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %w (delete it to start afresh)", stateFile, err)
	}
	if s.Files == nil {
		s.Files = map[string]string{}
	}
	for p := range s.Files {
		// A tampered state file must not point removals elsewhere.
		if CheckName(p) != nil {
			delete(s.Files, p)
		}
	}
	return s, nil
}

func saveState(root string, s state) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(root, ".sync-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(root, stateFile))
}

func mapsKeys(m map[string]string) iter.Seq[string] { return maps.Keys(m) }
