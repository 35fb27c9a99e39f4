package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// flowSettingsView is the part of GET /api/v1/flows/settings the test reads.
type flowSettingsView struct {
	flowSettingsValues
	Running    flowSettingsValues
	Pending    []string
	Flags      map[string]string
	Notices    []string
	Collecting bool
	Listening  []struct{ Name, Address, State string }
}

type flowSettingsValues struct {
	Inside      []string
	MaxBytes    int64             `json:"max_bytes"`
	MaxAge      string            `json:"max_age"`
	ServerPorts map[string]string `json:"server_ports"`
	Listeners   struct{ NetFlow, SFlow, JFlow string }
}

// doAs calls the API as another user; it returns the status and body.
func (in *instance) doAs(user, password, method, path string, body any) (int, string) {
	in.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, in.url+path, bytes.NewReader(b))
	req.SetBasicAuth(user, password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s as %s: %v", method, path, user, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// topHosts lists the hosts of the last hour, inside ones only when asked.
func (in *instance) topHosts(inside bool) []string {
	in.t.Helper()
	q := "/api/v1/flows/top?by=host&from=1h&limit=20"
	if inside {
		q += "&inside=true"
	}
	var rows []struct{ Host string }
	in.must("GET", q, nil, 200, &rows)
	hosts := make([]string, len(rows))
	for i, r := range rows {
		hosts[i] = r.Host
	}
	slices.Sort(hosts)
	return hosts
}

// TestFlowsSettings: an administrator changes the flow settings through
// the API. They are written into config.yaml (its comments kept), inside
// networks and the size cap apply at once to a collector receiving NetFlow
// on loopback, server ports and listeners wait for a restart (and say so),
// a listener flag wins over config.yaml, readers may look but not change,
// and bad input is refused naming the bad entry. After a restart every
// saved value is in effect.
func TestFlowsSettings(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	conf := filepath.Join(data, "config.yaml")
	const comment = "# lab collector: keep this comment"
	os.WriteFile(conf, []byte(comment+"\nflows:\n  sessions: {inactive: 1s, active: 2s} # short, for the test\n  max_bytes: 3000000000\n"), 0o644)
	in := start(t, bin, data, "--netflow", "127.0.0.1:0")

	var v flowSettingsView
	in.must("GET", "/api/v1/flows/settings", nil, 200, &v)
	if v.MaxBytes != 3_000_000_000 || !v.Collecting || v.Flags["netflow"] != "127.0.0.1:0" || len(v.Pending) != 0 || len(v.Inside) != 0 ||
		v.Listeners.NetFlow != ":2055" || v.Running.Listeners.NetFlow != "127.0.0.1:0" {
		t.Fatalf("settings at start: %+v", v)
	}

	// Traffic between two inside hosts (10.1.0.5, 10.1.0.6) and two
	// outside ones.
	conn, err := net.Dial("udp", in.listenerAddr("netflow"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ip := netip.MustParseAddr
	flows := []v5flow{
		{ip("10.1.0.5"), ip("198.51.100.7"), 51000, 443, 10, 9000},
		{ip("198.51.100.7"), ip("10.1.0.5"), 443, 51000, 12, 60000},
		{ip("10.1.0.6"), ip("203.0.113.9"), 52000, 22, 5, 1000},
	}
	if _, err := conn.Write(netflowV5(1, time.Now(), flows)); err != nil {
		t.Fatal(err)
	}
	all := []string{"10.1.0.5", "10.1.0.6", "198.51.100.7", "203.0.113.9"}
	waitUntil(t, "the sessions in the store", func() bool { return slices.Equal(in.topHosts(false), all) })
	if got := in.topHosts(true); !slices.Equal(got, all) {
		t.Fatalf("with no inside networks every host is inside: %v", got)
	}

	// A reader may look, not change.
	in.must("POST", "/api/v1/users", map[string]any{"name": "viewer", "password": "viewer-pass-1"}, 201, nil)
	if code, body := in.doAs("viewer", "viewer-pass-1", "GET", "/api/v1/flows/settings", nil); code != 200 || json.Unmarshal([]byte(body), &v) != nil || v.MaxBytes != 3_000_000_000 {
		t.Fatalf("reader's GET: %d %s", code, body)
	}
	before, _ := os.ReadFile(conf)
	if code, body := in.doAs("viewer", "viewer-pass-1", "PUT", "/api/v1/flows/settings", map[string]any{"inside": []string{"10.0.0.0/8"}}); code != 403 {
		t.Fatalf("reader's PUT: %d %s, want 403", code, body)
	}

	// Bad input: 400 naming what is wrong, nothing written.
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"bad range", map[string]any{"inside": []string{"10.1.0.0/16", "10.0.0.300/8"}}, []string{"flows.inside[1]", `\"10.0.0.300/8\"`, "not an address or CIDR range"}},
		{"tiny cap", map[string]any{"max_bytes": 10}, []string{"flows.max_bytes", "1 MB minimum"}},
		{"age", map[string]any{"max_age": "soon"}, []string{"max_age", `\"soon\"`}},
		{"two listeners, one port", map[string]any{"listeners": map[string]string{"jflow": ":2055"}}, []string{"listeners.jflow", "listeners.netflow's port"}},
		{"listener", map[string]any{"listeners": map[string]string{"sflow": "127.0.0.1"}}, []string{"listeners.sflow", `\"127.0.0.1\"`}},
		{"unnamed port", map[string]any{"server_ports": map[string]string{"12345": ""}}, []string{"flows.server_ports[12345]", "not on the built-in list"}},
		{"unknown field", map[string]any{"retention": "1d"}, []string{`unknown field \"retention\"`}},
	} {
		var raw json.RawMessage
		if code := in.do("PUT", "/api/v1/flows/settings", tc.body, &raw); code != 400 {
			t.Errorf("%s: %d %s, want 400", tc.name, code, raw)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(string(raw), w) {
				t.Errorf("%s: %s lacks %s", tc.name, raw, w)
			}
		}
	}
	if after, _ := os.ReadFile(conf); !bytes.Equal(before, after) {
		t.Fatalf("config.yaml changed by refused requests:\n%s", after)
	}

	// The administrator's change.
	in.must("PUT", "/api/v1/flows/settings", map[string]any{
		"inside": []string{"10.1.0.0/16"}, "max_bytes": 2_000_000_000, "max_age": "30d",
		"server_ports": map[string]string{"8500": "consul", "8080": ""},
		"listeners":    map[string]string{"netflow": "127.0.0.1:12055"},
	}, 200, &v)
	if !slices.Equal(v.Inside, []string{"10.1.0.0/16"}) || !slices.Equal(v.Running.Inside, v.Inside) || v.Running.MaxBytes != 2_000_000_000 || v.Running.MaxAge != "30d" {
		t.Errorf("inside networks and limits not in effect at once: %+v", v)
	}
	if v.ServerPorts["8500"] != "consul" || len(v.Running.ServerPorts) != 0 || !slices.Contains(v.Pending, "flows.server_ports") {
		t.Errorf("server ports: saved %v, running %v, pending %v", v.ServerPorts, v.Running.ServerPorts, v.Pending)
	}
	notices := strings.Join(v.Notices, "\n")
	for _, w := range []string{"flows.server_ports takes effect when the server restarts", "--netflow 127.0.0.1:0 on the command line wins over listeners.netflow (127.0.0.1:12055)"} {
		if !strings.Contains(notices, w) {
			t.Errorf("notices lack %q:\n%s", w, notices)
		}
	}
	if v.Listeners.NetFlow != "127.0.0.1:12055" || v.Running.Listeners.NetFlow != "127.0.0.1:0" || v.Listeners.SFlow != ":6343" {
		t.Errorf("listeners: saved %+v, running %+v", v.Listeners, v.Running.Listeners)
	}
	written, _ := os.ReadFile(conf)
	for _, w := range []string{comment, "# short, for the test", "inside: [10.1.0.0/16]", "max_bytes: 2000000000", "max_age: 30d", "8500: consul", "netflow: 127.0.0.1:12055"} {
		if !strings.Contains(string(written), w) {
			t.Errorf("config.yaml lacks %q:\n%s", w, written)
		}
	}

	// Inside networks apply at once: the inside view keeps only 10.1/16.
	if got := in.topHosts(true); !slices.Equal(got, []string{"10.1.0.5", "10.1.0.6"}) {
		t.Errorf("inside hosts after the change: %v", got)
	}
	if got := in.topHosts(false); !slices.Equal(got, all) {
		t.Errorf("all hosts after the change: %v", got)
	}
	var about struct {
		MaxBytes int64 `json:"max_bytes"`
	}
	in.must("GET", "/api/v1/flows/about", nil, 200, &about)
	if about.MaxBytes != 2_000_000_000 {
		t.Errorf("about: max_bytes %d, want the new cap", about.MaxBytes)
	}
	// A PUT naming one field leaves the others alone.
	in.must("PUT", "/api/v1/flows/settings", map[string]any{"inside": []string{"198.51.100.0/24", "203.0.113.9"}}, 200, &v)
	if v.MaxBytes != 2_000_000_000 || v.ServerPorts["8500"] != "consul" || v.Listeners.NetFlow != "127.0.0.1:12055" {
		t.Errorf("a partial PUT changed other settings: %+v", v)
	}
	if got := in.topHosts(true); !slices.Equal(got, []string{"198.51.100.7", "203.0.113.9"}) {
		t.Errorf("inside hosts after the second change: %v", got)
	}
	in.waitEvent("kind=CONFIG", func(e event) bool {
		return strings.Contains(e.Message, "flow settings changed by admin") && strings.Contains(e.Message, "198.51.100.0/24")
	})

	// After a restart the saved values are the running ones; the flag
	// still wins over the saved listener.
	in.stop()
	in = start(t, bin, data, "--netflow", "127.0.0.1:0")
	in.must("GET", "/api/v1/flows/settings", nil, 200, &v)
	if !slices.Equal(v.Running.Inside, []string{"198.51.100.0/24", "203.0.113.9"}) || v.Running.MaxBytes != 2_000_000_000 || v.Running.MaxAge != "30d" ||
		v.Running.ServerPorts["8500"] != "consul" || v.Running.ServerPorts["8080"] != "" || len(v.Running.ServerPorts) != 2 || len(v.Pending) != 0 {
		t.Errorf("after a restart: running %+v, pending %v", v.Running, v.Pending)
	}
	if v.Listeners.NetFlow != "127.0.0.1:12055" || v.Flags["netflow"] != "127.0.0.1:0" {
		t.Errorf("after a restart: listeners %+v, flags %v", v.Listeners, v.Flags)
	}
	waitUntil(t, "the stored sessions after the restart", func() bool {
		return slices.Equal(in.topHosts(true), []string{"198.51.100.7", "203.0.113.9"})
	})
	in.stop()
}

// TestFlowsSettingsWithoutCollector: on a server whose flow listeners are
// all off nothing runs to apply the settings to, so every change waits for
// a start with a listener on, and the answer says so.
func TestFlowsSettingsWithoutCollector(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	in := start(t, bin, data)
	var v flowSettingsView
	in.must("PUT", "/api/v1/flows/settings", map[string]any{"inside": []string{"192.0.2.0/24"}, "max_age": "90d"}, 200, &v)
	notices := strings.Join(v.Notices, "\n")
	if v.Collecting || !slices.Equal(v.Pending, []string{"flows.inside", "flows.max_age"}) || len(v.Running.Inside) != 0 || v.Running.MaxAge != "0" ||
		!strings.Contains(notices, "flows.inside and flows.max_age take effect when the server restarts") || !strings.Contains(notices, "does not collect flows") {
		t.Fatalf("without a collector: %+v", v)
	}
	in.stop()
	in = start(t, bin, data, "--netflow", "127.0.0.1:0")
	in.must("GET", "/api/v1/flows/settings", nil, 200, &v)
	if !v.Collecting || len(v.Pending) != 0 || !slices.Equal(v.Running.Inside, []string{"192.0.2.0/24"}) || v.Running.MaxAge != "90d" {
		t.Fatalf("with a collector: %+v", v)
	}
	in.stop()
}
