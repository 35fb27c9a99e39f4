package geo

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Status is what a placemark shows of a device's state.
type Status struct {
	Level        string // ok, warning, alarm, critical, down, unknown
	Reason       string
	Acknowledged bool
	Maintenance  bool
}

// Styles: KML colours are aabbggrr.
var levelColours = []struct{ id, colour string }{
	{"ok", "ff00c000"},       // green
	{"warning", "ff00ffff"},  // yellow
	{"alarm", "ff0080ff"},    // orange
	{"critical", "ff0000ff"}, // red
	{"down", "ff0000ff"},     // red
	{"unknown", "ff808080"},  // grey
}

// icon is a white circle that Google Earth tints with the style colour.
const icon = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"

// KML document structure, as much of the OGC KML 2.2 schema as Google
// Earth needs.
type kmlRoot struct {
	XMLName  xml.Name    `xml:"http://www.opengis.net/kml/2.2 kml"`
	Document kmlDocument `xml:"Document"`
}

type kmlDocument struct {
	Name       string         `xml:"name"`
	Styles     []kmlStyle     `xml:"Style"`
	Placemarks []kmlPlacemark `xml:"Placemark"`
}

type kmlStyle struct {
	ID        string        `xml:"id,attr"`
	IconStyle *kmlIconStyle `xml:"IconStyle,omitempty"`
	LineStyle *kmlLineStyle `xml:"LineStyle,omitempty"`
}

type kmlIconStyle struct {
	Color string  `xml:"color"`
	Icon  kmlIcon `xml:"Icon"`
}

type kmlIcon struct {
	Href string `xml:"href"`
}

type kmlLineStyle struct {
	Color string  `xml:"color"`
	Width float64 `xml:"width"`
}

type kmlPlacemark struct {
	Name        string         `xml:"name"`
	Description string         `xml:"description,omitempty"`
	StyleURL    string         `xml:"styleUrl"`
	Point       *kmlPoint      `xml:"Point,omitempty"`
	LineString  *kmlLineString `xml:"LineString,omitempty"`
}

type kmlPoint struct {
	Coordinates string `xml:"coordinates"`
}

type kmlLineString struct {
	Tessellate  int    `xml:"tessellate"`
	Coordinates string `xml:"coordinates"`
}

// coord is a KML coordinate tuple: longitude first, then latitude, then
// altitude.
func coord(lat, lon float64) string {
	return strconv.FormatFloat(lon, 'f', -1, 64) + "," + strconv.FormatFloat(lat, 'f', -1, 64) + ",0"
}

// WriteKML writes map m as a KML document: the map's name as the
// document's, a placemark per placed device coloured by its status (devices
// without a position are left out), a placemark per network the
// benchmarks place, and a line per link whose two ends are placed.
func WriteKML(w io.Writer, m *netmap.Map, status func(device string) Status) error {
	doc := kmlDocument{Name: m.Name}
	for _, c := range levelColours {
		doc.Styles = append(doc.Styles, kmlStyle{ID: c.id, IconStyle: &kmlIconStyle{Color: c.colour, Icon: kmlIcon{Href: icon}}})
	}
	doc.Styles = append(doc.Styles,
		kmlStyle{ID: "network", IconStyle: &kmlIconStyle{Color: "ffffaa55", Icon: kmlIcon{Href: icon}}},
		kmlStyle{ID: "link", LineStyle: &kmlLineStyle{Color: "ffffffff", Width: 2}})

	placer, _ := NewPlacer(m.Geo)
	where := map[string]string{}
	for _, d := range m.Devices {
		lat, lon, ok := Position(d, placer)
		if !ok {
			continue
		}
		where[d.Name] = coord(lat, lon)
		st := status(d.Name)
		style := st.Level
		if !knownLevel(style) {
			style = "unknown"
		}
		doc.Placemarks = append(doc.Placemarks, kmlPlacemark{
			Name: d.Name, Description: describe(d, st), StyleURL: "#" + style,
			Point: &kmlPoint{Coordinates: where[d.Name]},
		})
	}
	for _, n := range m.Networks {
		lat, lon, ok := placer.Place(n.X, n.Y)
		if !ok {
			continue
		}
		where[n.Name] = coord(lat, lon)
		doc.Placemarks = append(doc.Placemarks, kmlPlacemark{
			Name: n.Name, Description: strings.Join(n.CIDRs, ", "), StyleURL: "#network",
			Point: &kmlPoint{Coordinates: where[n.Name]},
		})
	}
	for _, l := range m.AllLinks() {
		a, okA := where[l.From]
		b, okB := where[l.To]
		if !okA || !okB {
			continue
		}
		name := l.From + " – " + l.To
		if l.Label != "" {
			name += " (" + l.Label + ")"
		}
		doc.Placemarks = append(doc.Placemarks, kmlPlacemark{
			Name: name, StyleURL: "#link",
			LineString: &kmlLineString{Tessellate: 1, Coordinates: a + " " + b},
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write KML of map %q: %w", m.Name, err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(kmlRoot{Document: doc}); err != nil {
		return fmt.Errorf("write KML of map %q: %w", m.Name, err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write KML of map %q: %w", m.Name, err)
	}
	return nil
}

func knownLevel(l string) bool {
	for _, c := range levelColours {
		if c.id == l {
			return true
		}
	}
	return false
}

// describe is a placemark's balloon text.
func describe(d netmap.Device, st Status) string {
	lines := []string{"Address: " + d.Address, "Status: " + st.Level}
	if st.Reason != "" {
		lines[1] += " (" + st.Reason + ")"
	}
	if st.Maintenance {
		lines = append(lines, "In maintenance")
	} else if st.Acknowledged {
		lines = append(lines, "Acknowledged")
	}
	if d.Notes != "" {
		lines = append(lines, strings.TrimSpace(d.Notes))
	}
	return strings.Join(lines, "\n")
}
