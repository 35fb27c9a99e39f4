package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/mib"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// maxOIDCache bounds a probe instance's cache of resolved OIDs (OIDs
// built from parameters could otherwise grow it without end).
const maxOIDCache = 1024

// resolver turns the OID fields of a probe file into numeric OIDs, with a
// cache per probe instance: MIB lookups happen once, not at every poll.
type resolver struct {
	names *mib.Names
	cache map[string]resolved
}

// resolved is one cached answer.
type resolved struct {
	oid string
	err error
}

// oidRef is an OID field after parameter substitution.
type oidRef struct {
	OID  string // numeric, no leading dot
	Next bool   // trailing "+": the variable after OID (Get-Next)
	// Root bounds a Get-Next answer: it must be below Root, or the
	// variable is missing.
	Root string
}

// resolve reads an OID field whose $parameters are already substituted:
// numeric ("1.3.6.1.2.1.1.5.0", ".1.3.6…"), symbolic ("sysLocation.0",
// "SNMPv2-MIB::sysUpTime.0", relative "system.sysUpTime.0", legacy
// "1.3.6.1.2.1::sysUpTime.0"), with a string index
// (`nsExtendOutLine."LOG"`), and a trailing "+" for Get-Next.
func (r *resolver) resolve(field string) (oidRef, error) {
	s := strings.TrimSpace(field)
	next := strings.HasSuffix(s, "+")
	s = strings.TrimSpace(strings.TrimSuffix(s, "+"))
	oid, err := r.numeric(s)
	if err != nil {
		return oidRef{}, err
	}
	ref := oidRef{OID: oid, Next: next}
	if next {
		ref.Root = r.nextRoot(oid)
	}
	return ref, nil
}

// numeric resolves a name to a numeric OID, through the cache.
func (r *resolver) numeric(s string) (string, error) {
	if c, ok := r.cache[s]; ok {
		return c.oid, c.err
	}
	oid, err := r.lookup(s)
	if r.cache == nil || len(r.cache) >= maxOIDCache {
		r.cache = map[string]resolved{}
	}
	r.cache[s] = resolved{oid, err}
	return oid, err
}

func (r *resolver) lookup(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("empty OID")
	}
	if strings.Contains(s, "?:") {
		return "", fmt.Errorf("OID %q is set from traps only", s)
	}
	if oid, err := snmp.NormalizeOID(s); err == nil {
		return oid, nil
	}
	// Legacy InterMapper 4.4 form: a numeric module prefix, "::", a name.
	if pre, rest, ok := strings.Cut(s, "::"); ok {
		if _, err := snmp.NormalizeOID(pre); err == nil {
			s = rest
		}
	}
	base, index := s, ""
	if i := strings.Index(s, `."`); i >= 0 {
		base, index = s[:i], s[i+1:]
	}
	if r.names == nil {
		return "", fmt.Errorf("OID %q: MIB names are not available here; use a numeric OID", s)
	}
	oid, ok := r.names.Lookup(base)
	if !ok {
		// Relative names ("system.sysUpTime.0"): from the last name on.
		parts := strings.Split(base, ".")
		for i := len(parts) - 1; i > 0 && !ok; i-- {
			if _, err := strconv.ParseUint(parts[i], 10, 32); err != nil {
				oid, ok = r.names.Lookup(strings.Join(parts[i:], "."))
				break
			}
		}
	}
	if !ok {
		return "", fmt.Errorf("unknown MIB name in OID %q", s)
	}
	oid = strings.TrimPrefix(oid, ".")
	if index != "" {
		arcs, err := stringIndex(index)
		if err != nil {
			return "", fmt.Errorf("OID %q: %w", s, err)
		}
		oid += arcs
	}
	return oid, nil
}

// stringIndex encodes a quoted string index ("LOG") as SNMP sub-ids: the
// length, then one sub-id per byte; numeric arcs may follow (`"LOG".1`).
func stringIndex(s string) (string, error) {
	end := strings.IndexByte(s[1:], '"')
	if !strings.HasPrefix(s, `"`) || end < 0 {
		return "", fmt.Errorf("string index %s is not closed", s)
	}
	text, rest := s[1:end+1], s[end+2:]
	var b strings.Builder
	fmt.Fprintf(&b, ".%d", len(text))
	for i := 0; i < len(text); i++ {
		fmt.Fprintf(&b, ".%d", text[i])
	}
	if rest != "" {
		if _, err := snmp.NormalizeOID("1" + rest); err != nil || rest[0] != '.' {
			return "", fmt.Errorf("bad sub-identifiers %q after a string index", rest)
		}
		b.WriteString(rest)
	}
	return b.String(), nil
}

// nextRoot is the subtree a Get-Next answer must stay in: the object
// itself when oid names a MIB object or table ("ifInOctets+": its first
// row), the object of an instance ("ifInOctets.13+": the row after 13),
// else, without MIB knowledge, the OID minus its last sub-id.
func (r *resolver) nextRoot(oid string) string {
	if r.names != nil {
		if nd, _, ok := r.names.Object(oid); ok && nd.Kind != mib.KindNode && nd.Kind != mib.KindModule {
			return nd.OID
		}
	}
	if i := strings.LastIndexByte(oid, '.'); i > 0 {
		return oid[:i]
	}
	return oid
}
