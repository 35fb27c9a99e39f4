package main

import (
	"testing"
	"time"
)

// TestBrowserCharts runs tests/ui/charts.test.mjs: playwright-core driving
// Debian's chromium against this binary, through strip charts (a map of
// two TCP services on loopback polled every second, whose status window
// lists the "rtt" dataset with a sparkline; the chart page with a second
// device's dataset added from the picker, a drag across the plot zooming
// in with a new query, Back, the CSV link) and the retention settings (a
// refused value showing the server's reason, a good one kept over a
// reload). The page's steps start the TCP services themselves.
//
// The screenshots of every step stay in $SCREENSHOT_DIR/charts, by default
// $TMPDIR/vantage-charts-screenshots; with $CHARTS_DOC_SHOT set (an
// absolute path, e.g. $PWD/docs/charts.png) the zoomed chart page is also
// saved there.
//
// It needs chromium, node and the npm packages (cd tests/ui && npm ci);
// without them it skips, unless $CI is set.
func TestBrowserCharts(t *testing.T) {
	b := needBrowser(t, "charts")

	bin := buildBinary(t)
	// No starter map: it would ping the real gateway and DNS servers, and
	// this test talks to loopback only.
	in := start(t, bin, t.TempDir(), "--starter-map=false")

	b.run(t, in, "charts.test.mjs", 5*time.Minute)
}
