package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBrowserSettings runs tests/ui/settings.test.mjs: playwright-core
// driving Debian's chromium against this binary, through the settings page
// (a webhook notifier sent a test while still unsaved, a rule with an
// escalation step, one Save, a refused rule showing the server's reason,
// the open incidents, the flow settings) and a map-wide maintenance window
// started and ended from the map page. The webhook receiver is started here
// on loopback; the page's steps read what it got from GET
// $WEBHOOK_URL/received. The server collects NetFlow on a loopback port and
// has heard from one exporter, so the Flows section shows a database and
// its inside networks and size cap apply to a running collector; what the
// page saved must then be in config.yaml, its comments kept.
//
// The screenshots of every step stay in $SCREENSHOT_DIR/settings, by
// default $TMPDIR/vantage-settings-screenshots; with $SETTINGS_DOC_SHOT set
// (an absolute path, e.g. $PWD/docs/settings.png) the settings page is also
// saved there.
//
// It needs chromium, node and the npm packages (cd tests/ui && npm ci);
// without them it skips, unless $CI is set.
func TestBrowserSettings(t *testing.T) {
	b := needBrowser(t, "settings")

	recv := newRecordingReceiver(t)

	bin := buildBinary(t)
	// No starter map: it would ping the real gateway and DNS servers, and
	// this test talks to loopback only.
	data := t.TempDir()
	in := start(t, bin, data, "--starter-map=false", "--netflow", "127.0.0.1:0")
	conn, err := net.Dial("udp", in.listenerAddr("netflow"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	a, c := netip.MustParseAddr("10.9.0.5"), netip.MustParseAddr("192.0.2.80")
	if _, err := conn.Write(netflowV5(1, time.Now(), []v5flow{{a, c, 50000, 443, 4, 3000}})); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the exporter", func() bool {
		var ex []struct{ Records uint64 }
		in.must("GET", "/api/v1/flows/exporters", nil, 200, &ex)
		return len(ex) == 1 && ex[0].Records == 1
	})

	b.run(t, in, "settings.test.mjs", 5*time.Minute, "WEBHOOK_URL="+recv.url, "FLOW_EXPORTERS=1")
	// Whatever the page saw, the receiver itself must have had the test.
	if n := recv.count("TEST"); n == 0 {
		t.Errorf("the webhook receiver got no TEST notice: %v", recv.kinds())
	}
	t.Logf("webhook receiver got %v", recv.kinds())
	conf, err := os.ReadFile(filepath.Join(data, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Vantage server settings", "inside: [10.0.0.0/8, 192.0.2.0/24]", "max_bytes: 5000000000", "server_ports: {8500: consul}"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("config.yaml lacks %q:\n%s", want, conf)
		}
	}
}

// recordingReceiver is a webhook endpoint on loopback that keeps every JSON
// body POSTed to it and lists them on GET /received.
type recordingReceiver struct {
	url  string
	mu   sync.Mutex
	got  []map[string]any
	auth []string
}

func newRecordingReceiver(t *testing.T) *recordingReceiver {
	t.Helper()
	r := &recordingReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.Method == http.MethodGet && req.URL.Path == "/received" {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"bodies": r.got, "authorization": r.auth})
			return
		}
		var body map[string]any
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.got = append(r.got, body)
		r.auth = append(r.auth, req.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *recordingReceiver) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, b := range r.got {
		if b["kind"] == kind {
			n++
		}
	}
	return n
}

func (r *recordingReceiver) kinds() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]any, len(r.got))
	for i, b := range r.got {
		out[i] = b["kind"]
	}
	return out
}
