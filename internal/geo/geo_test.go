package geo

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// paris–lyon benchmarks on a north-up plan where y grows southwards.
var benchmarks = &netmap.Geo{Benchmarks: []netmap.Benchmark{
	{X: 100, Y: 100, Lat: 48.8, Lon: 2.3},
	{X: 300, Y: 400, Lat: 45.8, Lon: 4.8},
}}

func TestPlace(t *testing.T) {
	p, ok := NewPlacer(benchmarks)
	if !ok {
		t.Fatal("benchmarks refused")
	}
	for _, tc := range []struct {
		name     string
		x, y     float64
		lat, lon float64
		wantOK   bool
	}{
		{"first benchmark", 100, 100, 48.8, 2.3, true},
		{"second benchmark", 300, 400, 45.8, 4.8, true},
		{"midpoint", 200, 250, 47.3, 3.55, true},
		{"south and west of both", 0, 500, 44.8, 1.05, true},
		{"beyond the pole is clamped", 100, -100000, 90, 2.3, true},
		{"longitude wraps", 100 + 360/0.0125, 100, 48.8, 2.3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lat, lon, ok := p.Place(tc.x, tc.y)
			if ok != tc.wantOK || math.Abs(lat-tc.lat) > 1e-9 || math.Abs(lon-tc.lon) > 1e-9 {
				t.Errorf("Place(%v, %v) = %v, %v, %v; want %v, %v", tc.x, tc.y, lat, lon, ok, tc.lat, tc.lon)
			}
		})
	}
	for _, g := range []*netmap.Geo{nil, {}, {Benchmarks: []netmap.Benchmark{{X: 1, Y: 1}, {X: 1, Y: 2, Lat: 1, Lon: 1}}}} {
		if _, ok := NewPlacer(g); ok {
			t.Errorf("NewPlacer(%+v) accepted", g)
		}
	}
}

func TestPosition(t *testing.T) {
	p, _ := NewPlacer(benchmarks)
	lat, lon := 51.5, -0.12
	if la, lo, ok := Position(netmap.Device{Lat: &lat, Lon: &lon, X: 100, Y: 100}, p); !ok || la != lat || lo != lon {
		t.Errorf("own lat/lon not used: %v %v %v", la, lo, ok)
	}
	if la, _, ok := Position(netmap.Device{X: 100, Y: 100}, p); !ok || la != 48.8 {
		t.Errorf("placed: %v %v", la, ok)
	}
	if _, _, ok := Position(netmap.Device{X: 100, Y: 100}, Placer{}); ok {
		t.Error("placed without benchmarks")
	}
}

// parsed is the part of a KML document the test reads back.
type parsed struct {
	XMLName  xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Document struct {
		Name   string `xml:"name"`
		Styles []struct {
			ID    string `xml:"id,attr"`
			Color string `xml:"IconStyle>color"`
		} `xml:"Style"`
		Placemarks []struct {
			Name        string `xml:"name"`
			Description string `xml:"description"`
			StyleURL    string `xml:"styleUrl"`
			Point       string `xml:"Point>coordinates"`
			Line        string `xml:"LineString>coordinates"`
		} `xml:"Placemark"`
	} `xml:"Document"`
}

