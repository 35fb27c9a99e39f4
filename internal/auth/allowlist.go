package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Rule is one allow-list line in config.yaml: exactly one of Allow and
// Deny, holding an address (192.0.2.7), a prefix (10.0.0.0/8, ::/0) or a
// range (192.0.2.10-192.0.2.20).
type Rule struct {
	Allow string `yaml:"allow,omitempty" json:"allow,omitempty"`
	Deny  string `yaml:"deny,omitempty" json:"deny,omitempty"`
}

// AccessConfig is config.yaml's access section: an allow-list per
// listener. Rules are tried in order, the first that matches decides; an
// address no rule matches is allowed (the console's own default keeps it
// on loopback).
type AccessConfig struct {
	HTTP    []Rule `yaml:"http"`
	Remote  []Rule `yaml:"remote"`
	Console []Rule `yaml:"console"`
}

// Validate parses every list, naming the key of each problem.
func (c AccessConfig) Validate() error {
	var errs []error
	for name, rules := range map[string][]Rule{"http": c.HTTP, "remote": c.Remote, "console": c.Console} {
		if _, err := ParseAllowList(rules); err != nil {
			errs = append(errs, fmt.Errorf("access.%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// AllowList decides which client addresses a listener accepts.
type AllowList struct {
	rules []rangeRule
}

type rangeRule struct {
	allow    bool
	from, to netip.Addr
	text     string
}

// ParseAllowList checks and compiles rules; a nil or empty list allows
// everyone.
func ParseAllowList(rules []Rule) (*AllowList, error) {
	l := &AllowList{}
	var errs []error
	for i, r := range rules {
		if (r.Allow == "") == (r.Deny == "") {
			errs = append(errs, fmt.Errorf("rule %d: needs exactly one of allow or deny", i+1))
			continue
		}
		text, allow := r.Allow, true
		if r.Deny != "" {
			text, allow = r.Deny, false
		}
		from, to, err := ParseRange(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %d: %w", i+1, err))
			continue
		}
		l.rules = append(l.rules, rangeRule{allow: allow, from: from, to: to, text: text})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return l, nil
}

// ParseRange reads an address, a prefix or a from-to range of one family
// and returns its first and last addresses.
func ParseRange(s string) (from, to netip.Addr, err error) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, "-"); ok {
		from, err1 := netip.ParseAddr(strings.TrimSpace(a))
		to, err2 := netip.ParseAddr(strings.TrimSpace(b))
		switch {
		case err1 != nil || err2 != nil || from.Zone() != "" || to.Zone() != "":
			return netip.Addr{}, netip.Addr{}, fmt.Errorf("%q: a range is two addresses, like 192.0.2.10-192.0.2.20", s)
		case from.Unmap().Is4() != to.Unmap().Is4():
			return netip.Addr{}, netip.Addr{}, fmt.Errorf("%q: a range cannot mix IPv4 and IPv6", s)
		case to.Unmap().Less(from.Unmap()):
			return netip.Addr{}, netip.Addr{}, fmt.Errorf("%q: the range ends before it starts", s)
		}
		return from.Unmap(), to.Unmap(), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, netip.Addr{}, fmt.Errorf("%q: not an address prefix: %w", s, err)
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return netip.Addr{}, netip.Addr{}, fmt.Errorf("%q: an IPv4-mapped prefix needs at least 96 bits", s)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		return p.Addr(), lastAddr(p), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, netip.Addr{}, fmt.Errorf("%q is not an address, prefix (10.0.0.0/8) or range (a-b)", s)
	}
	return a.Unmap(), a.Unmap(), nil
}

// lastAddr is the highest address of a masked prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Allow says whether addr may connect and why: the deciding rule and its
// number, or that none matched.
func (l *AllowList) Allow(addr netip.Addr) (bool, string) {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() && !l.Empty() {
		return false, "the client address is unknown"
	}
	if l != nil {
		for i, r := range l.rules {
			if r.from.Is4() != addr.Is4() || addr.Less(r.from) || r.to.Less(addr) {
				continue
			}
			verb := "deny"
			if r.allow {
				verb = "allow"
			}
			return r.allow, fmt.Sprintf("%s %s (rule %d)", verb, r.text, i+1)
		}
	}
	return true, "no rule matched (allowed by default)"
}

// Empty says whether the list has no rules.
func (l *AllowList) Empty() bool { return l == nil || len(l.rules) == 0 }
