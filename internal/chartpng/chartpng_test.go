package chartpng

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
)

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// fiveMin is a chart of 5-minute roll-ups over one day, value(i) per bucket;
// NaN leaves the bucket out (a gap).
func fiveMin(dataset string, value func(i int) float64) chart.Chart {
	c := chart.Chart{Series: chart.Series{Map: "m", Device: "d", Dataset: dataset}, Resolution: chart.FiveMinutes,
		Step: 5 * time.Minute, From: t0, To: t0.Add(24 * time.Hour)}
	for i := range 288 {
		v := value(i)
		if math.IsNaN(v) {
			continue
		}
		c.Points = append(c.Points, chart.Point{Time: t0.Add(time.Duration(i) * 5 * time.Minute), Min: v * 0.5, Avg: v, Max: v * 1.5, Count: 10})
	}
	return c
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func TestRenderSizes(t *testing.T) {
	year := chart.Chart{Series: chart.Series{Dataset: "if.1.in_bps"}, Step: 24 * time.Hour, From: t0.AddDate(-1, 0, 0), To: t0}
	for d := t0.AddDate(-1, 0, 0); d.Before(t0); d = d.AddDate(0, 0, 1) {
		v := 5e6 + 4e6*math.Sin(float64(d.YearDay())/10)
		year.Points = append(year.Points, chart.Point{Time: d, Min: v / 3, Avg: v, Max: v * 2, Count: 288})
	}
	for _, tc := range []struct {
		name   string
		charts []chart.Chart
		opt    Options
		w, h   int
	}{
		{"nil", nil, Options{}, DefaultWidth, DefaultHeight},
		{"empty chart", []chart.Chart{{Series: chart.Series{Dataset: "rtt"}, From: t0, To: t0.Add(time.Hour)}}, Options{Title: "x"}, DefaultWidth, DefaultHeight},
		{"one point", []chart.Chart{{Series: chart.Series{Dataset: "rtt"}, Points: []chart.Point{{Time: t0, Min: 3, Avg: 3, Max: 3, Count: 1}}}}, Options{Width: 400, Height: 200}, 400, 200},
		{"year of days", []chart.Chart{year}, Options{Width: 900, Height: 300, Title: "Year"}, 900, 300},
		{"too big", []chart.Chart{year}, Options{Width: 100000, Height: 100000}, MaxWidth, MaxHeight},
		{"too small", []chart.Chart{year}, Options{Width: 1, Height: 1}, MinWidth, MinHeight},
		{"many series", []chart.Chart{year, year, year, year, year, year, year, year, year, year}, Options{Height: 120}, DefaultWidth, 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, tc.charts, tc.opt); err != nil {
				t.Fatal(err)
			}
			img := decode(t, b.Bytes())
			if got := img.Bounds().Size(); got != image.Pt(tc.w, tc.h) {
				t.Fatalf("size %v, want %dx%d", got, tc.w, tc.h)
			}
		})
	}
}

