package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// TestBrowserSessionAndStream exercises what the web UI relies on: log in
// with a cookie, CSRF protection of changes, and the server-sent event
// stream of status, map and log deltas.
func TestBrowserSessionAndStream(t *testing.T) {
	bin := buildBinary(t)
	in := start(t, bin, t.TempDir())
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	req := func(method, path, body, csrf string) *http.Response {
		t.Helper()
		r, _ := http.NewRequest(method, in.url+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			r.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := req("POST", "/api/v1/session", `{"user":"admin","password":"wrong-password"}`, ""); resp.StatusCode != 401 {
		t.Fatalf("bad login: %d", resp.StatusCode)
	}
	if resp := req("GET", "/api/v1/session", "", ""); resp.StatusCode != 401 {
		t.Fatalf("session before login: %d", resp.StatusCode)
	}
	resp := req("POST", "/api/v1/session", `{"user":"admin","password":"`+adminPassword+`"}`, "")
	var sess struct {
		User string `json:"user"`
		CSRF string `json:"csrf_token"`
	}
	json.NewDecoder(resp.Body).Decode(&sess)
	if resp.StatusCode != 200 || sess.User != "admin" || sess.CSRF == "" {
		t.Fatalf("login: %d %+v", resp.StatusCode, sess)
	}
	cookie := resp.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Fatalf("cookie flags: %q", cookie)
	}
	if resp := req("GET", "/api/v1/maps", "", ""); resp.StatusCode != 200 {
		t.Fatalf("GET with cookie: %d", resp.StatusCode)
	}
	if resp := req("POST", "/api/v1/maps", `{"name":"S"}`, ""); resp.StatusCode != 403 {
		t.Fatalf("POST without CSRF token: %d", resp.StatusCode)
	}
	if resp := req("POST", "/api/v1/maps", `{"name":"S"}`, "forged"); resp.StatusCode != 403 {
		t.Fatalf("POST with forged CSRF token: %d", resp.StatusCode)
	}
	if resp := req("POST", "/api/v1/maps", `{"name":"S"}`, sess.CSRF); resp.StatusCode != 201 {
		t.Fatalf("POST with CSRF token: %d", resp.StatusCode)
	}

	// The stream: open it, then change things and watch the deltas arrive.
	sr, _ := http.NewRequest("GET", in.url+"/api/v1/stream", nil)
	sr.Header.Set("Accept", "text/event-stream")
	stream, err := (&http.Client{Jar: jar}).Do(sr)
	if err != nil || stream.StatusCode != 200 || stream.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %v %v", stream, err)
	}
	defer stream.Body.Close()
	got := make(chan [2]string, 100)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		var ev string
		for sc.Scan() {
			line := sc.Text()
			if e, ok := strings.CutPrefix(line, "event: "); ok {
				ev = e
			} else if d, ok := strings.CutPrefix(line, "data: "); ok {
				got <- [2]string{ev, d}
			}
		}
		close(got)
	}()
	if resp := req("POST", "/api/v1/maps/S/devices", `{"name":"lo","address":"127.0.0.1","probe":"ping","interval":"1s","params":{"count":"1"}}`, sess.CSRF); resp.StatusCode != 201 {
		t.Fatalf("add device: %d", resp.StatusCode)
	}
	seen := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for !(seen["map"] && seen["status"] && seen["log"]) {
		select {
		case e, ok := <-got:
			if !ok {
				t.Fatal("stream closed")
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(e[1]), &v); err != nil {
				t.Fatalf("bad %s data %q", e[0], e[1])
			}
			switch e[0] {
			case "map":
				seen["map"] = v["map"] == "S" && v["action"] == "changed"
			case "status":
				if v["device"] == "lo" && v["status"] == "ok" && v["id"] == "S~lo" {
					seen["status"] = true
				}
			case "log":
				if v["kind"] == "UP" && v["device"] == "lo" {
					seen["log"] = true
				}
			}
		case <-deadline:
			t.Fatalf("stream deltas seen: %v", seen)
		}
	}

	if resp := req("DELETE", "/api/v1/session", "", ""); resp.StatusCode != 204 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := req("GET", "/api/v1/maps", "", ""); resp.StatusCode != 401 {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}
