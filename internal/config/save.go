package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	return f.save(data, setting{path: []string{"notifiers"}, value: notifiers}, setting{path: []string{"rules"}, value: rules})
}

// SaveRetention replaces the retention: section of config.yaml as
// SaveNotifications does for its sections.
func (f Folder) SaveRetention(p chart.Policies) (Config, error) {
	data, err := os.ReadFile(f.Config())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("read settings: %w", err)
	}
	return f.save(data, setting{path: []string{"retention"}, value: p})
}

// SaveFlows replaces the flow settings the Settings page edits —
// flows.inside, max_bytes, max_age and server_ports, and listeners.netflow,
// sflow and jflow — and nothing else: the other keys of flows: and
// listeners: (and their comments) stay as they are. The settings are
// checked and normalized first (FlowSettings.Normalize); as with
// SaveNotifications, nothing is written unless the whole file is valid.
func (f Folder) SaveFlows(fs FlowSettings) (Config, error) {
	fs, err := fs.Normalize()
	if err != nil {
		return Config{}, err
	}
	data, err := os.ReadFile(f.Config())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("read settings: %w", err)
	}
	return f.save(data,
		setting{path: []string{"flows", "inside"}, value: fs.Inside, flow: true},
		setting{path: []string{"flows", "max_bytes"}, value: fs.MaxBytes},
		setting{path: []string{"flows", "max_age"}, value: fs.MaxAge},
		setting{path: []string{"flows", "server_ports"}, value: fs.ServerPorts, flow: true},
		setting{path: []string{"listeners", "netflow"}, value: fs.Listeners.NetFlow},
		setting{path: []string{"listeners", "sflow"}, value: fs.Listeners.SFlow},
		setting{path: []string{"listeners", "jflow"}, value: fs.Listeners.JFlow},
	)
}

// setting is one value to write at a path of keys (["flows", "inside"]).
type setting struct {
	path  []string
	value any
	// flow writes a list or mapping on one line ([10.0.0.0/8, ...]), as
	// the commented template shows them.
	flow bool
}

// save writes values over config.yaml's keys when the result is valid.
func (f Folder) save(data []byte, set ...setting) (Config, error) {
	out, err := replaceKeys(data, set)
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

// replaceKeys sets keys of a YAML document to values, keeping everything
// else (and the comments) in place; keys not yet present are appended in
// order, with the mappings on their path.
func replaceKeys(data []byte, set []setting) ([]byte, error) {
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
	for _, s := range set {
		var v yaml.Node
		if err := v.Encode(s.value); err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(s.path, "."), err)
		}
		if s.flow && (v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) {
			v.Style = yaml.FlowStyle
		}
		if err := setIn(root, s.path, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(s.path, "."), err)
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

// setIn sets the value at path under the mapping m, making the mappings on
// the way (an empty "flows:" becomes one). A value's end-of-line comment
// ("max_bytes: 5000000000 # 5 GB") stays with its key.
func setIn(m *yaml.Node, path []string, v *yaml.Node) error {
	key := path[0]
	var slot **yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			slot = &m.Content[i+1]
		}
	}
	if slot == nil {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"})
		slot = &m.Content[len(m.Content)-1]
	}
	old := *slot
	if len(path) > 1 {
		if old.Kind == yaml.ScalarNode && old.Tag == "!!null" {
			*slot = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: old.HeadComment, LineComment: old.LineComment, FootComment: old.FootComment}
		} else if old.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: %s must be a mapping of keys, not a single value or a list", old.Line, key)
		}
		return setIn(*slot, path[1:], v)
	}
	v.HeadComment, v.FootComment = old.HeadComment, old.FootComment
	if v.Kind == yaml.ScalarNode || v.Style == yaml.FlowStyle {
		v.LineComment = old.LineComment
	}
	// A string the administrator quoted ("127.0.0.1:2055") stays quoted.
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" && old.Kind == yaml.ScalarNode && old.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		v.Style = old.Style
	}
	*slot = v
	return nil
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
