// Package geo places map devices on the globe and exports maps as KML for
// Google Earth, as InterMapper does.
//
// A device's position is its own lat/lon when the map file gives them,
// otherwise it is computed from its x/y and the map's two benchmarks
// (netmap.Geo). The placement assumes a north-up map drawn in an
// equirectangular projection: x grows with longitude and y with latitude
// (usually downwards, that is southwards, which the benchmarks' signs
// capture), each axis scaled and offset independently, with no rotation.
// That is exact for a city or campus plan and a fair approximation for a
// country; it is wrong for a map drawn rotated.
package geo

import (
	"math"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Placer turns map coordinates into latitude and longitude.
type Placer struct {
	lonPerX, lon0 float64 // lon = lonPerX*x + lon0
	latPerY, lat0 float64 // lat = latPerY*y + lat0
	ok            bool
}

// NewPlacer builds the placement of a map's benchmarks; ok is false when the
// map has none, or they cannot fix both axes (same x, same y, or values so
// extreme that the scales overflow).
func NewPlacer(g *netmap.Geo) (Placer, bool) {
	if g == nil || len(g.Benchmarks) != 2 {
		return Placer{}, false
	}
	a, b := g.Benchmarks[0], g.Benchmarks[1]
	p := Placer{
		lonPerX: (b.Lon - a.Lon) / (b.X - a.X),
		latPerY: (b.Lat - a.Lat) / (b.Y - a.Y),
	}
	p.lon0 = a.Lon - p.lonPerX*a.X
	p.lat0 = a.Lat - p.latPerY*a.Y
	for _, f := range []float64{p.lonPerX, p.lon0, p.latPerY, p.lat0} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return Placer{}, false
		}
	}
	p.ok = true
	return p, true
}

// Place returns the position of map point (x, y): latitude clamped to the
// poles, longitude wrapped into [-180, 180]. ok is false without benchmarks
// or when the result is not a finite number.
func (p Placer) Place(x, y float64) (lat, lon float64, ok bool) {
	if !p.ok {
		return 0, 0, false
	}
	lat, lon = p.latPerY*y+p.lat0, p.lonPerX*x+p.lon0
	if math.IsNaN(lat) || math.IsInf(lat, 0) || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return 0, 0, false
	}
	return max(-90, min(90, lat)), wrapLon(lon), true
}

// wrapLon brings a longitude into [-180, 180].
func wrapLon(lon float64) float64 {
	if lon >= -180 && lon <= 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// Position is where a device is: its own lat/lon when both are set, else
// its x/y placed by p.
func Position(d netmap.Device, p Placer) (lat, lon float64, ok bool) {
	if d.Lat != nil && d.Lon != nil {
		return *d.Lat, *d.Lon, true
	}
	return p.Place(d.X, d.Y)
}
