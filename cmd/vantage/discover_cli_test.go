package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDiscoverThroughServer: `vantage discover --url … --map M CIDR` starts
// a scan on the server, follows the job and prints what was found; the
// server's refusals come back as errors.
func TestDiscoverThroughServer(t *testing.T) {
	polls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "admin" || p != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "who are you"})
			return
		}
		switch {
		case r.Method == "POST" && r.URL.Path == "/api/v1/maps/Lab/discover":
			var body struct{ CIDRs []string }
			json.NewDecoder(r.Body).Decode(&body)
			if len(body.CIDRs) != 1 || body.CIDRs[0] != "127.0.0.1/32" {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": "bad cidrs"})
				return
			}
			w.WriteHeader(http.StatusAccepted)
			json.NewEncoder(w).Encode(map[string]string{"id": "j1"})
		case r.Method == "GET" && r.URL.Path == "/api/v1/discover/j1":
			polls++
			state := "running"
			if polls > 1 {
				state = "done"
			}
			json.NewEncoder(w).Encode(map[string]any{"id": "j1", "map": "Lab", "state": state,
				"progress": map[string]any{"phase": "ping", "total": 1}, "hosts": []map[string]any{{"address": "127.0.0.1", "name": "localhost"}}})
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	t.Setenv("VANTAGE_PASSWORD", "pw")
	var out, errOut bytes.Buffer
	if err := discoverCmd([]string{"--url", srv.URL, "--map", "Lab", "127.0.0.1/32"}, &out, &errOut); err != nil {
		t.Fatalf("discover: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "127.0.0.1") || polls < 2 {
		t.Fatalf("output after %d polls:\n%s", polls, out.String())
	}
	if err := discoverCmd([]string{"--url", srv.URL, "--map", "Lab", "127.0.0.2/32"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "bad cidrs") {
		t.Fatalf("refused scan: %v", err)
	}
	t.Setenv("VANTAGE_PASSWORD", "wrong")
	if err := discoverCmd([]string{"--url", srv.URL, "--map", "Lab", "127.0.0.1/32"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad password: %v", err)
	}
}
