package netmap

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func ptr[T any](v T) *T { return &v }

// roundTripMaps are maps as Parse produces them (empty collections nil),
// covering every field and the strings YAML likes to reinterpret.
func roundTripMaps() []*Map {
	return []*Map{
		{Name: "empty"},
		{
			Name: "Campus", Vantage: "lan",
			Devices: []Device{
				{Name: "gw", Address: "192.0.2.1", Probe: "com.dartware.ping", Interval: Duration(30 * time.Second), X: 100, Y: 80},
				{
					Name: "web", Address: "www.example.com", Probe: "http",
					Params:   map[string]string{"port": "80", "path": "/", "ssl": "true", "empty": "", "nul": "null", "tilde": "~", "yes": "yes", "long": "a rather long parameter value that will not fit on one line"},
					Interval: Duration(90 * time.Second), X: -1.5, Y: 1e6,
					Lat: ptr(48.8566), Lon: ptr(-2.0), Mask: "255.255.255.0",
					SNMP:      &SNMPSettings{Version: "3", User: "u", Auth: "SHA", AuthKey: "k: #1", Priv: "AES", PrivKey: "'p'", Context: "c", Port: 1161},
					DownAfter: 5, Timeout: Duration(2500 * time.Millisecond),
					Notes: "line one\nline two\n",
				},
				{Name: "v6", Address: "2001:db8::1", Mask: "/64", SNMP: &SNMPSettings{Version: "2c", Community: "public"}},
				{Name: "y", Address: "fe80::1%eth0", Notes: "tab\there\r\nand CR, trailing space \n"},
				{Name: "123", Address: "10.0.0.1", Notes: "# not a comment", Probe: "com.example.a-b"},
				{Name: "Zoë – ☃", Address: "host_1.corp.", Notes: "  leading spaces\n\nblank line"},
			},
			Networks: []Network{
				{Name: "lan", CIDRs: []string{"192.0.2.0/24", "2001:db8::/32"}, X: 10, Y: 20},
				{Name: "cloud"},
			},
			Links: []Link{
				{From: "gw", To: "lan"},
				{From: "web", To: "gw", Label: "uplink: 1G"},
				{From: "cloud", To: "lan"},
			},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range roundTripMaps() {
		t.Run(m.Name, func(t *testing.T) {
			if err := m.Validate(); err != nil {
				t.Fatalf("test map invalid: %v", err)
			}
			data, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse("maps/x.yaml", data)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			if !reflect.DeepEqual(back, m) {
				t.Errorf("round trip differs\n got %+v\nwant %+v\n%s", back, m, data)
			}
		})
	}
}

func TestMarshalDesignExample(t *testing.T) {
	m, err := Parse("maps/campus.yaml", []byte(designExample))
	if err != nil {
		t.Fatal(err)
	}
	m.Links = append(m.Links, Link{From: "gw", To: "lan", Auto: true}) // derived: not written
	got, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `name: Campus
vantage: gw
devices:
  - name: gw
    address: 192.0.2.1
    probe: com.dartware.ping
    interval: 30s
    x: 100
    y: 80
networks:
  - name: lan
    cidrs: [192.0.2.0/24]
    x: 0
    y: 0
links:
  - [gw, lan]
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMarshalLinkForms(t *testing.T) {
	m := &Map{Name: "l", Links: []Link{{From: "a", To: "b"}, {From: "a", To: "c", Label: "x"}}}
	got, _ := Marshal(m)
	want := "name: l\nlinks:\n  - [a, b]\n  - {from: a, to: c, label: x}\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLinkYAML(t *testing.T) {
	var got struct{ Links []Link }
	if err := yaml.Unmarshal([]byte("links: [[a, b], {from: c, to: d, label: x}]"), &got); err != nil {
		t.Fatal(err)
	}
	want := []Link{{From: "a", To: "b"}, {From: "c", To: "d", Label: "x"}}
	if !reflect.DeepEqual(got.Links, want) {
		t.Errorf("got %+v", got.Links)
	}
	out, err := yaml.Marshal(got)
	if err != nil || string(out) != "links:\n    - [a, b]\n    - {from: c, to: d, label: x}\n" {
		t.Errorf("yaml.Marshal = %q, %v", out, err)
	}
	if err := yaml.Unmarshal([]byte("links: [[a]]"), &got); err == nil || !strings.Contains(err.Error(), "two endpoints") {
		t.Errorf("bad link: %v", err)
	}
}

// FuzzParse: Parse never panics, and whatever it accepts survives a
// Marshal/Parse round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(designExample))
	for _, c := range badFiles() {
		f.Add([]byte(c.src))
	}
	for _, m := range roundTripMaps() {
		data, err := Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("maps/fuzz.yaml", data)
		if err != nil {
			if len(FileErrors(err)) == 0 {
				t.Fatalf("error is not a FileError: %v", err)
			}
			return
		}
		out, err := Marshal(m)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse("maps/fuzz.yaml", out)
		if err != nil {
			t.Fatalf("re-Parse: %v\ninput:\n%s\nmarshalled:\n%s", err, data, out)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip differs\n got %#v\nwant %#v\nmarshalled:\n%s", back, m, out)
		}
	})
}
