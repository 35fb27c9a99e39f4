package mib

import (
	"strings"
	"testing"
)

// FuzzName checks that naming any string never panics, leaves non-OIDs
// unchanged, and keeps the instance suffix.
func FuzzName(f *testing.F) {
	n := builtin(f)
	for _, s := range []string{"1.3.6.1.2.1.2.2.1.10.3", ".1.3.6.1.2.1.1.1.0", "", "1..2", "abc",
		"1.3.6.1.4.1.3845.1.2", "1.3.6.1.4.1.99999999999999999999", "0.0", "01.2", "1.3.6.1.2.1.1.3.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, oid string) {
		name := n.Name(oid)
		short := n.Short(oid)
		desc := n.Describe(oid)
		s, valid := normalize(oid)
		if !valid {
			if name != oid || short != oid || desc != oid {
				t.Fatalf("non-OID %q changed: %q %q %q", oid, name, short, desc)
			}
			return
		}
		if !strings.HasSuffix(name, short) {
			t.Fatalf("Name %q does not end with Short %q", name, short)
		}
		// Whatever the name, it leads back to the same OID.
		if name != oid {
			if back, ok := n.Lookup(name); !ok || back != s {
				t.Fatalf("Lookup(Name(%q) = %q) = %q, %v", oid, name, back, ok)
			}
		}
	})
}

// FuzzLookup checks that any name either fails or gives a valid numeric OID.
func FuzzLookup(f *testing.F) {
	n := builtin(f)
	for _, s := range []string{"IF-MIB::ifInOctets", "ifInOctets.3", "sysDescr.0", "SNMPv2-MIB::sysUpTime.0",
		"::", "sysDescr..0", ".1.3.6", "iso.3.6.1", "enterprises.3845.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		oid, ok := n.Lookup(name)
		if !ok {
			if oid != "" {
				t.Fatalf("failed Lookup(%q) returned %q", name, oid)
			}
			return
		}
		if s, valid := normalize(oid); !valid || s != oid {
			t.Fatalf("Lookup(%q) = %q, not a normalized OID", name, oid)
		}
	})
}

// FuzzParseModule feeds user-file text to the parser and compiler: errors are
// fine, panics are not.
func FuzzParseModule(f *testing.F) {
	base := New()
	for _, s := range []string{testMIB, testV1MIB, brokenMIB, orphanMIB, "X DEFINITIONS ::= BEGIN END"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		pm, err := ParseModule("fuzz.mib", []byte(text))
		if err != nil {
			return
		}
		_, _ = compile(pm, "fuzz.mib", newScope(base))
	})
}
