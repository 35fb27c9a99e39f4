package mib

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// testMIB is a small SMIv2 module under an enterprise number IANA has not
// assigned, using imports from built-in modules.
const testMIB = `VANTAGE-TEST-MIB DEFINITIONS ::= BEGIN

IMPORTS
    MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE, Counter64, Integer32,
    enterprises
        FROM SNMPv2-SMI
    TEXTUAL-CONVENTION, DisplayString
        FROM SNMPv2-TC
    ifIndex
        FROM IF-MIB;

vantageTest MODULE-IDENTITY
    LAST-UPDATED "202601010000Z"
    ORGANIZATION "Vantage"
    CONTACT-INFO "none"
    DESCRIPTION  "Test module."
    ::= { enterprises 4294967 }

FanState ::= TEXTUAL-CONVENTION
    DISPLAY-HINT "d"
    STATUS       current
    DESCRIPTION  "Fan state."
    SYNTAX       INTEGER { ok(1), failed(2), absent(3) }

vtObjects OBJECT IDENTIFIER ::= { vantageTest 1 }

vtLabel OBJECT-TYPE
    SYNTAX      DisplayString
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "A label."
    ::= { vtObjects 1 }

vtFanTable OBJECT-TYPE
    SYNTAX      SEQUENCE OF VtFanEntry
    MAX-ACCESS  not-accessible
    STATUS      current
    DESCRIPTION "Fans."
    ::= { vtObjects 2 }

vtFanEntry OBJECT-TYPE
    SYNTAX      VtFanEntry
    MAX-ACCESS  not-accessible
    STATUS      current
    DESCRIPTION "A fan."
    INDEX       { ifIndex }
    ::= { vtFanTable 1 }

VtFanEntry ::= SEQUENCE { vtFanState FanState, vtFanSpeed Integer32, vtFanTurns Counter64 }

vtFanState OBJECT-TYPE
    SYNTAX      FanState
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "State."
    ::= { vtFanEntry 1 }

vtFanSpeed OBJECT-TYPE
    SYNTAX      Integer32 (0..100000)
    UNITS       "rpm"
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "Speed."
    ::= { vtFanEntry 2 }

vtFanTurns OBJECT-TYPE
    SYNTAX      Counter64
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "Turns."
    ::= { vtFanEntry 3 }

vtFanFailed NOTIFICATION-TYPE
    OBJECTS     { vtFanState }
    STATUS      current
    DESCRIPTION "A fan failed."
    ::= { vantageTest 0 1 }

END
`

// testV1MIB is an SMIv1 module that imports from testMIB (so it must load
// after it) and defines a TRAP-TYPE.
const testV1MIB = `AAA-VANTAGE-V1-MIB DEFINITIONS ::= BEGIN
IMPORTS
    OBJECT-TYPE FROM RFC-1212
    TRAP-TYPE FROM RFC-1215
    DisplayString FROM RFC1213-MIB
    vantageTest FROM VANTAGE-TEST-MIB;

vtOld OBJECT IDENTIFIER ::= { vantageTest 9 }

vtOldName OBJECT-TYPE
    SYNTAX  DisplayString (SIZE (0..32))
    ACCESS  read-only
    STATUS  mandatory
    ::= { vtOld 1 }

vtOldTrap TRAP-TYPE
    ENTERPRISE vtOld
    VARIABLES  { vtOldName }
    DESCRIPTION "Old trap."
    ::= 7
END
`

// brokenMIB has a syntax error on line 4.
const brokenMIB = `BROKEN-MIB DEFINITIONS ::= BEGIN
IMPORTS enterprises FROM SNMPv2-SMI;
brokenRoot OBJECT IDENTIFIER ::= { enterprises 4294968 }
brokenThing OBJECT-TYPE SYNTAX INTEGER MAX-ACCESS sideways ::= { brokenRoot 1 }
END
`

