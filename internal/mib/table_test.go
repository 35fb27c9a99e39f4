package mib

import (
	"bytes"
	"strings"
	"testing"
)

// TestTableRoundTrip re-serializes the built-in table: decoding and encoding
// must be exact inverses.
func TestTableRoundTrip(t *testing.T) {
	n := builtin(t)
	want, err := gunzip(builtinMIBs)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := n.WriteTable(&got, "Vantage built-in MIB table: see SOURCES.txt"); err != nil {
		t.Fatal(err)
	}
	if got.String() != want {
		t.Errorf("re-encoded table differs: %d bytes, want %d", got.Len(), len(want))
	}
}

func TestParseTableErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"N\t1.3\tx\tnode\t\t\t\t\t\t\n", "line 1: record before the first module"},
		{"# c\nM\tX\tv2\to\nN\t1.3\tx\tbogus\t\t\t\t\t\t\n", "line 3: unknown kind"},
		{"M\tX\tv2\to\nN\t1.3\tx\tnode\n", "line 2: malformed record"},
		{"M\tX\tv2\to\nT\tT\tINTEGER\t\t1:a,b\n", "line 2: bad enumeration item"},
		{"M\tX\tv2\to\nN\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\n", "line 2: too many fields"},
	} {
		if _, err := ParseTable(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseTable(%q) error = %v, want %q", tc.data, err, tc.want)
		}
	}
	for _, data := range []string{"x\ty\n", "-1\tx\n", "12\n", "99999999999\tx\n"} {
		if _, err := ParseEnterprises(data); err == nil {
			t.Errorf("ParseEnterprises(%q) accepted", data)
		}
	}
}

func TestEnterprisesRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEnterprises(&buf, map[int]string{3845: "Citrix Systems Inc.", 9: "cisco\tSystems"}); err != nil {
		t.Fatal(err)
	}
	ent, err := ParseEnterprises(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	n := New().WithEnterprises(ent)
	if s, _ := n.Enterprise(9); s != "cisco Systems" {
		t.Errorf("Enterprise(9) = %q", s)
	}
	if got := n.Describe("1.3.6.1.4.1.3845.1"); got != "enterprises.3845(Citrix Systems Inc.).1" {
		t.Errorf("Describe = %q", got)
	}
	if _, ok := n.Enterprise(10); ok {
		t.Error("Enterprise(10) found")
	}
	if got := New().Describe("1.3.6.1.4.1.3845.1"); got != "SNMPv2-SMI::enterprises.3845.1" {
		t.Errorf("Describe without enterprise table = %q", got)
	}
}

func TestKindStrings(t *testing.T) {
	for k := KindUnknown; k <= KindCapabilities; k++ {
		if back, ok := ParseKind(k.String()); !ok || back != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), back, ok)
		}
	}
	if Kind(200).String() != "kind(200)" {
		t.Error(Kind(200).String())
	}
	if _, ok := ParseKind("nope"); ok {
		t.Error("ParseKind(nope) ok")
	}
}
