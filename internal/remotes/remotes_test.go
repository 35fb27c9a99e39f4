package remotes

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
)

func TestPinning(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid token"}`))
			return
		}
		json.NewEncoder(w).Encode(Summary{Map: "Campus", Status: "down", Counts: map[string]int{"down": 1, "ok": 2}, Devices: 3})
	}))
	defer srv.Close()
	right := Fingerprint(srv.Certificate().Raw)
	wrong := "SHA256:" + strings.Repeat("00:", 31) + "00"
	for _, tc := range []struct {
		name        string
		fingerprint string
		insecure    bool
		token       string
		want        string // error text; "" for success
	}{
		{name: "pinned", fingerprint: right, token: "tok"},
		{name: "pinned lower-case hex", fingerprint: strings.ToLower(strings.NewReplacer("SHA256:", "", ":", "").Replace(right)), token: "tok"},
		{name: "wrong pin", fingerprint: wrong, token: "tok", want: "does not match"},
		{name: "unknown authority", token: "tok", want: "certificate"},
		{name: "insecure", insecure: true, token: "tok"},
		{name: "bad token", fingerprint: right, token: "nope", want: "401"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientOptions{URL: srv.URL, Token: tc.token, Fingerprint: tc.fingerprint, Insecure: tc.insecure})
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.Summary(context.Background(), "Campus")
			if tc.want == "" {
				if err != nil || s.Status != "down" || s.Devices != 3 {
					t.Fatalf("%+v %v", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseFingerprint(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	for _, in := range []string{hex, "SHA256:" + hex, "sha256 Fingerprint=" + strings.ToUpper(hex), "SHA256:AB" + strings.Repeat(":AB", 31)} {
		if _, err := ParseFingerprint(in); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	for _, in := range []string{"", "zz", "SHA256:" + hex[:62], hex + "ab"} {
		if _, err := ParseFingerprint(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// TestSummarizeLoops: Map Status devices that lead back to the map are
// left out, so a map never latches in its own worst status.
func TestSummarizeLoops(t *testing.T) {
	ms := func(name, target string) netmap.Device {
		return netmap.Device{Name: name, Address: "127.0.0.1", Probe: "map.status", Params: map[string]string{"Map Name": target}}
	}
	dev := func(name string) netmap.Device { return netmap.Device{Name: name, Address: "192.0.2.1"} }
	all := []*netmap.Map{
		{Name: "Top", Devices: []netmap.Device{ms("campus", "Campus"), ms("self", "Top"), dev("gw")}},
		{Name: "Campus", Devices: []netmap.Device{ms("up", "Top"), dev("a"), dev("b")}},
		{Name: "Leaf", Devices: []netmap.Device{dev("c"), {Name: "remote", Probe: "map.status", Params: map[string]string{"map": "Top", "server": "https://other"}}}},
	}
	levels := map[string]status.Level{"Top/campus": status.Down, "Top/self": status.Down, "Top/gw": status.OK, "Campus/up": status.Down,
		"Campus/a": status.OK, "Campus/b": status.Warning, "Leaf/c": status.OK, "Leaf/remote": status.Alarm}
	st := func(m, d string) DeviceState { return DeviceState{Level: levels[m+"/"+d], Acked: d == "b"} }
	isMS := func(p string) bool { return p == "map.status" }
	for _, tc := range []struct {
		name    string
		status  string
		devices int
		loops   []string
	}{
		{"Top", "ok", 1, []string{"Top/campus → Campus → Top", "Top/self → Top"}},
		{"Campus", "warning", 2, []string{"Campus/up → Top → Campus"}},
		// A device watching another server's map is never a local loop.
		{"Leaf", "alarm", 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := Summarize(all, tc.name, st, isMS)
			if !ok || s.Status != tc.status || s.Devices != tc.devices || !slices.Equal(s.Loops, tc.loops) {
				t.Fatalf("%+v", s)
			}
		})
	}
	if _, ok := Summarize(all, "Nope", st, isMS); ok {
		t.Fatal("a missing map was summarized")
	}
}

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		s    Summary
		want string
	}{
		{Summary{Map: "Campus", Devices: 40, Counts: map[string]int{"down": 2, "warning": 1, "ok": 37}}, "map Campus on vantage2: 2 down, 1 warning of 40 devices"},
		{Summary{Map: "Campus", Devices: 3, Counts: map[string]int{"ok": 3}, Acknowledged: 1}, "map Campus on vantage2: all 3 devices ok (1 acknowledged)"},
		{Summary{Map: "Empty", Counts: map[string]int{}}, "map Empty on vantage2: no devices"},
	} {
		if got := tc.s.Reason("vantage2"); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestNormalizeParams(t *testing.T) {
	p := NormalizeParams(map[string]string{"Map Name": "/Sites/Campus.map", "Username": "ro", "Password*": "pw", "insecure": "true", "server": "https://b:8080/"})
	want := Params{Server: "https://b:8080", Map: "Campus", User: "ro", Password: "pw", Insecure: true}
	if p != want {
		t.Fatalf("%+v", p)
	}
}
