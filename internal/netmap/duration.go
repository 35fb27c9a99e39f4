package netmap

import "github.com/vantage-monitor/vantage/internal/dur"

// Duration is an interval or timeout in a map file: Go duration text
// ("30s", "5m"), days ("1d"), or a bare number of seconds, InterMapper's
// unit; it is written back as text.
type Duration = dur.Duration
