package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportsAndPictures: after a service goes down and comes back, the
// map's report shows the outage and an availability below 100 % (JSON,
// HTML, CSV, and through `vantage report`), and the response-time chart
// renders as a PNG.
func TestReportsAndPictures(t *testing.T) {
	svc := newAcceptor(t)
	bin := buildBinary(t)
	data := t.TempDir()
	in := start(t, bin, data)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "R", "devices": []map[string]any{
		{"name": "web", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1, "params": map[string]string{"port": svc.port(), "timeout": "1s"}},
	}}, 201, nil)
	in.waitStatus("R", "web", "ok", 20*time.Second)
	time.Sleep(2 * time.Second)
	svc.stop()
	in.waitStatus("R", "web", "down", 20*time.Second)
	time.Sleep(2 * time.Second)
	svc.restart(t)
	in.waitStatus("R", "web", "ok", 20*time.Second)

	var rep struct {
		Devices []struct {
			Device       string
			Availability struct {
				UpPct float64 `json:"pct"`
			}
			Outages []map[string]any
		}
	}
	code, body := in.text("/api/v1/reports?map=R&from=10m&format=json")
	if code != 200 {
		t.Fatalf("report: %d %s\n%s", code, body, in.out)
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Devices) != 1 || len(rep.Devices[0].Outages) != 1 || rep.Devices[0].Availability.UpPct >= 100 || rep.Devices[0].Availability.UpPct <= 0 {
		t.Fatalf("report %s", body)
	}
	if code, html := in.text("/api/v1/reports?map=R&from=10m&format=html"); code != 200 || !strings.Contains(html, "web") || !strings.Contains(html, "<table") {
		t.Fatalf("HTML report %d", code)
	}
	code, body = in.text("/api/v1/reports?map=R&from=10m&format=csv")
	cr := csv.NewReader(strings.NewReader(body))
	cr.FieldsPerRecord = -1 // one table after another, each with its own columns
	if rows, err := cr.ReadAll(); code != 200 || err != nil || len(rows) < 4 {
		t.Fatalf("CSV report %d %v:\n%s", code, err, body)
	}
	code, png := in.text("/api/v1/charts/R~web/rtt/png?from=10m&width=400&height=200")
	if code != 200 || !strings.HasPrefix(png, "\x89PNG\r\n\x1a\n") {
		t.Fatalf("PNG %d, %d bytes", code, len(png))
	}

	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(adminPassword), 0o600)
	out := filepath.Join(t.TempDir(), "r.csv")
	cmd := exec.Command(bin, "report", "--url", in.url, "--password-file", pw, "--map", "R", "--from", "10m", "--format", "csv", "-o", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vantage report: %v\n%s", err, stderr.String())
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "web") {
		t.Fatalf("vantage report wrote:\n%s", b)
	}
	in.stop()
}
