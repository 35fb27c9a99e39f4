package settingsync

import (
	"bytes"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// stripLocal removes LocalKeys from a config.yaml, keeping the rest of the
// document (comments included).
func stripLocal(data []byte) ([]byte, error) {
	doc, root, err := parseMapping(data)
	if err != nil || root == nil {
		return data, err
	}
	local := LocalKeys()
	var kept []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !slices.Contains(local, root.Content[i].Value) {
			kept = append(kept, root.Content[i], root.Content[i+1])
		}
	}
	root.Content = kept
	return encode(doc)
}

// mergeConfig is the config.yaml a secondary gets: the primary's, with the
// secondary's own LocalKeys put back (or left at their defaults when the
// secondary's file does not set them).
func mergeConfig(primary, local []byte) ([]byte, error) {
	doc, root, err := parseMapping(primary)
	if err != nil {
		return nil, fmt.Errorf("exported config.yaml: %w", err)
	}
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	}
	_, lroot, err := parseMapping(local)
	if err != nil {
		return nil, fmt.Errorf("this server's config.yaml: %w", err)
	}
	keys := LocalKeys()
	var out []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !slices.Contains(keys, root.Content[i].Value) {
			out = append(out, root.Content[i], root.Content[i+1])
		}
	}
	if lroot != nil {
		for i := 0; i+1 < len(lroot.Content); i += 2 {
			if slices.Contains(keys, lroot.Content[i].Value) {
				out = append(out, lroot.Content[i], lroot.Content[i+1])
			}
		}
	}
	root.Content = out
	if len(doc.HeadComment) == 0 {
		doc.HeadComment = "Copied from the primary server by `vantage sync`; edits here are overwritten by the next\n" +
			"sync, except listeners, server_name, database, servers and icmp, which stay this server's own."
	}
	return encode(doc)
}

// parseMapping parses a YAML document whose top level must be a mapping;
// root is nil for an empty or comments-only document.
func parseMapping(data []byte) (doc, root *yaml.Node, err error) {
	var d yaml.Node
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, nil, err
	}
	if d.Kind == 0 || len(d.Content) == 0 {
		return &d, nil, nil
	}
	r := d.Content[0]
	if r.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("line %d: the settings must be a mapping of keys", r.Line)
	}
	return &d, r, nil
}

func encode(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
