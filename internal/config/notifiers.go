package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vantage-monitor/vantage/internal/notify"
)

// Notifier is one entry of notifiers: in config.yaml. Fields left out take
// notify.DefaultConfig()'s values (3 retries, 2 s apart, 10 s timeout).
type Notifier struct {
	notify.Config `yaml:",inline"`
}

// UnmarshalYAML decodes over the defaults and, like the rest of the file,
// refuses unknown keys.
func (n *Notifier) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a notifier must be a mapping with name and type", v.Line)
	}
	known := map[string]bool{}
	t := reflect.TypeOf(notify.Config{})
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		known[name] = true
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if k := v.Content[i]; !known[k.Value] {
			return fmt.Errorf("line %d: field %s not found in a notifier", k.Line, k.Value)
		}
	}
	c := notify.DefaultConfig()
	if err := v.Decode(&c); err != nil {
		return err
	}
	n.Config = c
	return nil
}

// validateNotifiers checks every notifier and that names are unique.
func validateNotifiers(ns []Notifier) []error {
	var errs []error
	seen := map[string]bool{}
	for i, n := range ns {
		if seen[n.Name] {
			errs = append(errs, fmt.Errorf("notifiers[%d]: name %q is used twice", i, n.Name))
		}
		seen[n.Name] = true
		if err := n.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
