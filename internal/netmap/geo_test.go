package netmap

import (
	"reflect"
	"strings"
	"testing"
)

const geoFile = `name: campus
geo:
  benchmarks:
    - {x: 100, y: 50, lat: 48.85, lon: 2.35}
    - {x: 900, y: 650, lat: 45.76, lon: 4.84}
devices:
  - name: gw
    address: 192.0.2.1
    x: 10
    y: 20
`

func TestGeoRoundTrip(t *testing.T) {
	m, err := Parse("campus", []byte(geoFile))
	if err != nil {
		t.Fatal(err)
	}
	want := &Geo{Benchmarks: []Benchmark{{100, 50, 48.85, 2.35}, {900, 650, 45.76, 4.84}}}
	if !reflect.DeepEqual(m.Geo, want) {
		t.Fatalf("geo %+v, want %+v", m.Geo, want)
	}
	b, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "geo:\n  benchmarks:\n    - {x: 100, y: 50, lat: 48.85, lon: 2.35}\n") {
		t.Errorf("marshalled:\n%s", b)
	}
	again, err := Parse("campus", b)
	if err != nil || !reflect.DeepEqual(again.Geo, want) {
		t.Fatalf("round trip: %v %+v", err, again.Geo)
	}
	c := m.Clone()
	c.Geo.Benchmarks[0].X = 1
	if m.Geo.Benchmarks[0].X != 100 {
		t.Error("Clone shares the benchmarks")
	}
}

func TestGeoErrors(t *testing.T) {
	for _, tc := range []struct{ name, geo, want string }{
		{"one point", "geo:\n  benchmarks:\n    - {x: 1, y: 2, lat: 3, lon: 4}\n", "t:2: map: geo: benchmarks needs exactly two points, not 1"},
		{"same x", "geo:\n  benchmarks:\n    - {x: 1, y: 2, lat: 3, lon: 4}\n    - {x: 1, y: 5, lat: 6, lon: 7}\n", "t:2: map: geo: the two benchmarks need different x and different y"},
		{"same lat", "geo:\n  benchmarks:\n    - {x: 1, y: 2, lat: 3, lon: 4}\n    - {x: 2, y: 5, lat: 3, lon: 7}\n", "t:2: map: geo: the two benchmarks need different lat and different lon"},
		{"lat range", "geo:\n  benchmarks:\n    - {x: 1, y: 2, lat: 91, lon: 4}\n    - {x: 2, y: 5, lat: 6, lon: 7}\n", "t:2: map: geo: benchmark #1: lat must be between -90 and 90"},
		{"lon range", "geo:\n  benchmarks:\n    - {x: 1, y: 2, lat: 1, lon: 4}\n    - {x: 2, y: 5, lat: 6, lon: -181}\n", "t:2: map: geo: benchmark #2: lon must be between -180 and 180"},
		{"infinite", "geo:\n  benchmarks:\n    - {x: .inf, y: 2, lat: 1, lon: 4}\n    - {x: 2, y: 5, lat: 6, lon: 7}\n", "t:2: map: geo: benchmark #1: x, y, lat and lon must be finite numbers"},
		{"missing lon", "geo:\n  benchmarks:\n    - {x: 1, y: 2, lat: 1}\n    - {x: 2, y: 5, lat: 6, lon: 7}\n", "t:4: geo: benchmark #1: missing lon"},
		{"unknown key", "geo:\n  origin: 1\n", `t:3: geo: unknown key "origin" (expected benchmarks)`},
		{"not a mapping", "geo: [1]\n", "t:2: map: geo must be a mapping with benchmarks, not a sequence"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t", []byte("name: t\n"+tc.geo))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
}
