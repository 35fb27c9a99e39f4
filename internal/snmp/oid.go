package snmp

import (
	"fmt"
	"strings"
)

// NormalizeOID checks that s is a numeric OID ("1.3.6.1.2.1.1" or with a
// leading dot) and returns it without the leading dot.
func NormalizeOID(s string) (string, error) {
	o := strings.TrimPrefix(strings.TrimSpace(s), ".")
	if o == "" {
		return "", fmt.Errorf("OID %q: empty", s)
	}
	digits := 0
	for i := 0; i < len(o); i++ {
		switch c := o[i]; {
		case c >= '0' && c <= '9':
			digits++
			if digits > 10 {
				return "", fmt.Errorf("OID %q: sub-identifier too large", s)
			}
		case c == '.' && digits > 0:
			digits = 0
		default:
			return "", fmt.Errorf("OID %q: not a numeric OID (digits and dots)", s)
		}
	}
	if digits == 0 {
		return "", fmt.Errorf("OID %q: ends with a dot", s)
	}
	return o, nil
}

// CompareOID orders two numeric OIDs (no leading dot) as SNMP does, by
// sub-identifier: -1 when a comes before b, 0 when equal, +1 after. It
// never overflows or panics, whatever the input.
func CompareOID(a, b string) int {
	for {
		ca, ra, moreA := strings.Cut(a, ".")
		cb, rb, moreB := strings.Cut(b, ".")
		ca, cb = strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
		if len(ca) != len(cb) { // no leading zeros: the longer number is larger
			if len(ca) < len(cb) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = ra, rb
	}
}

// InSubtree reports whether oid is root or below it.
func InSubtree(oid, root string) bool {
	return oid == root || (len(oid) > len(root) && oid[len(root)] == '.' && strings.HasPrefix(oid, root))
}

// Suffix returns oid's part below root ("3" for root.3), or "" when oid is
// not below root.
func Suffix(oid, root string) string {
	if len(oid) > len(root) && oid[len(root)] == '.' && strings.HasPrefix(oid, root) {
		return oid[len(root)+1:]
	}
	return ""
}
