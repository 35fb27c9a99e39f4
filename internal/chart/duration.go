package chart

import (
	"github.com/vantage-monitor/vantage/internal/dur"
)

// Day and year lengths for retention periods.
const (
	day  = dur.Day
	week = dur.Week
	year = dur.Year
)

// Duration is a retention period as written in config.yaml ("48h", "90d",
// "1y"); zero ("0" or "forever") keeps data forever.
type Duration = dur.Duration
