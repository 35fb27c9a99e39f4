package flow

import (
	"slices"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// tmplKey names a template the way RFC 7011 and RFC 3954 scope it: by
// observation domain (source id) within the exporter. The exporter's
// source port is deliberately not part of it: exporters change port when
// they restart, and one box may send from several ports.
type tmplKey struct {
	version uint16
	domain  uint32
	id      uint16
}

// template is a data or options template as the exporter defined it,
// stored in the template file across restarts.
type template struct {
	Version  uint16          `json:"version"`
	Domain   uint32          `json:"domain"`
	ID       uint16          `json:"id"`
	Options  bool            `json:"options,omitempty"`
	Scopes   []netflow.Field `json:"scopes,omitempty"`
	Fields   []netflow.Field `json:"fields"`
	LastSeen time.Time       `json:"last_seen"`
	// Redefined counts the times the exporter changed the template's
	// fields under the same id.
	Redefined uint64 `json:"redefined,omitempty"`
}

func (t *template) key() tmplKey { return tmplKey{t.Version, t.Domain, t.ID} }

// usable is false for a template whose records would take no bytes (only
// zero-length fields): goflow2's set decoder would loop forever on it.
func (t *template) usable() bool {
	for _, f := range append(slices.Clip(t.Scopes), t.Fields...) {
		if f.Length > 0 {
			return true
		}
	}
	return false
}

// TemplateInfo describes one template for the exporters list.
type TemplateInfo struct {
	Version   string    `json:"version"`
	Domain    uint32    `json:"domain"`
	ID        uint16    `json:"id"`
	Options   bool      `json:"options"`
	Fields    int       `json:"fields"`
	Redefined uint64    `json:"redefined,omitempty"`
	LastSeen  time.Time `json:"last_seen"`
}

// setTemplate stores a template the exporter (re)announced. It reports
// whether anything changed, so the template file is only rewritten when
// needed; a refresh with the same fields only moves LastSeen.
func (e *exporter) setTemplate(t *template, now time.Time) bool {
	t.LastSeen = now
	if !t.usable() {
		e.stats.badTemplates++
		return false
	}
	k := t.key()
	old, ok := e.templates[k]
	if ok && old.Options == t.Options && slices.Equal(old.Fields, t.Fields) && slices.Equal(old.Scopes, t.Scopes) {
		old.LastSeen = now
		return false
	}
	if ok {
		t.Redefined = old.Redefined + 1
	}
	e.templates[k] = t
	return true
}

// withdraw removes template id (IPFIX template withdrawal, RFC 7011
// 8.1); the set ids 2 and 3 withdraw every data or options template of the
// domain.
func (e *exporter) withdraw(version uint16, domain uint32, id uint16) bool {
	changed := false
	for k, t := range e.templates {
		if k.version != version || k.domain != domain {
			continue
		}
		if k.id == id || (id == 2 && !t.Options) || (id == 3 && t.Options) {
			delete(e.templates, k)
			changed = true
		}
	}
	return changed
}

// forgetTemplatesBefore drops templates not announced since cutoff, so a
// reconfigured exporter's old definitions do not live forever.
func (e *exporter) forgetTemplatesBefore(cutoff time.Time) bool {
	changed := false
	for k, t := range e.templates {
		if t.LastSeen.Before(cutoff) {
			delete(e.templates, k)
			changed = true
		}
	}
	return changed
}

func (e *exporter) templateInfos() []TemplateInfo {
	out := make([]TemplateInfo, 0, len(e.templates))
	for _, t := range e.templates {
		out = append(out, TemplateInfo{
			Version: templatedName(t.Version), Domain: t.Domain, ID: t.ID, Options: t.Options,
			Fields: len(t.Scopes) + len(t.Fields), Redefined: t.Redefined, LastSeen: t.LastSeen,
		})
	}
	slices.SortFunc(out, func(a, b TemplateInfo) int {
		if a.Domain != b.Domain {
			return int(int64(a.Domain) - int64(b.Domain))
		}
		return int(a.ID) - int(b.ID)
	})
	return out
}

func templatedName(version uint16) string {
	if version == 10 {
		return "ipfix"
	}
	return "netflow9"
}
