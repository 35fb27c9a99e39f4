package probefile

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// VariableTypes lists the variable types Parse knows, upper case: those of
// the Developer Guide, those seen in InterMapper's own probes (OCTET-STRING,
// NUMERIC), HEXSTRING and OID (named by Vantage's issue), and TABLE for
// on-demand tables.
func VariableTypes() []string {
	return []string{"DEFAULT", "INTEGER", "INTEGER64", "HEXADECIMAL", "HEXNUMBER", "HEXSTRING",
		"TOTAL-VALUE", "TOTAL64-VALUE", "PER-SECOND", "PER-MINUTE", "STRING", "OID",
		"CALCULATION", "IPADDRESS", "OCTET-STRING", "NUMERIC", "TABLE",
		"TRAPVARIABLE", "TRAPVARIABLE-TOTAL-VALUE", "TRAPVARIABLE-PER-SECOND",
		"TRAPVARIABLE-PER-MINUTE", "TRAPVARIABLE-STRING", "TRAPVARIABLE-INTEGER",
		"TRAPVARIABLE-HEXADECIMAL", "TRAPVARIABLE-HEXNUMBER", "TRAPVARIABLE-DOUBLE"}
}

func isVarType(s string) bool {
	return slices.Contains(VariableTypes(), strings.ToUpper(strings.TrimSpace(s)))
}

// IsTrap reports whether the variable is set from traps only.
func (v Variable) IsTrap() bool { return strings.HasPrefix(v.Type, "TRAPVARIABLE") }

// ident matches variable names: a letter or '_', then letters, digits,
// '_' and '.' (dotted names such as lcpu.avgBusy1 are common).
var ident = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// indexRange matches an on-demand column's index-derived OID, "oid[a:b]".
var indexRange = regexp.MustCompile(`^(.+)\[\s*(\d+)\s*:\s*(\d*)\s*\]$`)

// parseVariables reads `name, OID, TYPE, "legend"` lines. The OID field
// of a CALCULATION is an expression that may hold commas inside strings
// and calls, so fields are split outside those and the type is the first
// known type keyword after the OID.
func parseVariables(f *File, s Section, p *problems) {
	ondemand := sectionKey(s.Name) == "snmp-device-variables-ondemand"
	sec := "<" + s.Name + ">: "
	seen := map[string]int{}
	tables := map[string]bool{}
	eachLine(s, true, func(n int, line string) {
		fields, ok := splitTop(line, ',', `"`)
		if !ok {
			p.errorf(n, "%sstring is not closed", sec)
			return
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if len(fields) < 3 {
			p.errorf(n, "%swant `name, OID, TYPE, \"legend\"`, got %q", sec, line)
			return
		}
		ti := slices.IndexFunc(fields[2:], isVarType) + 2
		if ti < 2 {
			ti = 2
			if fields[2] == "" || fields[2][0] == '"' {
				p.errorf(n, "%svariable %q has no type (DEFAULT, INTEGER, PER-SECOND, CALCULATION…)", sec, fields[0])
				return
			}
		}
		v := Variable{Name: fields[0], TypeRaw: fields[ti], Type: strings.ToUpper(fields[ti]), OnDemand: ondemand, Line: n}
		if !isVarType(v.Type) {
			p.warnf(n, "%svariable %q has unknown type %q%s; read as DEFAULT", sec, v.Name, v.TypeRaw, didYouMean(v.TypeRaw, VariableTypes()))
			v.Type = "DEFAULT"
		}
		v.Legend = legend(strings.Join(fields[ti+1:], ","), n, sec, p)
		if !variableName(&v, tables, n, sec, p) {
			return
		}
		oid := strings.TrimSpace(strings.Join(fields[1:ti], ","))
		if !variableOID(&v, oid, n, sec, p) {
			return
		}
		key := strings.ToLower(v.Name)
		if first, dup := seen[key]; dup {
			p.warnf(n, "%svariable %q is defined again (first at line %d); the last one counts", sec, v.Name, first)
		}
		seen[key] = n
		f.Variables = append(f.Variables, v)
	})
}

// legend reads the legend field: one string literal (or bare text).
func legend(raw string, n int, sec string, p *problems) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw[0] != '"' {
		return raw
	}
	end := quoteEnd(raw, 0)
	if end < 0 {
		return raw // splitTop has reported it
	}
	text, _ := unquote(raw[:end])
	if rest := strings.TrimSpace(raw[end:]); rest != "" {
		p.warnf(n, "%stext after the legend is ignored: %q", sec, rest)
	}
	return text
}