func count(img *image.RGBA, r image.Rectangle, c color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

func TestAreaLineBandAndGap(t *testing.T) {
	in := fiveMin("if.1.in_bps", func(i int) float64 {
		if i >= 100 && i < 150 { // a gap of 50 buckets
			return math.NaN()
		}
		return 8e6
	})
	out := fiveMin("if.1.out_bps", func(int) float64 { return 2e6 })
	img, l := draw([]chart.Chart{in, out}, Options{})
	green, blue := seriesColour(0), seriesColour(1)
	// Column at bucket 50 (well inside data), column at bucket 125 (gap).
	plot := l.plot
	colAt := func(bucket int) image.Rectangle {
		x := plot.Min.X + (2*bucket+1)*plot.Dx()/(2*288)
		return image.Rect(x, 0, x+1, img.Bounds().Dy())
	}
	if n := count(img, colAt(50), green); n < 20 {
		t.Errorf("only %d green pixels in a data column: the area is not filled", n)
	}
	if n := count(img, colAt(50), bandColour(green)); n < 3 {
		t.Errorf("only %d band pixels in a data column: no min–max band", n)
	}
	if n := count(img, colAt(125), green); n != 0 {
		t.Errorf("%d green pixels in the gap", n)
	}
	if n := count(img, colAt(125), blue); n == 0 {
		t.Error("the out line is missing where only in has a gap")
	}
	// The blue line lies below the green area's top: 2M of an 8M–12M range.
	if n := count(img, colAt(50), blue); n == 0 {
		t.Error("the out line is not drawn over the area")
	}
	// The legend names both series with their figures.
	if got := legendLine(prepare([]chart.Chart{in}, []string{"eth0 in"}, unix(t0), unix(t0.Add(24*time.Hour)))[0], "bit/s"); got != "eth0 in   max 12 Mbit/s   avg 8 Mbit/s   current 8 Mbit/s" {
		t.Errorf("legend %q", got)
	}
}

func TestGapNotBridgedByLine(t *testing.T) {
	out := fiveMin("if.1.out_bps", func(i int) float64 {
		if i >= 100 && i < 150 {
			return math.NaN()
		}
		return 2e6
	})
	img, l := draw([]chart.Chart{fiveMin("if.1.in_bps", func(int) float64 { return math.NaN() }), out}, Options{})
	plot := l.plot
	x := plot.Min.X + 125*plot.Dx()/288
	if n := count(img, image.Rect(x, 0, x+1, img.Bounds().Dy()), seriesColour(1)); n != 0 {
		t.Errorf("%d blue pixels across the gap", n)
	}
}

func TestNegativeValuesFillFromZero(t *testing.T) {
	c := fiveMin("x", func(int) float64 { return -5 })
	img, l := draw([]chart.Chart{c}, Options{})
	plot := l.plot
	x := plot.Min.X + plot.Dx()/2
	// The area hangs below the zero line, which is near the top.
	top, bottom := -1, -1
	for y := 0; y < img.Bounds().Dy(); y++ {
		if img.RGBAAt(x, y) == seriesColour(0) {
			if top < 0 {
				top = y
			}
			bottom = y
		}
	}
	if top < 0 || bottom-top < 20 {
		t.Fatalf("negative area spans rows %d..%d", top, bottom)
	}
}

func TestNaNAndInfAreSkipped(t *testing.T) {
	c := chart.Chart{Series: chart.Series{Dataset: "rtt"}, Step: time.Minute, From: t0, To: t0.Add(time.Hour), Points: []chart.Point{
		{Time: t0, Avg: math.NaN(), Min: math.NaN(), Max: math.NaN(), Count: 1},
		{Time: t0.Add(time.Minute), Avg: math.Inf(1), Min: 0, Max: math.Inf(1), Count: 1},
		{Time: t0.Add(2 * time.Minute), Avg: 5, Min: math.NaN(), Max: 7, Count: 2},
		{Time: t0.Add(3 * time.Minute), Avg: 1e308, Min: -1e308, Max: 1e308, Count: 2},
	}}
	var b bytes.Buffer
	if err := Render(&b, []chart.Chart{c}, Options{}); err != nil {
		t.Fatal(err)
	}
	decode(t, b.Bytes())
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v     float64
		units string
		with  bool
		want  string
	}{
		{0, "bit/s", true, "0 bit/s"},
		{1500, "bit/s", true, "1.5 kbit/s"},
		{2.5e9, "bit/s", false, "2.5 G"},
		{-3e6, "bit/s", false, "-3 M"},
		{1500, "ms", true, "1500 ms"},
		{12.345, "%", true, "12.3%"},
		{0.5, "", false, "0.5"},
	} {
		if got := formatValue(tc.v, tc.units, tc.with); got != tc.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", tc.v, tc.units, got, tc.want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		span  time.Duration
		first string
	}{
		{time.Hour, "00:00"},
		{24 * time.Hour, "00:00"},
		{7 * 24 * time.Hour, "Fri 20"},
		{90 * 24 * time.Hour, "Dec"},
		{365 * 24 * time.Hour, "Jan 2027"},
		{20 * 365 * 24 * time.Hour, "2028"},
	} {
		ticks := timeTicks(unix(t0), unix(t0.Add(tc.span)), 600, time.UTC)
		if len(ticks) < 2 || len(ticks) > 600/(8*charW)+1 {
			t.Errorf("%v: %d ticks", tc.span, len(ticks))
			continue
		}
		if ticks[0].label != tc.first {
			var labels []string
			for _, tk := range ticks {
				labels = append(labels, tk.label)
			}
			t.Errorf("%v: ticks %s, want first %q", tc.span, strings.Join(labels, ","), tc.first)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add(int64(1), uint16(10), int64(300), 100.0, uint16(700), uint16(250))
	f.Add(int64(2), uint16(0), int64(0), 0.0, uint16(0), uint16(0))
	f.Add(int64(3), uint16(500), int64(-5), -1e300, uint16(3000), uint16(50))
	f.Fuzz(func(t *testing.T, seed int64, n uint16, step int64, scale float64, w, h uint16) {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		var charts []chart.Chart
		for s := range 1 + int(seed&3) {
			c := chart.Chart{Series: chart.Series{Dataset: []string{"if.1.in_bps", "if.1.out_bps", "rtt", "x"}[s]},
				Step: time.Duration(step) * time.Second, From: t0, To: t0.Add(time.Duration(r.Int64N(1<<50)) - 1<<40)}
			for range int(n % 2000) {
				v := (r.Float64() - 0.3) * scale
				if r.IntN(50) == 0 {
					v = math.NaN()
				}
				c.Points = append(c.Points, chart.Point{
					Time: t0.Add(time.Duration(r.Int64N(1<<52)) - 1<<45),
					Min:  v - r.Float64()*scale, Avg: v, Max: v + r.Float64()*scale, Count: r.Int64N(3)})
			}
			charts = append(charts, c)
		}
		var b bytes.Buffer
		if err := Render(&b, charts, Options{Width: int(w), Height: int(h), Title: "fuzz"}); err != nil {
			t.Fatal(err)
		}
	})
}
