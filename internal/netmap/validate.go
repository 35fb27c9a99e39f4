package netmap

import (
	"fmt"
	"math"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Validate checks m as Parse checks a file, without line numbers: names
// present and unique, addresses, CIDRs, durations, coordinates, SNMP
// settings, the vantage point and every link. The result is a *FileError or
// several joined.
func (m *Map) Validate() error { return joinFileErrors("", validate(m, nil)) }

// minInterval keeps a typo ("30ms" for "30s") from flooding a device.
const minInterval = time.Second

type validator struct {
	errs []*FileError
}

func (v *validator) errorf(line int, format string, args ...any) {
	v.errs = append(v.errs, &FileError{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// checkName refuses names that would be invisible or ambiguous in the UI,
// the event log and URLs.
func checkName(s string) string {
	switch {
	case s == "":
		return "missing name"
	case !utf8.ValidString(s):
		return fmt.Sprintf("name %q is not valid UTF-8", s)
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("name %q has leading or trailing spaces", s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Sprintf("name %q contains control characters", s)
	}
	return ""
}

func validate(m *Map, pos *positions) []*FileError {
	var v validator
	if r := checkName(m.Name); r != "" {
		v.errorf(pos.top("name"), "map: %s", r)
	}
	if m.SNMP != nil {
		for _, r := range checkSNMP(m.SNMP) {
			v.errorf(pos.top("snmp"), "map: snmp: %s", r)
		}
	}

	if err := CheckLabelTemplate(m.LabelTemplate); err != nil {
		v.errorf(pos.top("label_template"), "map: label_template: %v", err)
	}

	for _, r := range checkGeo(m.Geo) {
		v.errorf(pos.top("geo"), "map: %s", r)
	}

	type entry struct {
		kind string
		line int
		dev  *Device
		net  *Network
	}
	names := map[string]entry{}
	claim := func(kind, name string, line int) bool {
		if prev, ok := names[name]; ok {
			where := ""
			if prev.line > 0 {
				where = fmt.Sprintf(" (first at line %d)", prev.line)
			}
			if prev.kind == kind {
				v.errorf(line, "duplicate %s name %q%s", kind, name, where)
			} else {
				v.errorf(line, "%s name %q is already used by a %s%s", kind, name, prev.kind, where)
			}
			return false
		}
		return true
	}

	for i := range m.Devices {
		d := &m.Devices[i]
		what := fmt.Sprintf("device %q", d.Name)
		if r := checkName(d.Name); r != "" {
			v.errorf(pos.device(i, "name"), "device #%d: %s", i+1, r)
			what = fmt.Sprintf("device #%d", i+1)
		} else if claim("device", d.Name, pos.device(i, "name")) {
			names[d.Name] = entry{"device", pos.device(i, "name"), d, nil}
		}
		v.device(d, what, i, pos)
	}
	for i := range m.Networks {
		n := &m.Networks[i]
		what := fmt.Sprintf("network %q", n.Name)
		if r := checkName(n.Name); r != "" {
			v.errorf(pos.network(i, "name"), "network #%d: %s", i+1, r)
			what = fmt.Sprintf("network #%d", i+1)
		} else if claim("network", n.Name, pos.network(i, "name")) {
			names[n.Name] = entry{"network", pos.network(i, "name"), nil, n}
		}
		for _, c := range n.CIDRs {
			if err := checkCIDR(c); err != nil {
				v.errorf(pos.network(i, "cidrs"), "%s: %v", what, err)
			}
		}
		v.coord(pos.network(i, "x"), what, "x", n.X)
		v.coord(pos.network(i, "y"), what, "y", n.Y)
	}

	if m.Vantage != "" {
		if _, ok := names[m.Vantage]; !ok {
			v.errorf(pos.top("vantage"), "vantage %q is neither a device nor a network of this map", m.Vantage)
		}
	}

	find := func(name string) (*Device, *Network) {
		e := names[name]
		return e.dev, e.net
	}
	seen := map[[2]string]int{}
	for i, l := range m.Links {
		line := pos.link(i)
		if r := checkLink(l, find); r != "" {
			v.errorf(line, "link #%d: %s", i+1, r)
			continue
		}
		k := linkKey(l)
		if first, dup := seen[k]; dup {
			where := ""
			if first > 0 {
				where = fmt.Sprintf(" (first at line %d)", first)
			}
			v.errorf(line, "link #%d: duplicate link [%s, %s]%s", i+1, l.From, l.To, where)
			continue
		}
		seen[k] = line
	}
	return v.errs
}

func (v *validator) device(d *Device, what string, i int, pos *positions) {
	at := func(key string) int { return pos.device(i, key) }
	if d.Address == "" {
		v.errorf(at("address"), "%s: missing address", what)
	} else if err := checkAddress(d.Address); err != nil {
		v.errorf(at("address"), "%s: %v", what, err)
	}
	if r := checkLabel(d.Label); r != "" {
		v.errorf(at("label"), "%s: %s", what, r)
	}
	if strings.IndexFunc(d.Probe, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		v.errorf(at("probe"), "%s: invalid probe %q", what, d.Probe)
	}
	for k := range d.Params {
		if k == "" {
			v.errorf(at("params"), "%s: empty parameter name", what)
		}
	}
	if d.Interval < 0 || d.Interval > 0 && d.Interval.Std() < minInterval {
		v.errorf(at("interval"), "%s: interval %s is below the minimum of %s", what, d.Interval, minInterval)
	}
	if d.Timeout < 0 {
		v.errorf(at("timeout"), "%s: negative timeout %s", what, d.Timeout)
	}
	if d.DownAfter < 0 {
		v.errorf(at("down_after"), "%s: down_after must not be negative", what)
	}
	for _, p := range d.Datasets {
		if _, err := path.Match(p, ""); err != nil || p == "" {
			v.errorf(at("datasets"), "%s: dataset pattern %q is malformed", what, p)
		}
	}
	v.coord(at("x"), what, "x", d.X)
	v.coord(at("y"), what, "y", d.Y)
	if d.Lat != nil && !(*d.Lat >= -90 && *d.Lat <= 90) {
		v.errorf(at("lat"), "%s: lat %v is not between -90 and 90", what, *d.Lat)
	}
	if d.Lon != nil && !(*d.Lon >= -180 && *d.Lon <= 180) {
		v.errorf(at("lon"), "%s: lon %v is not between -180 and 180", what, *d.Lon)
	}
	if d.Mask != "" {
		if err := checkMask(d.Mask, d.Address); err != nil {
			v.errorf(at("mask"), "%s: %v", what, err)
		}
	}
	if d.SNMP != nil {
		for _, r := range checkSNMP(d.SNMP) {
			v.errorf(at("snmp"), "%s: snmp: %s", what, r)
		}
	}
}

func (v *validator) coord(line int, what, key string, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		v.errorf(line, "%s: %s must be a finite number", what, key)
	}
}

// checkSNMP checks the settings gosnmp will need, naming the accepted
// values so the user need not look them up.
func checkSNMP(s *SNMPSettings) []string {
	var out []string
	switch s.Version {
	case "", "1", "2c", "3":
	default:
		out = append(out, fmt.Sprintf("invalid version %q (expected 1, 2c or 3)", s.Version))
	}
	if s.Port < 0 || s.Port > 65535 {
		out = append(out, fmt.Sprintf("invalid port %d", s.Port))
	}
	switch strings.ToUpper(s.Auth) {
	case "", "MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512":
	default:
		out = append(out, fmt.Sprintf("invalid auth %q (expected MD5, SHA, SHA224, SHA256, SHA384 or SHA512)", s.Auth))
	}
	switch strings.ToUpper(s.Priv) {
	case "", "DES", "AES", "AES192", "AES256", "AES192C", "AES256C":
	default:
		out = append(out, fmt.Sprintf("invalid priv %q (expected DES, AES, AES192, AES256, AES192C or AES256C)", s.Priv))
	}
	if s.Auth != "" && s.AuthKey == "" {
		out = append(out, "auth needs an auth_key")
	}
	if s.Priv != "" && s.PrivKey == "" {
		out = append(out, "priv needs a priv_key")
	}
	if s.Priv != "" && s.Auth == "" {
		out = append(out, "priv needs auth too (SNMPv3 has no privacy without authentication)")
	}
	if s.Version == "3" && s.User == "" {
		out = append(out, "version 3 needs a user")
	}
	return out
}
