package flow

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateFile is the template file: per exporter, the v9/IPFIX templates,
// the sampling rates and interface names its options data gave. Exporters
// re-send templates only every few minutes (some every 30), and options
// data even less often; without this file every restart loses that long
// of flows, or decodes them unscaled.
type stateFile struct {
	Format    int             `json:"format"`
	Saved     time.Time       `json:"saved"`
	Exporters []exporterState `json:"exporters"`
}

type exporterState struct {
	Address     netip.Addr               `json:"address"`
	Templates   []*template              `json:"templates"`
	Samplers    []samplerRate            `json:"samplers,omitempty"`
	DomainRates map[uint32]uint32        `json:"domain_rates,omitempty"`
	Interfaces  map[uint32]InterfaceName `json:"interfaces,omitempty"`
}

type samplerRate struct {
	samplerKey
	Rate uint32 `json:"rate"`
}

const stateFormat = 1

// saveIfDirty writes the template file when something in it changed.
func (c *Collector) saveIfDirty() error {
	if c.cfg.TemplateFile == "" || !c.dirty.Swap(false) {
		return nil
	}
	if err := c.saveState(c.cfg.TemplateFile); err != nil {
		c.dirty.Store(true)
		return err
	}
	return nil
}

// SaveTemplates writes the template file now (it is also written every
// TemplateSaveInterval when changed, and at Stop).
func (c *Collector) SaveTemplates() error {
	if c.cfg.TemplateFile == "" {
		return nil
	}
	c.dirty.Store(false)
	return c.saveState(c.cfg.TemplateFile)
}

func (c *Collector) saveState(path string) error {
	st := stateFile{Format: stateFormat, Saved: c.deps.Now().UTC()}
	c.mu.RLock()
	es := slices.Collect(maps.Values(c.exporters))
	c.mu.RUnlock()
	slices.SortFunc(es, func(a, b *exporter) int { return a.addr.Compare(b.addr) })
	for _, e := range es {
		e.mu.Lock()
		s := exporterState{Address: e.addr, DomainRates: maps.Clone(e.sampling.byDomain), Interfaces: maps.Clone(e.ifNames)}
		for _, t := range e.templates {
			cp := *t
			s.Templates = append(s.Templates, &cp)
		}
		for k, r := range e.sampling.bySampler {
			s.Samplers = append(s.Samplers, samplerRate{k, r})
		}
		e.mu.Unlock()
		if len(s.Templates)+len(s.Samplers)+len(s.DomainRates)+len(s.Interfaces) == 0 {
			continue
		}
		slices.SortFunc(s.Templates, func(a, b *template) int {
			if a.Domain != b.Domain {
				return int(int64(a.Domain) - int64(b.Domain))
			}
			return int(a.Version)<<16 + int(a.ID) - (int(b.Version)<<16 + int(b.ID))
		})
		st.Exporters = append(st.Exporters, s)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("flow template file %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("flow template file %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("flow template file %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("flow template file %s: %w", path, err)
	}
	return nil
}

// loadState reads the template file into the exporters, skipping
// templates older than TemplateMaxAge; a missing file is an empty one.
func (c *Collector) loadState(path string) (templates int, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("flow template file %s: %w", path, err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, fmt.Errorf("flow template file %s: %w", path, err)
	}
	if st.Format != stateFormat {
		return 0, fmt.Errorf("flow template file %s: format %d, want %d", path, st.Format, stateFormat)
	}
	now := c.deps.Now()
	for _, s := range st.Exporters {
		if !s.Address.IsValid() {
			continue
		}
		e := c.exporter(s.Address.Unmap())
		e.mu.Lock()
		for _, t := range s.Templates {
			if t == nil || t.ID < firstDataSet || (t.Version != 9 && t.Version != 10) {
				continue
			}
			if c.cfg.TemplateMaxAge > 0 && now.Sub(t.LastSeen) > c.cfg.TemplateMaxAge {
				continue
			}
			if e.setTemplate(t, t.LastSeen) {
				templates++
			}
		}
		for _, r := range s.Samplers {
			e.sampling.bySampler[r.samplerKey] = r.Rate
		}
		maps.Copy(e.sampling.byDomain, s.DomainRates)
		maps.Copy(e.ifNames, s.Interfaces)
		e.mu.Unlock()
	}
	return templates, nil
}
