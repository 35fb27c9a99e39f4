// Package chartpng draws strip charts as PNG pictures in the style of MRTG,
// for e-mails, wikis and anything else that cannot run the web UI's
// JavaScript charts: the first series is a filled green area ("in"), the
// second a blue line ("out"), further series lines in other colours; a
// rolled-up point's min–max range is a light band behind its average, and a
// missing bucket is a gap rather than a line drawn across it. A footer gives
// each series' maximum, average and current value, as MRTG's does.
package chartpng

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// Picture sizes: the default is MRTG's familiar strip; the bounds keep the
// layout readable and one request from asking for a huge image.
const (
	DefaultWidth  = 700
	DefaultHeight = 250
	MinWidth      = 200
	MaxWidth      = 2000
	MinHeight     = 100
	MaxHeight     = 1000
)

// Options shape one picture.
type Options struct {
	// Width and Height in pixels; 0 means the default (700×250). Values
	// are clamped to MinWidth…MaxWidth and MinHeight…MaxHeight.
	Width, Height int
	// Title is drawn at the top; empty draws none.
	Title string
	// Labels name the series in the legend, by position; a missing or
	// empty label falls back to "device dataset".
	Labels []string
	// Units is what the values measure ("bit/s", "ms", "%"); empty guesses
	// from the first series' dataset name (see UnitsFor).
	Units string
	// Location is the time zone of the time axis; nil is UTC.
	Location *time.Location
}

// Size returns the picture size o asks for, after defaults and clamping.
func (o Options) Size() (w, h int) {
	w, h = o.Width, o.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return min(max(w, MinWidth), MaxWidth), min(max(h, MinHeight), MaxHeight)
}

// UnitsFor guesses a dataset's units from Vantage's dataset names, for
// callers that have no chart.Meta at hand.
func UnitsFor(dataset string) string {
	switch {
	case dataset == "rtt":
		return "ms"
	case dataset == "loss", strings.HasSuffix(dataset, "_util"):
		return "%"
	case strings.HasSuffix(dataset, "_bps"):
		return "bit/s"
	case strings.HasSuffix(dataset, "_errors"):
		return "/min"
	case dataset == "cert_days":
		return "days"
	}
	return ""
}

// Colours: MRTG's green area and blue line first, then distinct hues.
var (
	background = color.RGBA{0xff, 0xff, 0xff, 0xff}
	plotBack   = color.RGBA{0xf8, 0xf8, 0xf8, 0xff}
	gridColour = color.RGBA{0xd8, 0xd8, 0xd8, 0xff}
	axisColour = color.RGBA{0x40, 0x40, 0x40, 0xff}
	textColour = color.RGBA{0x20, 0x20, 0x20, 0xff}
)

// seriesColour is the colour of series i.
func seriesColour(i int) color.RGBA {
	palette := [...]color.RGBA{
		{0x00, 0xcc, 0x00, 0xff}, // MRTG "in"
		{0x00, 0x00, 0xff, 0xff}, // MRTG "out"
		{0xcc, 0x00, 0xcc, 0xff},
		{0xff, 0x80, 0x00, 0xff},
		{0x00, 0x99, 0x99, 0xff},
		{0x99, 0x00, 0x00, 0xff},
		{0x80, 0x80, 0x00, 0xff},
		{0x60, 0x60, 0x60, 0xff},
	}
	return palette[i%len(palette)]
}

// bandColour is c faded towards white, for the min–max band.
func bandColour(c color.RGBA) color.RGBA {
	fade := func(v uint8) uint8 { return uint8(255 - (255-int(v))*30/100) }
	return color.RGBA{fade(c.R), fade(c.G), fade(c.B), 0xff}
}

// face is the font: a fixed 7×13 bitmap like MRTG's, crisp at small sizes
// and with nothing to parse.
var face = basicfont.Face7x13

const (
	charW   = 7
	lineH   = 14
	padding = 6
)

// layout is where things go in the picture.
type layout struct {
	w, h   int
	plot   image.Rectangle // the data area
	title  int             // baseline of the title (0: none)
	units  int             // baseline of the units label above the plot
	xLabel int             // baseline of the time labels
	legend int             // baseline of the first legend line
	lines  int             // legend lines that fit
}

// series is one chart prepared for drawing.
type series struct {
	label  string
	colour color.RGBA
	points []chart.Point // finite, in range, in time order
	step   float64       // bucket width in seconds
	band   bool          // draw the min–max band
}

