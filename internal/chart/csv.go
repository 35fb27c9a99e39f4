package chart

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// WriteCSV exports charts side by side for spreadsheets: one row per
// point time (RFC 3339, UTC), and for each chart its avg, min and max
// columns, empty where that chart has no point at that time.
func WriteCSV(w io.Writer, charts []Chart) error {
	cw := csv.NewWriter(w)
	head := []string{"time"}
	for _, c := range charts {
		name := seriesName(c.Series)
		head = append(head, name+" avg", name+" min", name+" max")
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	type key = int64
	rows := map[key][]string{}
	var times []key
	for i, c := range charts {
		for _, p := range c.Points {
			k := p.Time.UnixNano()
			row, ok := rows[k]
			if !ok {
				row = make([]string, 1+3*len(charts))
				row[0] = p.Time.UTC().Format(time.RFC3339)
				rows[k] = row
				times = append(times, k)
			}
			row[1+3*i] = formatFloat(p.Avg)
			row[2+3*i] = formatFloat(p.Min)
			row[3+3*i] = formatFloat(p.Max)
		}
	}
	slices.Sort(times)
	for _, k := range times {
		if err := cw.Write(rows[k]); err != nil {
			return fmt.Errorf("csv row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// seriesName names a series in a column heading: "map/device dataset",
// with the server in front when there is one.
func seriesName(s Series) string {
	n := s.Device + " " + s.Dataset
	if s.Map != "" {
		n = s.Map + "/" + n
	}
	if s.Server != "" {
		n = s.Server + ":" + n
	}
	return n
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
