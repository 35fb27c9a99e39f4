package probefile

import (
	"cmp"
	"strconv"
	"strings"
)

// CompareVersions compares two header versions as dotted numbers, so that
// "2.11" > "2.9" and "2.0" == "2"; it returns -1, 0 or +1. Within a part,
// the leading digits compare as a number and any rest ("1b2") as text; a
// version that does not start with a digit (or is empty) sorts below every
// numbered one.
func CompareVersions(a, b string) int {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	na, nb := a != "" && isDigit(a[0]), b != "" && isDigit(b[0])
	switch {
	case na != nb:
		if na {
			return 1
		}
		return -1
	case !na:
		return cmp.Compare(a, b)
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		var x, y string
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if c := comparePart(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func comparePart(x, y string) int {
	xn, xr := leadingNumber(x)
	yn, yr := leadingNumber(y)
	if c := cmp.Compare(xn, yn); c != 0 {
		return c
	}
	return cmp.Compare(xr, yr)
}

// leadingNumber splits "12b3" into 12 and "b3"; "" is 0.
func leadingNumber(s string) (uint64, string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	digits := strings.TrimLeft(s[:i], "0")
	if len(digits) > 19 {
		digits = digits[:19] // absurd versions still compare
	}
	n, _ := strconv.ParseUint("0"+digits, 10, 64)
	return n, s[i:]
}