// variableName checks the name for its section and sets Table and Column.
func variableName(v *Variable, tables map[string]bool, n int, sec string, p *problems) bool {
	table, column, isColumn := strings.Cut(v.Name, "/")
	switch {
	case !v.OnDemand && (v.Type == "TABLE" || isColumn):
		p.errorf(n, "%s%q: tables belong in <snmp-device-variables-ondemand>", sec, v.Name)
		return false
	case v.OnDemand && v.Type == "TABLE":
		if isColumn || !ident.MatchString(v.Name) {
			p.errorf(n, "%stable name %q must be a plain name (letters, digits, '_')", sec, v.Name)
			return false
		}
		v.Table = v.Name
		tables[strings.ToLower(v.Name)] = true
		return true
	case v.OnDemand && !isColumn:
		p.errorf(n, "%son-demand variable %q must be a TABLE or a table/column", sec, v.Name)
		return false
	case v.OnDemand:
		if !ident.MatchString(table) || !ident.MatchString(column) {
			p.errorf(n, "%scolumn %q must be table/column, each a plain name", sec, v.Name)
			return false
		}
		if !tables[strings.ToLower(table)] {
			p.errorf(n, "%scolumn %q: table %q is not declared by a TABLE line before it", sec, v.Name, table)
			return false
		}
		v.Table, v.Column = table, column
		return true
	}
	if !ident.MatchString(v.Name) {
		p.errorf(n, "%svariable name %q must start with a letter and hold only letters, digits, '_' and '.'", sec, v.Name)
		return false
	}
	return true
}

// variableOID checks and sets the OID field (an expression for
// CALCULATION).
func variableOID(v *Variable, oid string, n int, sec string, p *problems) bool {
	if v.Type == "CALCULATION" {
		if oid == "" {
			p.errorf(n, "%sCALCULATION %q has no expression", sec, v.Name)
			return false
		}
		v.Expr = oid
		return true
	}
	if oid == "" {
		p.errorf(n, "%svariable %q has no OID", sec, v.Name)
		return false
	}
	v.OID = oid
	base := oid
	if m := indexRange.FindStringSubmatch(oid); m != nil && v.OnDemand {
		start, _ := strconv.Atoi(m[2])
		count := -1
		if m[3] != "" {
			count, _ = strconv.Atoi(m[3])
		}
		if count == 0 || start > 128 || count > 128 {
			p.errorf(n, "%svariable %q: index range [%s:%s] is not valid", sec, v.Name, m[2], m[3])
			return false
		}
		base = strings.TrimSpace(m[1])
		v.Index = &IndexRange{OID: base, Start: start, Count: count}
	} else if v.OnDemand && strings.HasSuffix(oid, "]") && strings.Contains(oid, "[") {
		p.errorf(n, "%svariable %q: index range in %q must be [start:count] or [start:]", sec, v.Name, oid)
		return false
	}
	if v.Type == "TABLE" {
		if oid != ".1" {
			p.warnf(n, "%stable %q: the OID field of a TABLE line is always .1", sec, v.Name)
		}
		return true
	}
	if reason := checkNumericOID(strings.TrimSuffix(base, "+")); reason != "" {
		p.errorf(n, "%svariable %q: syntax error in OID %q: %s", sec, v.Name, base, reason)
		return false
	}
	return true
}

// checkNumericOID applies the Developer Guide's rules to an OID that
// starts with a digit or a dot ("" when valid or symbolic): leading dots are
// ignored; a trailing dot is allowed only after a single sub-identifier
// ("1."); otherwise at least two sub-identifiers (".1" is absolute), all
// numbers up to where a $substitution or a "string" index starts.
func checkNumericOID(oid string) string {
	if oid == "" || !isDigit(oid[0]) && oid[0] != '.' || strings.Contains(oid, "?:") || strings.Contains(oid, "::") {
		return ""
	}
	lead := strings.HasPrefix(oid, ".")
	body := strings.TrimLeft(oid, ".")
	trail := strings.HasSuffix(body, ".")
	if trail {
		body = body[:len(body)-1]
	}
	parts := strings.Split(body, ".")
	for i, s := range parts {
		if s != "" && (s[0] == '$' || s[0] == '"') {
			parts = parts[:i]
			if i == 0 {
				return "no sub-identifiers before " + s
			}
			return checkSubIDs(parts)
		}
	}
	switch {
	case body == "":
		return "no sub-identifiers"
	case slices.Contains(parts, ""):
		return "empty sub-identifier"
	case trail && (lead || len(parts) > 1):
		return "trailing dot"
	case !lead && !trail && len(parts) < 2:
		return "a single number is not an OID (write .1 or 1.)"
	}
	return checkSubIDs(parts)
}

func checkSubIDs(parts []string) string {
	for _, s := range parts {
		if s == "" {
			return "empty sub-identifier"
		}
		if _, err := strconv.ParseUint(s, 10, 32); err != nil {
			if strings.Trim(s, "0123456789") != "" {
				return "sub-identifier " + strconv.Quote(s) + " is not a number"
			}
			return "sub-identifier " + s + " is too large"
		}
	}
	return ""
}
