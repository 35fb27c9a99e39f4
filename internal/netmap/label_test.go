package netmap

import (
	"strings"
	"testing"
)

func TestExpandLabel(t *testing.T) {
	vars := map[string]string{"ShortName": "gw", "SmartName": "gw.example.net", "Address": "192.0.2.1", "DNSName": ""}
	for _, c := range []struct{ tmpl, want string }{
		{"${ShortName}", "gw"},
		{"${ShortName}\n${Address}", "gw\n192.0.2.1"},
		{"${DNSName}\n${Address}", "192.0.2.1"}, // empty lines dropped
		{"${shortname} (${ADDRESS})", "gw (192.0.2.1)"},
		{"${SysName}", ""},
		{"plain", "plain"},
		{"${Nope}", ""},
		{"${ShortName", ""},
	} {
		t.Run(c.tmpl, func(t *testing.T) {
			if got := ExpandLabel(c.tmpl, vars); got != c.want {
				t.Errorf("ExpandLabel(%q) = %q, want %q", c.tmpl, got, c.want)
			}
		})
	}
}

func TestCheckLabelTemplate(t *testing.T) {
	for _, c := range []struct{ tmpl, err string }{
		{"", ""},
		{"${ShortName}\n${Address}", ""},
		{"${NetBIOSName} ${SysName} ${SysDescr} ${Probe} ${DNSName} ${SmartName}", ""},
		{"${Bogus}", "unknown variable ${Bogus}"},
		{"${ShortName", "unclosed"},
		{"a\tb", "control characters"},
		{strings.Repeat("x", 2000), "longer than"},
	} {
		t.Run(c.tmpl, func(t *testing.T) {
			err := CheckLabelTemplate(c.tmpl)
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("CheckLabelTemplate(%q) = %v, want %q", c.tmpl, err, c.err)
			}
		})
	}
}

func TestLabelFieldsRoundTrip(t *testing.T) {
	src := "name: L\nlabel_template: \"${ShortName}\\n${Address}\"\ndevices:\n  - name: gw\n    address: 192.0.2.1\n    label: \"gw\\n192.0.2.1\"\n"
	m, err := Parse("l.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.LabelTemplate != "${ShortName}\n${Address}" || m.Devices[0].Label != "gw\n192.0.2.1" {
		t.Fatalf("parsed %q %q", m.LabelTemplate, m.Devices[0].Label)
	}
	b, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("l.yaml", b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if back.LabelTemplate != m.LabelTemplate || back.Devices[0].Label != m.Devices[0].Label {
		t.Fatalf("round trip:\n%s", b)
	}
	for _, c := range []struct{ src, err string }{
		{"name: L\nlabel_template: \"${Nope}\"\n", "l.yaml:2: map: label_template: unknown variable"},
		{"name: L\ndevices:\n  - {name: a, address: 192.0.2.1, label: \"a\\u0007\"}\n", "l.yaml:3: device \"a\": label contains control characters"},
	} {
		if _, err := Parse("l.yaml", []byte(c.src)); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Parse(%q) = %v, want %q", c.src, err, c.err)
		}
	}
}

// A router is linked to the ovals of its other interfaces: the link names
// the interface, so the oval need not contain the address it is polled at.
func TestLinkThroughInterface(t *testing.T) {
	base := "name: L\ndevices:\n  - {name: r, address: 192.0.2.1}\nnetworks:\n  - {name: a, cidrs: [192.0.2.0/28]}\n  - {name: b, cidrs: [198.51.100.0/28]}\nlinks:\n"
	if _, err := Parse("l.yaml", []byte(base+"  - {from: r, to: b, from_interface: eth1}\n")); err != nil {
		t.Fatalf("link with interface refused: %v", err)
	}
	if _, err := Parse("l.yaml", []byte(base+"  - {from: b, to: r, to_interface: \"3\"}\n")); err != nil {
		t.Fatalf("reversed link with interface refused: %v", err)
	}
	if _, err := Parse("l.yaml", []byte(base+"  - [r, b]\n")); err == nil || !strings.Contains(err.Error(), "is not in network") {
		t.Fatalf("link without interface: %v", err)
	}
}

func TestStoreUpdate(t *testing.T) {
	s, err := OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(&Map{Name: "m"}); err != nil {
		t.Fatal(err)
	}
	err = s.Update("m", func(m *Map) error {
		m.Devices = append(m.Devices, Device{Name: "a", Address: "192.0.2.1", Label: "A"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Get("m"); len(m.Devices) != 1 || m.Devices[0].Label != "A" {
		t.Fatalf("after update: %+v", m)
	}
	if err := s.Update("nope", func(*Map) error { return nil }); err == nil {
		t.Fatal("update of a missing map succeeded")
	}
}