// orphanMIB imports from a module nobody has: its root cannot be placed.
const orphanMIB = `ORPHAN-MIB DEFINITIONS ::= BEGIN
IMPORTS missingRoot FROM MISSING-MIB;
orphanRoot OBJECT IDENTIFIER ::= { missingRoot 1 }
orphanLeaf OBJECT IDENTIFIER ::= { orphanRoot 1 }
orphanFixed OBJECT IDENTIFIER ::= { iso 3 6 1 4 1 4294969 }
END
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWithDir(t *testing.T) {
	base := builtin(t)
	dir := writeFiles(t, map[string]string{
		"VANTAGE-TEST-MIB.mib": testMIB,
		"aaa-v1.my":            testV1MIB,
		"README":               "Put vendor MIBs here.\n",
		"notes.txt":            "not a module\n",
		"SNMPv2-SMI.txt":       "SNMPv2-SMI DEFINITIONS ::= BEGIN\nInteger32 ::= [UNIVERSAL 2] IMPLICIT INTEGER\nEND\n",
	})
	n, errs := base.WithDir(dir)
	for _, err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	for _, tc := range []struct{ oid, name string }{
		{"1.3.6.1.4.1.4294967", "VANTAGE-TEST-MIB::vantageTest"},
		{"1.3.6.1.4.1.4294967.1.1.0", "VANTAGE-TEST-MIB::vtLabel.0"},
		{"1.3.6.1.4.1.4294967.1.2.1.1.12", "VANTAGE-TEST-MIB::vtFanState.12"},
		{"1.3.6.1.4.1.4294967.0.1", "VANTAGE-TEST-MIB::vtFanFailed"},
		{"1.3.6.1.4.1.4294967.9.1.0", "AAA-VANTAGE-V1-MIB::vtOldName.0"},
		{"1.3.6.1.4.1.4294967.9.0.7", "AAA-VANTAGE-V1-MIB::vtOldTrap"},
		{"1.3.6.1.2.1.2.2.1.10.3", "IF-MIB::ifInOctets.3"},
	} {
		if got := n.Name(tc.oid); got != tc.name {
			t.Errorf("Name(%q) = %q, want %q", tc.oid, got, tc.name)
		}
		if got := n.Describe(tc.oid); got != tc.name {
			t.Errorf("Describe(%q) = %q, want %q", tc.oid, got, tc.name)
		}
	}
	for _, tc := range []struct {
		name string
		kind Kind
		base string
	}{
		{"vantageTest", KindModule, ""}, {"vtObjects", KindNode, ""}, {"vtLabel", KindScalar, "OCTET STRING"},
		{"vtFanTable", KindTable, ""}, {"vtFanEntry", KindRow, ""}, {"vtFanState", KindColumn, "INTEGER"},
		{"vtFanTurns", KindColumn, "Counter64"}, {"vtFanFailed", KindNotification, ""},
		{"vtOldName", KindScalar, "OCTET STRING"}, {"vtOldTrap", KindTrap, ""},
	} {
		nd, ok := n.Node(tc.name)
		if !ok || nd.Kind != tc.kind || nd.Base != tc.base {
			t.Errorf("Node(%q) = %+v, %v; want kind %v, base %q", tc.name, nd, ok, tc.kind, tc.base)
		}
	}
	if nd, _ := n.Node("vtLabel"); nd.Hint != "255a" || nd.TC != "SNMPv2-TC::DisplayString" {
		t.Errorf("vtLabel = %+v, want SNMPv2-TC's DisplayString and its hint", nd)
	}
	if nd, _ := n.Node("vtFanSpeed"); nd.Units != "rpm" || nd.Base != "Integer32" {
		t.Errorf("vtFanSpeed = %+v", nd)
	}
	if s, ok := n.Enum("1.3.6.1.4.1.4294967.1.2.1.1.12", 2); s != "failed" || !ok {
		t.Errorf("Enum(vtFanState.12, 2) = %q, %v", s, ok)
	}
	if tc, ok := n.Type("VANTAGE-TEST-MIB::FanState"); !ok || tc.Hint != "d" || tc.Enums[3] != "absent" {
		t.Errorf("Type(FanState) = %+v, %v", tc, ok)
	}
	if oid, ok := n.Lookup("VANTAGE-TEST-MIB::vtFanSpeed.4"); oid != "1.3.6.1.4.1.4294967.1.2.1.2.4" || !ok {
		t.Errorf("Lookup(vtFanSpeed.4) = %q, %v", oid, ok)
	}
	// Copy on write: the built-in Names is untouched.
	if got := base.Name("1.3.6.1.4.1.4294967.1.1.0"); got != "SNMPv2-SMI::enterprises.4294967.1.1.0" {
		t.Errorf("base changed: Name = %q", got)
	}
	if _, ok := base.Lookup("vtLabel"); ok {
		t.Error("base changed: knows vtLabel")
	}
	if c := n.Enterprises(); c < 60000 {
		t.Errorf("WithDir lost the enterprise numbers: %d", c)
	}
}

func TestWithDirErrors(t *testing.T) {
	base := builtin(t)
	dir := writeFiles(t, map[string]string{
		"VANTAGE-TEST-MIB.mib": testMIB,
		"broken.mib":           brokenMIB,
		"orphan.txt":           orphanMIB,
		"empty.mib":            "",
		"dup.my":               testMIB,
	})
	n, errs := base.WithDir(dir)
	byFile := map[string]error{}
	for _, err := range errs {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("error %v is not a *FileError", err)
		}
		byFile[filepath.Base(fe.File)] = err
		if !strings.Contains(err.Error(), fe.File) {
			t.Errorf("error %q does not name its file", err)
		}
	}
	if len(errs) != 4 {
		t.Errorf("got %d errors, want 4 (broken, orphan, empty, dup): %v", len(errs), errs)
	}
	if err := byFile["broken.mib"]; err == nil || !strings.Contains(err.Error(), "broken.mib:4:") {
		t.Errorf("broken.mib error = %v, want its line 4", err)
	}
	if err := byFile["orphan.txt"]; err == nil || !errors.Is(err, ErrUnresolved) ||
		!strings.Contains(err.Error(), "orphanRoot") || !strings.Contains(err.Error(), "orphanLeaf") {
		t.Errorf("orphan.txt error = %v, want unresolved orphanRoot, orphanLeaf", err)
	}
	if err := byFile["empty.mib"]; err == nil {
		t.Error("empty.mib gave no error")
	}
	if err := byFile["dup.my"]; err == nil || !strings.Contains(err.Error(), "already defined") {
		t.Errorf("dup.my error = %v", err)
	}
	// The good module loaded, and so did the placeable part of the orphan.
	if got := n.Name("1.3.6.1.4.1.4294967.1.1.0"); got != "VANTAGE-TEST-MIB::vtLabel.0" {
		t.Errorf("good module not loaded: %q", got)
	}
	if got := n.Name("1.3.6.1.4.1.4294969"); got != "ORPHAN-MIB::orphanFixed" {
		t.Errorf("orphan's resolvable node: %q", got)
	}
}

func TestWithDirMissingAndReplace(t *testing.T) {
	base := builtin(t)
	n, errs := base.WithDir(filepath.Join(t.TempDir(), "nope"))
	if n != base || errs != nil {
		t.Errorf("missing folder: %v, %v", n == base, errs)
	}
	// A user's module replaces the built-in module of the same name.
	dir := writeFiles(t, map[string]string{"demo.txt": `UCD-DEMO-MIB DEFINITIONS ::= BEGIN
