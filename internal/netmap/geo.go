package netmap

import (
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Geo places a map on the globe: two benchmarks, points of the map whose
// latitude and longitude are known, from which every device without its
// own lat/lon is placed by its x/y (see internal/geo).
type Geo struct {
	Benchmarks []Benchmark `yaml:"benchmarks,omitempty" json:"benchmarks,omitempty"`
}

// Benchmark is one reference point: map coordinates and where they are.
type Benchmark struct {
	X   float64 `yaml:"x" json:"x"`
	Y   float64 `yaml:"y" json:"y"`
	Lat float64 `yaml:"lat" json:"lat"`
	Lon float64 `yaml:"lon" json:"lon"`
}

// geo parses the map-level geo key.
func (p *parser) geo(v *yaml.Node) *Geo {
	g := &Geo{}
	if v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v.Line, "map: geo must be a mapping with benchmarks, not a %s", kindName(v))
		return g
	}
	p.mapping(v, "geo", func(key string, line int, v *yaml.Node) {
		if key != "benchmarks" {
			p.errorf(line, "geo: unknown key %q (expected benchmarks)", key)
			return
		}
		p.seq(v, "geo: benchmarks", func(i int, n *yaml.Node) {
			what := "geo: benchmark #" + strconv.Itoa(i+1)
			var b Benchmark
			if n.Kind != yaml.MappingNode {
				p.errorf(n.Line, "%s must be a mapping with x, y, lat and lon", what)
				return
			}
			seen := map[string]bool{}
			p.mapping(n, what, func(key string, line int, v *yaml.Node) {
				seen[key] = true
				switch key {
				case "x":
					b.X = p.float(v, what, key)
				case "y":
					b.Y = p.float(v, what, key)
				case "lat":
					b.Lat = p.float(v, what, key)
				case "lon":
					b.Lon = p.float(v, what, key)
				default:
					p.errorf(line, "%s: unknown key %q (expected x, y, lat and lon)", what, key)
				}
			})
			for _, k := range []string{"x", "y", "lat", "lon"} {
				if !seen[k] {
					p.errorf(n.Line, "%s: missing %s", what, k)
				}
			}
			g.Benchmarks = append(g.Benchmarks, b)
		})
	})
	return g
}

// geoNode writes the geo key, one benchmark per line.
func geoNode(g *Geo) *yaml.Node {
	n := mapping(false)
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, b := range g.Benchmarks {
		bn := mapping(true)
		addNum(bn, "x", b.X)
		addNum(bn, "y", b.Y)
		addNum(bn, "lat", b.Lat)
		addNum(bn, "lon", b.Lon)
		seq.Content = append(seq.Content, bn)
	}
	add(n, "benchmarks", seq)
	return n
}

// checkGeo checks the benchmarks: none, or two that fix both axes, since
// the placement scales each axis by the ratio of the two points'
// differences.
func checkGeo(g *Geo) []string {
	if g == nil || len(g.Benchmarks) == 0 {
		return nil
	}
	if len(g.Benchmarks) != 2 {
		return []string{"geo: benchmarks needs exactly two points, not " + strconv.Itoa(len(g.Benchmarks))}
	}
	var out []string
	for i, b := range g.Benchmarks {
		what := "geo: benchmark #" + strconv.Itoa(i+1)
		for _, f := range []float64{b.X, b.Y, b.Lat, b.Lon} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				out = append(out, what+": x, y, lat and lon must be finite numbers")
				break
			}
		}
		if !(b.Lat >= -90 && b.Lat <= 90) {
			out = append(out, what+": lat must be between -90 and 90")
		}
		if !(b.Lon >= -180 && b.Lon <= 180) {
			out = append(out, what+": lon must be between -180 and 180")
		}
	}
	a, b := g.Benchmarks[0], g.Benchmarks[1]
	if a.X == b.X || a.Y == b.Y {
		out = append(out, "geo: the two benchmarks need different x and different y")
	}
	if a.Lat == b.Lat || a.Lon == b.Lon {
		out = append(out, "geo: the two benchmarks need different lat and different lon")
	}
	return out
}