func TestWriteKML(t *testing.T) {
	lat, lon := 51.5, -0.12
	m := &netmap.Map{
		Name: "Europe & co",
		Geo:  benchmarks,
		Devices: []netmap.Device{
			{Name: "london", Address: "192.0.2.1", Lat: &lat, Lon: &lon},
			{Name: "paris", Address: "192.0.2.2", X: 100, Y: 100},
			{Name: "lyon", Address: "192.0.2.3", X: 300, Y: 400},
		},
		Networks: []netmap.Network{{Name: "wan", CIDRs: []string{"192.0.2.0/24"}, X: 200, Y: 250}},
		Links:    []netmap.Link{{From: "london", To: "paris"}, {From: "paris", To: "lyon", Label: "fibre"}},
	}
	statuses := map[string]Status{
		"london": {Level: "down", Reason: "no reply", Acknowledged: true},
		"paris":  {Level: "alarm", Maintenance: true},
		"lyon":   {Level: "bogus"},
	}
	var buf bytes.Buffer
	if err := WriteKML(&buf, m, func(d string) Status { return statuses[d] }); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60q", buf.String())
	}
	var k parsed
	if err := xml.Unmarshal(buf.Bytes(), &k); err != nil {
		t.Fatalf("KML does not parse: %v\n%s", err, buf.String())
	}
	if k.Document.Name != "Europe & co" {
		t.Errorf("document name %q", k.Document.Name)
	}
	colours := map[string]string{}
	for _, s := range k.Document.Styles {
		colours[s.ID] = s.Color
	}
	for id, c := range map[string]string{"ok": "ff00c000", "warning": "ff00ffff", "alarm": "ff0080ff", "critical": "ff0000ff", "down": "ff0000ff", "unknown": "ff808080"} {
		if colours[id] != c {
			t.Errorf("style %s colour %q, want %q", id, colours[id], c)
		}
	}
	got := map[string]string{}
	for _, p := range k.Document.Placemarks {
		got[p.Name] = p.StyleURL + " " + p.Point + p.Line
		if p.Name == "london" && !strings.Contains(p.Description, "Acknowledged") {
			t.Errorf("london description %q", p.Description)
		}
		if p.Name == "paris" && !strings.Contains(p.Description, "In maintenance") {
			t.Errorf("paris description %q", p.Description)
		}
	}
	want := map[string]string{
		"london":               "#down -0.12,51.5,0",
		"paris":                "#alarm 2.3,48.8,0",
		"lyon":                 "#unknown 4.8,45.8,0",
		"wan":                  "#network 3.55,47.3,0",
		"london – paris":       "#link -0.12,51.5,0 2.3,48.8,0",
		"paris – lyon (fibre)": "#link 2.3,48.8,0 4.8,45.8,0",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
	// Every coordinate tuple is lon,lat,alt within range.
	for _, p := range k.Document.Placemarks {
		for _, tuple := range strings.Fields(p.Point + " " + p.Line) {
			f := strings.Split(tuple, ",")
			lo, _ := strconv.ParseFloat(f[0], 64)
			la, _ := strconv.ParseFloat(f[1], 64)
			if len(f) != 3 || la < -90 || la > 90 || lo < -180 || lo > 180 {
				t.Errorf("%s: bad tuple %q", p.Name, tuple)
			}
		}
	}
}

func TestWriteKMLWithoutPositions(t *testing.T) {
	m := &netmap.Map{Name: "lan", Devices: []netmap.Device{{Name: "a", Address: "192.0.2.1"}}}
	var buf bytes.Buffer
	if err := WriteKML(&buf, m, func(string) Status { return Status{Level: "ok"} }); err != nil {
		t.Fatal(err)
	}
	var k parsed
	if err := xml.Unmarshal(buf.Bytes(), &k); err != nil || len(k.Document.Placemarks) != 0 {
		t.Errorf("%v, %d placemarks; want none", err, len(k.Document.Placemarks))
	}
}

// FuzzPlace checks that benchmarks and points with extreme values never
// panic nor place anything at a NaN, infinite or out-of-range position.
func FuzzPlace(f *testing.F) {
	f.Add(100.0, 100.0, 48.8, 2.3, 300.0, 400.0, 45.8, 4.8, 200.0, 250.0)
	f.Add(0.0, 0.0, 0.0, 0.0, 5e-324, 5e-324, 90.0, 180.0, 1e308, -1e308)
	f.Add(1e308, -1e308, -90.0, -180.0, -1e308, 1e308, 90.0, 180.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, x1, y1, lat1, lon1, x2, y2, lat2, lon2, x, y float64) {
		p, ok := NewPlacer(&netmap.Geo{Benchmarks: []netmap.Benchmark{{X: x1, Y: y1, Lat: lat1, Lon: lon1}, {X: x2, Y: y2, Lat: lat2, Lon: lon2}}})
		lat, lon, placed := p.Place(x, y)
		if !placed {
			return
		}
		if !ok || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			t.Fatalf("Place(%v, %v) = %v, %v", x, y, lat, lon)
		}
		var buf bytes.Buffer
		m := &netmap.Map{Name: "f", Geo: &netmap.Geo{Benchmarks: []netmap.Benchmark{{X: x1, Y: y1, Lat: lat1, Lon: lon1}, {X: x2, Y: y2, Lat: lat2, Lon: lon2}}},
			Devices: []netmap.Device{{Name: "d", Address: "192.0.2.1", X: x, Y: y}}}
		if err := WriteKML(&buf, m, func(string) Status { return Status{} }); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "NaN") || strings.Contains(buf.String(), "Inf") {
			t.Fatalf("KML with NaN or Inf:\n%s", buf.String())
		}
	})
}