// Render draws charts into one PNG and writes it to w. Charts may be empty
// or hold no points; the picture then says "no data".
func Render(w io.Writer, charts []chart.Chart, opt Options) error {
	img := Draw(charts, opt)
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("chart PNG: %w", err)
	}
	return nil
}

// Draw draws charts into an image (Render encodes it).
func Draw(charts []chart.Chart, opt Options) *image.RGBA {
	img, _ := draw(charts, opt)
	return img
}

func draw(charts []chart.Chart, opt Options) (*image.RGBA, layout) {
	width, height := opt.Size()
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	units := opt.Units
	if units == "" && len(charts) > 0 {
		units = UnitsFor(charts[0].Dataset)
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	fill(img, img.Bounds(), background)

	from, to := timeRange(charts)
	ss := prepare(charts, opt.Labels, from, to)
	lo, hi := valueRange(ss)
	ticks := valueTicks(lo, hi)
	lo, hi = min(lo, ticks[0]), max(hi, ticks[len(ticks)-1])
	tickLabels := make([]string, len(ticks))
	labelW := 0
	for i, v := range ticks {
		tickLabels[i] = formatValue(v, units, false)
		labelW = max(labelW, len(tickLabels[i])*charW)
	}
	l := plan(width, height, opt.Title != "", len(ss), labelW)

	if opt.Title != "" {
		text(img, (width-len(opt.Title)*charW)/2, l.title, opt.Title, textColour)
	}
	if units != "" {
		text(img, padding, l.units, units, textColour)
	}
	fill(img, l.plot, plotBack)

	scale := func(v float64) int {
		y := float64(l.plot.Max.Y-1) - (v-lo)/(hi-lo)*float64(l.plot.Dy()-1)
		return clampInt(y, l.plot.Min.Y, l.plot.Max.Y-1)
	}
	tx := func(t float64) int {
		x := float64(l.plot.Min.X) + (t-from)/(to-from)*float64(l.plot.Dx())
		return clampInt(x, l.plot.Min.X, l.plot.Max.X)
	}

	// Grid and labels.
	for i, v := range ticks {
		y := scale(v)
		hline(img, l.plot.Min.X, l.plot.Max.X-1, y, gridColour)
		text(img, l.plot.Min.X-4-len(tickLabels[i])*charW, y+4, tickLabels[i], textColour)
	}
	for _, tk := range timeTicks(from, to, l.plot.Dx(), loc) {
		x := tx(tk.at)
		vline(img, x, l.plot.Min.Y, l.plot.Max.Y-1, gridColour)
		lx := min(max(x-len(tk.label)*charW/2, 0), width-len(tk.label)*charW)
		text(img, lx, l.xLabel, tk.label, textColour)
	}

	// Data: bands first so averages stay on top, then the area, then lines.
	zero := scale(min(max(0, lo), hi))
	for _, s := range ss {
		if s.band {
			forBuckets(s, tx, func(x0, x1 int, p chart.Point) {
				fill(img, image.Rect(x0, scale(p.Max), x1, scale(p.Min)+1), bandColour(s.colour))
			})
		}
	}
	if len(ss) > 0 {
		s := ss[0]
		forBuckets(s, tx, func(x0, x1 int, p chart.Point) {
			y := scale(p.Avg)
			fill(img, image.Rect(x0, min(y, zero), x1, max(y, zero)+1), s.colour)
		})
	}
	for _, s := range ss[min(1, len(ss)):] {
		drawLine(img, s, tx, scale)
	}

	// Axes.
	hline(img, l.plot.Min.X, l.plot.Max.X-1, zero, axisColour)
	vline(img, l.plot.Min.X, l.plot.Min.Y, l.plot.Max.Y-1, axisColour)
	if len(ss) == 0 || allEmpty(ss) {
		msg := "no data"
		text(img, l.plot.Min.X+(l.plot.Dx()-len(msg)*charW)/2, l.plot.Min.Y+l.plot.Dy()/2, msg, axisColour)
	}

	// Legend and MRTG-style footer.
	for i, s := range ss {
		if i >= l.lines {
			break
		}
		y := l.legend + i*lineH
		fill(img, image.Rect(padding, y-9, padding+10, y+1), s.colour)
		text(img, padding+14, y, legendLine(s, units), textColour)
	}
	return img, l
}

// plan lays the picture out: title, units, plot, time labels, legend. The
// plot keeps at least a third of the height; legend lines that do not fit
// are left out.
func plan(w, h int, title bool, nSeries, labelW int) layout {
	var l layout
	top := padding
	if title {
		l.title = top + 11
		top += lineH + 2
	}
	l.units = top + 11
	top += lineH + 6 // clear of the top tick's label
	left := max(labelW+10, 40)
	right := w - padding - charW*2
	legendLines := nSeries
	minPlot := max(h/3, 30)
	for legendLines > 0 && h-top-lineH-padding-legendLines*lineH-padding < minPlot {
		legendLines--
	}
	bottom := h - padding - legendLines*lineH - lineH - 4
	l.w, l.h = w, h
	l.plot = image.Rect(left, top, right, bottom)
	l.xLabel = bottom + lineH
	l.legend = l.xLabel + lineH + 2
	l.lines = legendLines
	return l
}

// timeRange is the span to draw in Unix seconds: the charts' own ranges,
// or their points' when the charts carry none.
func timeRange(charts []chart.Chart) (from, to float64) {
	from, to = math.Inf(1), math.Inf(-1)
	for _, c := range charts {
		if !c.From.IsZero() && !c.To.IsZero() && c.To.After(c.From) {
			from, to = math.Min(from, unix(c.From)), math.Max(to, unix(c.To))
		}
	}
	if from < to {
		return from, to
	}
	for _, c := range charts {
		for _, p := range c.Points {
			from, to = math.Min(from, unix(p.Time)), math.Max(to, unix(p.Time)+c.Step.Seconds())
		}
	}
	switch {
	case math.IsInf(from, 0) || math.IsInf(to, 0):
		now := float64(time.Now().Unix())
		return now - 86400, now
	case to-from < 1:
		return from - 1800, from + 1800
	}
	return from, to
}

func unix(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// prepare keeps each chart's drawable points: finite values inside the
// range, in time order, with a bucket width for bars and gaps.
func prepare(charts []chart.Chart, labels []string, from, to float64) []series {
	out := make([]series, 0, len(charts))
	for i, c := range charts {
		s := series{colour: seriesColour(i)}
		if i < len(labels) && labels[i] != "" {
			s.label = labels[i]
		} else {
			s.label = strings.TrimSpace(c.Device + " " + c.Dataset)
		}
		for _, p := range c.Points {
			t := unix(p.Time)
			if t < from || t > to || !finite(p.Avg) {
				continue
			}
			if !finite(p.Min) || !finite(p.Max) || p.Min > p.Avg || p.Max < p.Avg {
				p.Min, p.Max = p.Avg, p.Avg
			}
			p.Avg, p.Min, p.Max = clampValue(p.Avg), clampValue(p.Min), clampValue(p.Max)
			if p.Count > 1 || p.Min != p.Max {
				s.band = true
			}
			s.points = append(s.points, p)
		}
		slices.SortStableFunc(s.points, func(a, b chart.Point) int { return a.Time.Compare(b.Time) })
		s.step = c.Step.Seconds()
		if s.step <= 0 {
			s.step = medianGap(s.points)
		}
		out = append(out, s)
	}
	return out
}

// clampValue keeps values where their differences stay finite.
func clampValue(v float64) float64 { return math.Max(-1e300, math.Min(1e300, v)) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// medianGap is the typical distance between raw points, their bar width.
func medianGap(pts []chart.Point) float64 {
	if len(pts) < 2 {
		return 60
	}
	gaps := make([]float64, 0, len(pts)-1)
	for i := 1; i < len(pts); i++ {
		if g := unix(pts[i].Time) - unix(pts[i-1].Time); g > 0 {
			gaps = append(gaps, g)
		}
	}
	if len(gaps) == 0 {
		return 60
	}
	slices.Sort(gaps)
	return gaps[len(gaps)/2]
}

// gapAfter tells whether a missing bucket lies between two points: for
// roll-ups a whole step, for raw points well over the usual interval.
func (s series) gapAfter(a, b chart.Point) bool {
	return unix(b.Time)-unix(a.Time) > 1.5*s.step
}

// forBuckets calls f with the pixel columns [x0, x1) of each point's
// bucket, at least one pixel wide.
func forBuckets(s series, tx func(float64) int, f func(x0, x1 int, p chart.Point)) {
	for _, p := range s.points {
		t := unix(p.Time)
		x0, x1 := tx(t), tx(t+s.step)
		if x1 <= x0 {
			x1 = x0 + 1
		}
		f(x0, x1, p)
	}
}

// drawLine joins bucket centres, breaking at gaps; a point alone is drawn
// as a short flat stroke across its bucket.
func drawLine(img *image.RGBA, s series, tx func(float64) int, scale func(float64) int) {
	half := s.step / 2
	for i, p := range s.points {
		t := unix(p.Time)
		x, y := tx(t+half), scale(p.Avg)
		alone := (i == 0 || s.gapAfter(s.points[i-1], p)) && (i == len(s.points)-1 || s.gapAfter(p, s.points[i+1]))
		if alone {
			x0, x1 := tx(t), tx(t+s.step)
			line(img, x0, y, max(x1-1, x0), y, s.colour)
			continue
		}
		if i > 0 && !s.gapAfter(s.points[i-1], p) {
			q := s.points[i-1]
			line(img, tx(unix(q.Time)+half), scale(q.Avg), x, y, s.colour)
		}
	}
}

func allEmpty(ss []series) bool {
	for _, s := range ss {
		if len(s.points) > 0 {
			return false
		}
	}
	return true
}

// valueRange spans every drawn value and zero, so areas have a baseline.
func valueRange(ss []series) (lo, hi float64) {
	lo, hi = 0, 0
	for _, s := range ss {
		for _, p := range s.points {
			lo, hi = math.Min(lo, p.Min), math.Max(hi, p.Max)
		}
	}
	if hi-lo <= 0 || !finite(hi-lo) {
		hi = lo + 1
	}
	return lo, hi
}

// valueTicks are round values (1, 2 or 5 × 10^k apart) covering [lo, hi]
// in about five steps.
func valueTicks(lo, hi float64) []float64 {
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if !finite(step) || step <= 0 {
		return []float64{lo, hi}
	}
	first := math.Floor(lo/step) * step
	var out []float64
	for i := 0; i < 12; i++ {
		v := first + float64(i)*step
		out = append(out, v)
		if v >= hi {
			break
		}
	}
	return out
}

// siUnits are the units that take SI prefixes (k, M, G, T) rather than
// long numbers.
func siUnits(units string) bool {
	switch units {
	case "", "bit/s", "B/s", "bps", "B", "bytes", "pkt/s", "/s", "/min":
		return true
	}
	return false
}

// formatValue renders v for the axis or the legend: "1.5 M" on the axis
// (units above it), "1.5 Mbit/s" in the legend.
func formatValue(v float64, units string, withUnits bool) string {
	prefix := ""
	if siUnits(units) {
		for _, p := range []struct {
			s string
			f float64
		}{{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
			if math.Abs(v) >= p.f {
				v, prefix = v/p.f, p.s
				break
			}
		}
	}
	var num string
	switch a := math.Abs(v); {
	case a == 0:
		num = "0"
	case a >= 1e15 || a < 1e-3:
		num = fmt.Sprintf("%.2g", v)
	case a >= 100:
		num = fmt.Sprintf("%.0f", v)
	case a >= 10:
		num = trimZeros(fmt.Sprintf("%.1f", v))
	default:
		num = trimZeros(fmt.Sprintf("%.2f", v))
	}
	switch {
	case withUnits && units == "%":
		return num + prefix + "%"
	case withUnits && units != "":
		return num + " " + prefix + units
	case prefix != "":
		return num + " " + prefix
	}
	return num
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// legendLine is MRTG's footer for one series: its label, then the maximum,
// average and current value.
func legendLine(s series, units string) string {
	if len(s.points) == 0 {
		return s.label + ": no data"
	}
	peak, sum, n := math.Inf(-1), 0.0, 0.0
	for _, p := range s.points {
		peak = math.Max(peak, p.Max)
		w := float64(max(p.Count, 1))
		sum += p.Avg * w
		n += w
	}
	cur := s.points[len(s.points)-1].Avg
	return fmt.Sprintf("%s   max %s   avg %s   current %s", s.label,
		formatValue(peak, units, true), formatValue(sum/n, units, true), formatValue(cur, units, true))
}

// timeTick is one labelled time on the axis.
type timeTick struct {
	at    float64
	label string
}

// tickStep is one candidate spacing of time ticks.
type tickStep struct {
	approx float64 // seconds, to pick the step
	next   func(time.Time) time.Time
	floor  func(time.Time) time.Time
	layout string
}

// timeTicks picks the finest calendar step whose labels do not crowd
// width pixels, aligned in loc: minutes and hours ("15:04"), days
// ("Mon 2", "Jan 2"), months ("Jan 2006") or years.
func timeTicks(from, to float64, width int, loc *time.Location) []timeTick {
	span := to - from
	if !finite(span) || span <= 0 {
		return nil
	}
	day := func(t time.Time) time.Time { y, m, d := t.Date(); return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	clock := func(d time.Duration) tickStep {
		return tickStep{d.Seconds(), func(t time.Time) time.Time { return t.Add(d) }, func(t time.Time) time.Time {
			base := day(t)
			return base.Add(t.Sub(base).Truncate(d))
		}, "15:04"}
	}
	days := func(n int, layout string) tickStep {
		return tickStep{float64(n) * 86400, func(t time.Time) time.Time { return t.AddDate(0, 0, n) }, func(t time.Time) time.Time {
			d := day(t)
			if n == 7 { // weeks start on Monday
				d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
			}
			return d
		}, layout}
	}
	months := func(n int, layout string) tickStep {
		return tickStep{float64(n) * 30.44 * 86400, func(t time.Time) time.Time { return t.AddDate(0, n, 0) }, func(t time.Time) time.Time {
			y, m, _ := t.Date()
			m = time.Month((int(m)-1)/n*n + 1)
			return time.Date(y, m, 1, 0, 0, 0, 0, loc)
		}, layout}
	}
	years := func(n int) tickStep {
		return tickStep{float64(n) * 365.25 * 86400, func(t time.Time) time.Time { return t.AddDate(n, 0, 0) }, func(t time.Time) time.Time {
			return time.Date(t.Year()/n*n, 1, 1, 0, 0, 0, 0, loc)
		}, "2006"}
	}
	steps := []tickStep{
		clock(time.Minute), clock(2 * time.Minute), clock(5 * time.Minute), clock(10 * time.Minute),
		clock(15 * time.Minute), clock(30 * time.Minute), clock(time.Hour), clock(2 * time.Hour),
		clock(3 * time.Hour), clock(6 * time.Hour), clock(12 * time.Hour),
		days(1, "Mon 2"), days(2, "Jan 2"), days(7, "Jan 2"),
		months(1, "Jan"), months(3, "Jan 2006"), months(6, "Jan 2006"),
		years(1), years(2), years(5), years(10), years(25), years(50), years(100),
	}
	const labelPx = 8 * charW // "Jan 2006" and a gap
	maxTicks := max(width/labelPx, 2)
	pick := steps[len(steps)-1]
	for _, s := range steps {
		if span/s.approx <= float64(maxTicks) {
			pick = s
			break
		}
	}
	if span/pick.approx > 1000 {
		return nil // beyond any calendar: no labels rather than a crowd
	}
	start := time.Unix(int64(math.Floor(from)), 0).In(loc)
	var out []timeTick
	t := pick.floor(start)
	for i := 0; i < 1000; i++ {
		at := unix(t)
		if at > to {
			break
		}
		if at >= from {
			label := t.Format(pick.layout)
			if pick.layout == "Jan" && t.Month() == time.January {
				label = t.Format("2006")
			}
			out = append(out, timeTick{at, label})
		}
		next := pick.next(t)
		if !next.After(t) { // a DST edge cannot stall the loop
			next = t.Add(time.Duration(pick.approx * float64(time.Second)))
		}
		t = next
	}
	return out
}

// Drawing primitives. Coordinates are clamped by the callers to the
// picture, so loops stay short whatever the data.

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	fill(img, image.Rect(x0, y, x1+1, y+1), c)
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	fill(img, image.Rect(x, y0, x+1, y1+1), c)
}

// line draws a two-pixel-thick Bresenham line, as MRTG's lines are.
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	b := img.Bounds()
	for {
		for _, p := range [...]image.Point{{x0, y0}, {x0, y0 - 1}} {
			if p.In(b) {
				img.SetRGBA(p.X, p.Y, c)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func text(img *image.RGBA, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func clampInt(v float64, lo, hi int) int {
	if math.IsNaN(v) {
		return lo
	}
	return int(math.Max(float64(lo), math.Min(float64(hi), math.Round(v))))
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
