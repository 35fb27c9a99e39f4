package report

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Title names a report: "Campus" or "Campus / gw", with its period.
func Title(r Report) string {
	what := r.Map
	if r.Device != "" {
		what += " / " + r.Device
	}
	return fmt.Sprintf("Vantage report: %s, %s", what, period(r))
}

func period(r Report) string {
	return r.From.Format("2006-01-02 15:04") + " to " + r.To.In(r.From.Location()).Format("2006-01-02 15:04 MST")
}

// Text is the report's plain-text summary, for a notification's body: the
// totals and one line per device.
func Text(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", Title(r))
	fmt.Fprintf(&b, "%d devices, availability %s, %d outages, %s down in total\n\n",
		r.Summary.Devices, pct(r.Summary.Availability), r.Summary.Outages, duration(r.Summary.Downtime))
	for _, d := range r.Devices {
		fmt.Fprintf(&b, "%-24s %8s  %d outages", d.Device, pct(d.Availability.Percent), len(d.Outages))
		if d.ResponseTime != nil {
			fmt.Fprintf(&b, "  rtt avg %s ms, p95 %s ms", num(d.ResponseTime.Avg), num(d.ResponseTime.P95))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func pct(p *float64) string {
	if p == nil {
		return "unknown"
	}
	// Three decimals would round 99.9996 up to "100.000%", which hides an
	// outage; floor at the shown precision instead.
	return strconv.FormatFloat(math.Floor(*p*1000)/1000, 'f', 3, 64) + "%"
}

func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return ""
	case a >= 100 || a == 0:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// bps renders a bit rate with an SI prefix.
func bps(v float64) string {
	for _, p := range []struct {
		s string
		f float64
	}{{"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if math.Abs(v) >= p.f {
			return num(v/p.f) + " " + p.s + "bit/s"
		}
	}
	return num(v) + " bit/s"
}

// duration renders "3d 4h", "2h 5m", "4m 10s", "12s".
func duration(s Seconds) string {
	d := s.D().Round(time.Second)
	days, h, m, sec := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}

// bar is an availability bar's segments, widths in percent of the period.
type bar struct {
	Colour string
	Width  float64
	Title  string
}

func bars(a Availability) []bar {
	total := float64(a.Up + a.Down + a.Unreachable + a.Unknown)
	if total <= 0 {
		return nil
	}
	var out []bar
	for _, s := range []struct {
		c, t string
		v    Seconds
	}{{"#2ca02c", "up", a.Up}, {"#d62728", "down", a.Down}, {"#ff7f0e", "unreachable", a.Unreachable}, {"#bbbbbb", "unknown", a.Unknown}} {
		if s.v > 0 {
			w := math.Round(1000*float64(s.v)/total) / 10
			out = append(out, bar{s.c, max(w, 0.5), s.t + " " + duration(s.v)})
		}
	}
	return out
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"interfaces": func(r Report) bool {
		for _, d := range r.Devices {
			if len(d.Interfaces) > 0 {
				return true
			}
		}
		return false
	},
	"title": Title, "pct": pct, "num": num, "bps": bps, "dur": duration, "bars": bars,
	"when": func(r Report, t time.Time) string { return t.In(r.From.Location()).Format("2006-01-02 15:04:05") },
	"endTime": func(r Report, t *time.Time) string {
		if t == nil {
			return "still out"
		}
		return t.In(r.From.Location()).Format("2006-01-02 15:04:05")
	},
	"stepNote": func(r Report) string {
		for _, d := range r.Devices {
			for _, s := range append([]*Stats{d.ResponseTime}, ifaceStats(d)...) {
				if s != nil && s.Step > 0 {
					return "95th percentiles are over " + duration(s.Step) + " averages."
				}
			}
		}
		return "95th percentiles are over the readings as polled."
	},
}).Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{title .}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;margin:16px">
<h1 style="font-size:20px;margin:0 0 4px 0">{{title .}}</h1>
<p style="margin:0 0 16px 0;color:#555">Generated {{when . .Generated}}.
{{.Summary.Devices}} devices, availability <b>{{pct .Summary.Availability}}</b>, {{.Summary.Outages}} outages, {{dur .Summary.Downtime}} down in total.</p>
{{- $r := .}}
<h2 style="font-size:16px">Availability and response time</h2>
<table style="border-collapse:collapse" cellpadding="4">
<tr style="background:#eee;text-align:left"><th>Device</th><th>Availability</th><th></th><th>Down</th><th>Unreachable</th><th>Unknown</th><th>Outages</th><th>RTT avg</th><th>RTT p95</th><th>RTT max</th><th>Loss avg</th></tr>
{{- range .Devices}}
<tr style="border-top:1px solid #ddd"><td>{{.Device}}</td><td style="text-align:right"><b>{{pct .Availability.Percent}}</b></td>
<td><table cellpadding="0" cellspacing="0" style="width:200px;height:12px;border-collapse:collapse"><tr>{{range bars .Availability}}<td title="{{.Title}}" style="background:{{.Colour}};width:{{.Width}}%;height:12px"></td>{{end}}</tr></table></td>
<td>{{dur .Availability.Down}}</td><td>{{dur .Availability.Unreachable}}</td><td>{{dur .Availability.Unknown}}</td><td style="text-align:right">{{len .Outages}}</td>
{{- with .ResponseTime}}<td>{{num .Avg}} ms</td><td>{{num .P95}} ms</td><td>{{num .Max}} ms</td>{{else}}<td></td><td></td><td></td>{{end}}
{{- with .Loss}}<td>{{num .Avg}}%</td>{{else}}<td></td>{{end}}</tr>
{{- end}}
</table>
{{- if .Summary.Outages}}
<h2 style="font-size:16px">Outages</h2>
<table style="border-collapse:collapse" cellpadding="4">
<tr style="background:#eee;text-align:left"><th>Device</th><th>Kind</th><th>Start</th><th>End</th><th>Duration</th><th>In period</th><th>Reason</th></tr>
{{- range .Devices}}{{$d := .}}{{range .Outages}}
<tr style="border-top:1px solid #ddd"><td>{{$d.Device}}</td><td style="color:{{if eq .Kind "DOWN"}}#d62728{{else}}#ff7f0e{{end}}">{{.Kind}}</td><td>{{when $r .Start}}</td><td>{{endTime $r .End}}{{if .Cut}} (server stopped){{end}}</td><td>{{dur .Duration}}</td><td>{{dur .InPeriod}}</td><td>{{.Reason}}</td></tr>
{{- end}}{{end}}
</table>
{{- end}}
{{- if interfaces .}}
<h2 style="font-size:16px">Interfaces</h2>
<table style="border-collapse:collapse" cellpadding="4">
<tr style="background:#eee;text-align:left"><th>Device</th><th>Interface</th><th>In avg</th><th>In p95</th><th>In max</th><th>Out avg</th><th>Out p95</th><th>Out max</th><th>In util avg / p95</th><th>Out util avg / p95</th></tr>
{{- range .Devices}}{{$d := .}}{{range .Interfaces}}
<tr style="border-top:1px solid #ddd"><td>{{$d.Device}}</td><td>{{.Name}}</td>
{{- with .InBps}}<td>{{bps .Avg}}</td><td>{{bps .P95}}</td><td>{{bps .Max}}</td>{{else}}<td></td><td></td><td></td>{{end}}
{{- with .OutBps}}<td>{{bps .Avg}}</td><td>{{bps .P95}}</td><td>{{bps .Max}}</td>{{else}}<td></td><td></td><td></td>{{end}}
{{- with .InUtil}}<td>{{num .Avg}}% / {{num .P95}}%</td>{{else}}<td></td>{{end}}
{{- with .OutUtil}}<td>{{num .Avg}}% / {{num .P95}}%</td>{{else}}<td></td>{{end}}</tr>
{{- end}}{{end}}
</table>
{{- end}}
<p style="color:#777;font-size:12px;margin-top:16px">Availability is up time over the time the device's state was known; unknown time (server not running, device not yet polled) is shown apart. {{stepNote .}}</p>
</body></html>
`))

func ifaceStats(d DeviceReport) []*Stats {
	var out []*Stats
	for _, it := range d.Interfaces {
		out = append(out, it.InBps, it.OutBps, it.InUtil, it.OutUtil)
	}
	return out
}

// WriteHTML writes r as one self-contained HTML page: inline styles and
// plain tables, so it reads the same in a browser and in an e-mail client.
func WriteHTML(w io.Writer, r Report) error {
	if err := htmlPage.Execute(w, r); err != nil {
		return fmt.Errorf("report HTML: %w", err)
	}
	return nil
}

// WriteCSV writes r for spreadsheets as three tables one after the other —
// devices, outages, interfaces — separated by a blank line. Each table
// starts with a header row, and every row's first cell names its table
// ("device", "outage", "interface"), so a spreadsheet's filter on column A
// shows one table, and a program can read the file row by row. Times are
// RFC 3339 in UTC, durations in seconds, rates in bit/s, utilisation and
// availability in percent; a cell is empty when there is no figure.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	secs := func(s Seconds) string { return f(s.D().Seconds()) }
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	stats := func(s *Stats, fields ...string) []string {
		out := make([]string, len(fields))
		if s == nil {
			return out
		}
		for i, k := range fields {
			out[i] = f(map[string]float64{"avg": s.Avg, "min": s.Min, "max": s.Max, "p95": s.P95}[k])
		}
		return out
	}
	var rows [][]string
	rows = append(rows, []string{"device", "map", "device", "from", "to", "availability_pct", "up_s", "down_s", "unreachable_s", "unknown_s",
		"outages", "rtt_avg_ms", "rtt_min_ms", "rtt_max_ms", "rtt_p95_ms", "loss_avg_pct", "loss_max_pct"})
	for _, d := range r.Devices {
		a := d.Availability
		p := ""
		if a.Percent != nil {
			p = f(*a.Percent)
		}
		row := []string{"device", d.Map, d.Device, ts(r.From), ts(r.To), p, secs(a.Up), secs(a.Down), secs(a.Unreachable), secs(a.Unknown), strconv.Itoa(len(d.Outages))}
		row = append(row, stats(d.ResponseTime, "avg", "min", "max", "p95")...)
		row = append(row, stats(d.Loss, "avg", "max")...)
		rows = append(rows, row)
	}
	rows = append(rows, nil, []string{"outage", "map", "device", "kind", "start", "end", "duration_s", "in_period_s", "cut", "reason"})
	for _, d := range r.Devices {
		for _, o := range d.Outages {
			end := ""
			if o.End != nil {
				end = ts(*o.End)
			}
			rows = append(rows, []string{"outage", d.Map, d.Device, o.Kind, ts(o.Start), end, secs(o.Duration), secs(o.InPeriod), strconv.FormatBool(o.Cut), o.Reason})
		}
	}
	rows = append(rows, nil, []string{"interface", "map", "device", "index", "interface",
		"in_bps_avg", "in_bps_p95", "in_bps_max", "out_bps_avg", "out_bps_p95", "out_bps_max",
		"in_util_avg_pct", "in_util_p95_pct", "in_util_max_pct", "out_util_avg_pct", "out_util_p95_pct", "out_util_max_pct"})
	for _, d := range r.Devices {
		for _, it := range d.Interfaces {
			row := []string{"interface", d.Map, d.Device, it.Index, it.Name}
			for _, s := range []*Stats{it.InBps, it.OutBps, it.InUtil, it.OutUtil} {
				row = append(row, stats(s, "avg", "p95", "max")...)
			}
			rows = append(rows, row)
		}
	}
	for _, row := range rows {
		if row == nil {
			cw.Flush()
			if _, err := io.WriteString(w, "\n"); err != nil {
				return fmt.Errorf("report CSV: %w", err)
			}
			continue
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("report CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report CSV: %w", err)
	}
	return nil
}
