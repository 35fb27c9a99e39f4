package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// text GETs path and returns the status and body as text.
func (in *instance) text(path string) (int, string) {
	in.t.Helper()
	req, _ := http.NewRequest("GET", in.url+path, nil)
	req.SetBasicAuth("admin", adminPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type chartAnswer struct {
	Map, Device, Dataset string
	Resolution           string
	Points               []struct {
		T             time.Time
		Min, Avg, Max float64
		Count         int64
	}
}

// TestStripCharts: every poll's response time is recorded as a dataset of
// its device, listed, charted (JSON and CSV, one or several series), shown
// on /metrics, kept over a restart; retention settings are read, refused
// when inconsistent and saved.
func TestStripCharts(t *testing.T) {
	svc, svc2 := newAcceptor(t), newAcceptor(t)
	data := t.TempDir()
	bin := buildBinary(t)
	in := start(t, bin, data)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "C", "devices": []map[string]any{
		{"name": "web", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "params": map[string]string{"port": svc.port()}},
		{"name": "db", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "params": map[string]string{"port": svc2.port()}},
		{"name": "quiet", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "params": map[string]string{"port": svc2.port()}, "datasets": []string{"none"}},
	}}, 201, nil)

	var sets []map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for {
		in.must("GET", "/api/v1/devices/C~web/datasets", nil, 200, &sets)
		if len(sets) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if len(sets) != 1 || sets[0]["dataset"] != "rtt" || sets[0]["units"] != "ms" {
		t.Fatalf("datasets %+v", sets)
	}
	var c chartAnswer
	deadline = time.Now().Add(20 * time.Second)
	for len(c.Points) < 3 && time.Now().Before(deadline) {
		in.must("GET", "/api/v1/charts/C~web/rtt?from=10m", nil, 200, &c)
		time.Sleep(500 * time.Millisecond)
	}
	if len(c.Points) < 3 || c.Resolution != "raw" || c.Points[0].Count != 1 || c.Points[0].Avg <= 0 {
		t.Fatalf("chart %+v", c)
	}
	// A day at 24 points: 5-minute roll-ups merged into hourly buckets.
	in.must("GET", "/api/v1/charts/C~web/rtt?from=24h&points=24", nil, 200, &c)
	if len(c.Points) == 0 || c.Points[len(c.Points)-1].Count < 2 {
		t.Fatalf("day chart %+v", c)
	}

	// A device whose map entry limits its datasets records only those.
	in.must("GET", "/api/v1/devices/C~quiet/datasets", nil, 200, &sets)
	if len(sets) != 0 {
		t.Fatalf("datasets recorded for a device with datasets: [none]: %+v", sets)
	}

	var many []chartAnswer
	in.must("GET", "/api/v1/charts?from=10m&series="+url.QueryEscape("C~web/rtt")+"&series="+url.QueryEscape("C~db/rtt"), nil, 200, &many)
	if len(many) != 2 || many[1].Device != "db" || len(many[1].Points) == 0 {
		t.Fatalf("two series %+v", many)
	}
	code, body := in.text("/api/v1/charts?format=csv&from=10m&series=" + url.QueryEscape("C~web/rtt") + "&series=" + url.QueryEscape("C~db/rtt"))
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(rows) < 3 || len(rows[0]) < 3 {
		t.Fatalf("CSV %d %v:\n%s", code, err, body)
	}
	for _, bad := range []string{"/api/v1/charts/C~nope/rtt", "/api/v1/charts/C~web/rtt?from=soon", "/api/v1/charts?series=nonsense"} {
		if code, _ := in.text(bad); code < 400 {
			t.Errorf("%s answered %d", bad, code)
		}
	}

	_, metrics := in.text("/metrics")
	if !strings.Contains(metrics, `vantage_device_rtt_milliseconds{device="web",map="C"}`) {
		t.Errorf("/metrics lacks the RTT gauge")
	}
	var info struct {
		Charts struct{ Written, Dropped int64 }
	}
	in.must("GET", "/api/v1/server", nil, 200, &info)
	if info.Charts.Written == 0 || info.Charts.Dropped != 0 {
		t.Errorf("recorder stats %+v", info.Charts)
	}

	var ret map[string]any
	in.must("GET", "/api/v1/retention", nil, 200, &ret)
	if ret["raw"] != "2d" || ret["five_minutes"] != "90d" {
		t.Fatalf("retention %+v", ret)
	}
	var apiErr struct{ Error string }
	if code := in.do("PUT", "/api/v1/retention", map[string]any{"raw": "30d", "five_minutes": "7d", "hour": "1y", "day": "0"}, &apiErr); code != 400 {
		t.Fatalf("inconsistent retention accepted: %d", code)
	}
	in.must("PUT", "/api/v1/retention", map[string]any{"raw": "7d", "five_minutes": "90d", "hour": "1y", "day": "0",
		"rules": []map[string]any{{"map": "C", "dataset": "rtt", "raw": "14d"}}}, 200, nil)
	in.stop()

	// Data and settings survive a restart.
	in = start(t, bin, data)
	in.must("GET", "/api/v1/retention", nil, 200, &ret)
	if ret["raw"] != "7d" {
		t.Fatalf("retention after restart %+v", ret)
	}
	in.must("GET", "/api/v1/charts/C~web/rtt?from=1h", nil, 200, &c)
	if len(c.Points) < 3 {
		t.Fatalf("chart after restart %+v", c)
	}
	in.stop()
}
