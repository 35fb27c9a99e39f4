package netmap

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// designExample is the map-file shape promised in DESIGN.md ("Contracts").
const designExample = `name: Campus
vantage: gw                      # the vantage point: a device or network name
devices:
  - name: gw
    address: 192.0.2.1           # address or DNS name
    probe: com.dartware.ping     # InterMapper's canonical probe identifiers
    params: {}                   # the probe's <parameters>, by name
    interval: 30s
    x: 100
    y: 80
networks:
  - name: lan
    cidrs: [192.0.2.0/24]
links:
  - [gw, lan]
`

func TestParseDesignExample(t *testing.T) {
	m, err := Parse("maps/campus.yaml", []byte(designExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &Map{
		Name:    "Campus",
		Vantage: "gw",
		Devices: []Device{{
			Name: "gw", Address: "192.0.2.1", Probe: "com.dartware.ping",
			Interval: Duration(30 * time.Second), X: 100, Y: 80,
		}},
		Networks: []Network{{Name: "lan", CIDRs: []string{"192.0.2.0/24"}}},
		Links:    []Link{{From: "gw", To: "lan"}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
}

func TestParseForms(t *testing.T) {
	src := `devices:
  - name: web
    address: WWW.Example.com.
    params: {port: 8080, path: /status, ssl: true}
    interval: 90
    timeout: 2.5s
    down_after: 5
    lat: 48.85
    lon: 2.35
    mask: 255.255.255.0
    snmp: {version: 2c, community: public, port: 1161}
    datasets: [rtt, "if.*.in_bps"]
    notes: |
      rack 4
  - name: v6
    address: 2001:db8::1
    mask: /64
networks:
  - name: wan
    cidrs: []
links:
  - {from: web, to: wan, label: uplink}
  - [v6, web]
`
	m, err := Parse("maps/site-b.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "site-b" {
		t.Errorf("default name = %q, want site-b (the file's base name)", m.Name)
	}
	d := m.Devices[0]
	if d.ProbeID() != DefaultProbe {
		t.Errorf("ProbeID() = %q, want %q", d.ProbeID(), DefaultProbe)
	}
	if d.Params["port"] != "8080" || d.Params["ssl"] != "true" {
		t.Errorf("params = %v", d.Params)
	}
	if d.Interval.Std() != 90*time.Second || d.Timeout.Std() != 2500*time.Millisecond {
		t.Errorf("interval %v timeout %v", d.Interval, d.Timeout)
	}
	if d.Lat == nil || *d.Lat != 48.85 || d.SNMP == nil || d.SNMP.Port != 1161 || d.Notes != "rack 4\n" || len(d.Datasets) != 2 || d.Datasets[1] != "if.*.in_bps" {
		t.Errorf("device = %+v", d)
	}
	if m.Networks[0].CIDRs != nil {
		t.Errorf("cidrs: [] should read as nil, got %#v", m.Networks[0].CIDRs)
	}
	if m.Links[0] != (Link{From: "web", To: "wan", Label: "uplink"}) {
		t.Errorf("mapping link = %+v", m.Links[0])
	}
}

type badCase struct {
	name string
	src  string
	want string // the complete first error
}

// badFiles has one case per kind of error Parse reports; each asserts the
// file:line: reason text the user sees.
func badFiles() []badCase {
	dev := "devices:\n  - name: gw\n    address: 192.0.2.1\n" // lines 1-3
	return []badCase{
		{"empty", "", "maps/t.yaml: empty map file"},
		{"comments only", "# nothing\n", "maps/t.yaml: empty map file"},
		{"syntax", "name: [a\n", "maps/t.yaml:1: invalid YAML: did not find expected ',' or ']'"},
		{"two documents", "name: a\n---\nname: b\n", "maps/t.yaml:2: only one YAML document is allowed in a map file"},
		{"not a mapping", "- gw\n", "maps/t.yaml:1: a map file must be a mapping with name, devices, networks and links"},
		{"unknown top key", "name: a\ndevice: []\n", `maps/t.yaml:2: unknown key "device" (expected name, vantage, snmp, geo, label_template, devices, networks or links)`},
		{"duplicate top key", "name: a\nname: b\n", `maps/t.yaml:2: map: duplicate key "name" (first at line 1)`},
		{"devices not a list", "devices: {gw: 1}\n", "maps/t.yaml:1: devices must be a sequence, not a mapping"},
		{"device not a mapping", "devices:\n  - gw\n", `maps/t.yaml:2: device #1 must be a mapping, not a scalar`},
		{"unknown device key", dev + "    adress: 192.0.2.2\n", `maps/t.yaml:4: device "gw": unknown key "adress"`},
		{"duplicate device key", dev + "    address: 192.0.2.2\n", `maps/t.yaml:4: device "gw": duplicate key "address" (first at line 3)`},
		{"unknown snmp key", dev + "    snmp: {version: 2c, comunity: x}\n", `maps/t.yaml:4: device "gw": snmp: unknown key "comunity"`},
		{"name not a string", "name: [a]\n", "maps/t.yaml:1: map: name must be a string, not a sequence"},
		{"x not a number", dev + "    x: left\n", `maps/t.yaml:4: device "gw": x must be a number, not "left"`},
		{"down_after not an integer", dev + "    down_after: 2.5\n", `maps/t.yaml:4: device "gw": down_after must be an integer, not "2.5"`},
		{"bad duration", dev + "    interval: 30 s\n", `maps/t.yaml:4: device "gw": interval: invalid duration "30 s": unknown unit " s" (use e.g. 30s, 5m, 1h or 90d)`},
		{"negative duration", dev + "    timeout: -1s\n", `maps/t.yaml:4: device "gw": timeout: invalid duration "-1s": must not be negative`},
		{"interval too short", dev + "    interval: 30ms\n", `maps/t.yaml:4: device "gw": interval 30ms is below the minimum of 1s`},
		{"bad dataset pattern", dev + "    datasets: [\"if.[\"]\n", `maps/t.yaml:4: device "gw": dataset pattern "if.[" is malformed`},
		{"params not a mapping", dev + "    params: [a]\n", `maps/t.yaml:4: device "gw": params must be a mapping, not a sequence`},
		{"bad link shape", dev + "links:\n  - [gw]\n", `maps/t.yaml:5: link #1: must name two endpoints, as in [gw, lan]; it has 1`},
		{"bad link key", dev + "links:\n  - {from: gw, too: x}\n", `maps/t.yaml:5: link #1: unknown key "too" (expected from, to, label, from_interface or to_interface)`},
		// Semantic errors, found after decoding, still name their line.
		{"missing device name", "devices:\n  - address: 192.0.2.1\n", "maps/t.yaml:2: device #1: missing name"},
		{"name with spaces", "name: ' a'\n", `maps/t.yaml:1: map: name " a" has leading or trailing spaces`},
		{"duplicate device", dev + "  - name: gw\n    address: 192.0.2.2\n", `maps/t.yaml:4: duplicate device name "gw" (first at line 2)`},
		{"device and network share a name", dev + "networks:\n  - name: gw\n", `maps/t.yaml:5: network name "gw" is already used by a device (first at line 2)`},
		{"missing address", "devices:\n  - name: gw\n", `maps/t.yaml:2: device "gw": missing address`},
		{"invalid IPv4", "devices:\n  - name: gw\n    address: 300.1.1.1\n", `maps/t.yaml:3: device "gw": invalid address "300.1.1.1"`},
		{"invalid IPv6", "devices:\n  - name: gw\n    address: 2001:db8::g\n", `maps/t.yaml:3: device "gw": invalid address "2001:db8::g"`},
		{"invalid host name", "devices:\n  - name: gw\n    address: -gw.example.com\n", `maps/t.yaml:3: device "gw": invalid address "-gw.example.com"`},
		{"bad CIDR", "networks:\n  - name: lan\n    cidrs: [192.0.2.0/33]\n", `maps/t.yaml:3: network "lan": bad CIDR "192.0.2.0/33"`},
		{"CIDR with host bits", "networks:\n  - name: lan\n    cidrs: [192.0.2.1/24]\n", `maps/t.yaml:3: network "lan": bad CIDR "192.0.2.1/24": host bits are set (did you mean 192.0.2.0/24?)`},
		{"lat out of range", dev + "    lat: 91\n", `maps/t.yaml:4: device "gw": lat 91 is not between -90 and 90`},
		{"infinite x", dev + "    x: .inf\n", `maps/t.yaml:4: device "gw": x must be a finite number`},
		{"bad mask", dev + "    mask: 255.0.255.0\n", `maps/t.yaml:4: device "gw": invalid mask "255.0.255.0": the one bits must be contiguous`},
		{"mask of the wrong family", dev + "    mask: /64\n", `maps/t.yaml:4: device "gw": invalid mask "/64" for address 192.0.2.1`},
		{"snmp version", dev + "    snmp: {version: 2}\n", `maps/t.yaml:4: device "gw": snmp: invalid version "2" (expected 1, 2c or 3)`},
		{"snmp v3 without user", dev + "    snmp: {version: 3}\n", `maps/t.yaml:4: device "gw": snmp: version 3 needs a user`},
		{"unknown vantage", "name: a\nvantage: core\n", `maps/t.yaml:2: vantage "core" is neither a device nor a network of this map`},
		{"unknown link endpoint", dev + "links:\n  - [gw, lan]\n", `maps/t.yaml:5: link #1: unknown link endpoint "lan"`},
		{"link to itself", dev + "links:\n  - [gw, gw]\n", `maps/t.yaml:5: link #1: link from "gw" to itself`},
		{"duplicate link", dev + "  - name: sw\n    address: 192.0.2.2\nlinks:\n  - [gw, sw]\n  - [sw, gw]\n",
			`maps/t.yaml:8: link #2: duplicate link [sw, gw] (first at line 7)`},
		{"link outside the network", dev + "networks:\n  - name: lab\n    cidrs: [10.0.0.0/8]\nlinks:\n  - [gw, lab]\n",
			`maps/t.yaml:8: link #1: device "gw" (192.0.2.1) is not in network "lab" (10.0.0.0/8)`},
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range badFiles() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse("maps/t.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error; got %+v", m)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FileError: %v", err, err)
			}
			if got := FileErrors(err)[0].Error(); got != tc.want {
				t.Errorf("first error:\n got %s\nwant %s", got, tc.want)
			}
			if fe.File != "maps/t.yaml" {
				t.Errorf("File = %q", fe.File)
			}
		})
	}
}

func TestParseMissingMapName(t *testing.T) {
	// Without a name key the file name supplies one; with neither, none.
	err := must(Parse("", []byte("devices: []\n")))
	if err == nil || err.Error() != "map: missing name" {
		t.Errorf("got %v", err)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := `name: t
devices:
  - name: gw
    address: 300.1.1.1
  - name: gw
    address: 192.0.2.1
networks:
  - name: lan
    cidrs: [bad]
links:
  - [gw, nowhere]
`
	_, err := Parse("maps/t.yaml", []byte(src))
	got := FileErrors(err)
	want := []string{
		`maps/t.yaml:4: device "gw": invalid address "300.1.1.1"`,
		`maps/t.yaml:5: duplicate device name "gw" (first at line 3)`,
		`maps/t.yaml:9: network "lan": bad CIDR "bad"`,
		`maps/t.yaml:11: link #1: unknown link endpoint "nowhere"`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("error %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if !strings.Contains(err.Error(), want[3]) {
		t.Errorf("joined message lacks the last reason: %v", err)
	}
}

func TestParseCapsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: t\ndevices:\n")
	for range 50 {
		b.WriteString("  - name: gw\n    address: 192.0.2.1\n")
	}
	got := FileErrors(must(Parse("t.yaml", []byte(b.String()))))
	if len(got) != maxReasons+1 || !strings.Contains(got[maxReasons].Reason, "and 29 more errors") {
		t.Errorf("got %d errors, last %v", len(got), got[len(got)-1])
	}
}

// must returns the error of a (value, error) pair.
func must[T any](_ T, err error) error { return err }

func TestAddressSyntax(t *testing.T) {
	for addr, ok := range map[string]bool{
		"192.0.2.1": true, "2001:db8::1": true, "fe80::1%eth0": true, "::ffff:192.0.2.1": true,
		"gw": true, "gw.example.com": true, "gw.example.com.": true, "my_host.corp": true, "a-b.c-d": true,
		"300.1.1.1": false, "10.1": false, "1.2.3.4.5": false, "": false, "gw..example": false,
		"-gw": false, "gw-": false, "g w": false, "gw:80": false, "héllo": false, "[::1]": false,
		strings.Repeat("a", 64) + ".com": false, strings.Repeat("a.", 127) + "com": false,
	} {
		if got := checkAddress(addr) == nil; got != ok {
			t.Errorf("checkAddress(%q) ok = %v, want %v", addr, got, ok)
		}
	}
}