IMPORTS enterprises FROM SNMPv2-SMI;
ucdDemoReplaced OBJECT IDENTIFIER ::= { enterprises 2021 14 }
END
`})
	if _, ok := base.Lookup("UCD-DEMO-MIB::ucdDemoPublic"); !ok {
		t.Fatal("built-in UCD-DEMO-MIB lacks ucdDemoPublic")
	}
	n, errs = base.WithDir(dir)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if _, ok := n.Lookup("UCD-DEMO-MIB::ucdDemoPublic"); ok {
		t.Error("replaced module's node still there")
	}
	if got := n.Name("1.3.6.1.4.1.2021.14"); got != "UCD-DEMO-MIB::ucdDemoReplaced" {
		t.Errorf("Name = %q", got)
	}
}

// TestConcurrent runs loads and lookups together; run with -race.
func TestConcurrent(t *testing.T) {
	base := builtin(t)
	dir := writeFiles(t, map[string]string{"VANTAGE-TEST-MIB.mib": testMIB})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, errs := base.WithDir(dir)
			if len(errs) != 0 || n.Name("1.3.6.1.4.1.4294967.1.1.0") != "VANTAGE-TEST-MIB::vtLabel.0" {
				t.Errorf("concurrent WithDir: %v", errs)
			}
			for j := 0; j < 100; j++ {
				base.Describe("1.3.6.1.4.1.3845.1.2")
				base.Name("1.3.6.1.2.1.2.2.1.10.3")
			}
		}()
	}
	wg.Wait()
}

// TestMultiModuleFile loads a file holding two modules, the second broken.
func TestMultiModuleFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bundle.mib": testMIB + "\n" + brokenMIB})
	n, errs := builtin(t).WithDir(dir)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "bundle.mib:84:") {
		t.Errorf("errors = %v, want one at bundle.mib:84 (line 4 of the second module)", errs)
	}
	if got := n.Name("1.3.6.1.4.1.4294967.1.1.0"); got != "VANTAGE-TEST-MIB::vtLabel.0" {
		t.Errorf("first module not loaded: %q", got)
	}
}
