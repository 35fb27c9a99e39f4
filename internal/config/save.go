package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/notify"
)

// SaveNotifications replaces the notifiers: and rules: sections of
// config.yaml, as the settings page does, and returns the new settings.
// The rest of the file — keys, comments, order — is kept as the
// administrator wrote it. Nothing is written unless the whole resulting file
// is valid; the write is atomic (temporary file, then rename).
func (f Folder) SaveNotifications(ns []notify.Config, rules []alert.Rule) (Config, error) {
	data, err := os.ReadFile(f.Config())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("read settings: %w", err)
	}
	notifiers := make([]Notifier, len(ns))
	for i, n := range ns {
		notifiers[i] = Notifier{Config: n}
	}
	return f.save(data, map[string]any{"notifiers": notifiers, "rules": rules}, []string{"notifiers", "rules"})
}

// SaveRetention replaces the retention: section of config.yaml as
// SaveNotifications does for its sections.
func (f Folder) SaveRetention(p chart.Policies) (Config, error) {
	data, err := os.ReadFile(f.Config())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("read settings: %w", err)
	}
	return f.save(data, map[string]any{"retention": p}, []string{"retention"})
}

// save writes values over config.yaml's keys when the result is valid.
func (f Folder) save(data []byte, values map[string]any, order []string) (Config, error) {
	out, err := replaceKeys(data, values, order)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", f.Config(), err)
	}
	c, err := Parse(out)
	if err != nil {
		return c, err
	}
	if err := writeAtomic(f.Config(), out); err != nil {
		return c, err
	}
	return c, nil
}

// replaceKeys sets top-level keys of a YAML document to values, keeping
// everything else (and the comments) in place; keys not yet present are
// appended in order.
func replaceKeys(data []byte, values map[string]any, order []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var prefix []byte
	if doc.Kind == 0 || len(doc.Content) == 0 {
		// An empty or comments-only file (the commented template): the
		// parser keeps no node to hang its comments on, so the keys go
		// after the text as it is.
		prefix = data
		if len(prefix) > 0 && prefix[len(prefix)-1] != '\n' {
			prefix = append(prefix, '\n')
		}
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the settings must be a mapping of keys", root.Line)
	}
	for _, key := range order {
		var v yaml.Node
		if err := v.Encode(values[key]); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		found := false
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == key {
				root.Content[i+1] = &v
				found = true
			}
		}
		if !found {
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &v)
		}
	}
	buf := bytes.NewBuffer(append([]byte(nil), prefix...))
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// writeAtomic replaces path with data so a crash leaves the old or the new
// file, never half of one; the file's mode is kept.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write settings: %w", err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write settings: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write settings: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	return nil
}
