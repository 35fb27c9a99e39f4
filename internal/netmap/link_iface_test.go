package netmap

import (
	"strings"
	"testing"
)

func TestLinkInterfaces(t *testing.T) {
	src := "name: L\ndevices:\n  - {name: sw1, address: 192.0.2.2}\n  - {name: sw2, address: 192.0.2.3}\nlinks:\n  - {from: sw1, to: sw2, from_interface: Gi0/1, to_interface: \"3\"}\n  - [sw2, lan]\nnetworks:\n  - {name: lan, cidrs: [192.0.2.0/24]}\n"
	m, err := Parse("l.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if l := m.Links[0]; l.FromInterface != "Gi0/1" || l.ToInterface != "3" {
		t.Fatalf("link = %+v", l)
	}
	b, _ := Marshal(m)
	if !strings.Contains(string(b), "from_interface: Gi0/1") || !strings.Contains(string(b), "- [sw2, lan]") {
		t.Fatalf("marshal:\n%s", b)
	}
	back, err := Parse("l.yaml", b)
	if err != nil || back.Links[0] != m.Links[0] {
		t.Fatalf("round trip %v %+v", err, back)
	}
	if _, err := Parse("l.yaml", []byte("name: L\ndevices:\n  - {name: a, address: 192.0.2.2}\n  - {name: b, address: 192.0.2.3}\nlinks:\n  - {from: a, to: b, port: 1}\n")); err == nil || !strings.Contains(err.Error(), "l.yaml:6") {
		t.Fatalf("unknown link key: %v", err)
	}
}
