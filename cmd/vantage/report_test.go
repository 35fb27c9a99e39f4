package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCmd(t *testing.T) {
	var gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if r.URL.Path != "/api/v1/reports" || !ok || u != "admin" || p != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid user name, password, token or session"}`))
			return
		}
		gotQuery = r.URL.RawQuery
		if r.URL.Query().Get("map") == "Nowhere" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"no map \"Nowhere\""}`))
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("device,map,device\n"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("s3cret\n"), 0o600)
	t.Setenv("VANTAGE_PASSWORD", "")
	t.Setenv("VANTAGE_TOKEN", "")

	out := filepath.Join(dir, "r.csv")
	var stdout, stderr bytes.Buffer
	err := reportCmd([]string{"--url", srv.URL + "/", "--password-file", pwFile, "--map", "Campus", "--device", "core sw", "--from", "7d", "--format", "csv", "-o", out}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err, stderr.String())
	}
	if b, _ := os.ReadFile(out); string(b) != "device,map,device\n" {
		t.Errorf("file %q", b)
	}
	if gotQuery != "device=core+sw&format=csv&from=7d&map=Campus" {
		t.Errorf("query %q", gotQuery)
	}

	t.Setenv("VANTAGE_PASSWORD", "s3cret")
	stdout.Reset()
	if err := reportCmd([]string{"--url", srv.URL, "--map", "Campus", "--to", "1h"}, &stdout, &stderr); err != nil || stdout.String() != "device,map,device\n" {
		t.Errorf("stdout %q %v", stdout.String(), err)
	}
	if !strings.Contains(gotQuery, "format=html") || !strings.Contains(gotQuery, "to=1h") {
		t.Errorf("query %q", gotQuery)
	}

	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--url", srv.URL, "--map", "Nowhere"}, "s3cret", `server: no map "Nowhere" (HTTP 404)`},
		{[]string{"--url", srv.URL, "--map", "Campus"}, "wrong", "HTTP 401"},
		{[]string{"--url", srv.URL, "--map", "Campus"}, "", "no password"},
		{[]string{"--url", srv.URL}, "s3cret", "--map is required"},
		{[]string{"--url", srv.URL, "--map", "m", "--format", "pdf"}, "s3cret", "--format"},
		{[]string{"--url", "ftp://x", "--map", "m"}, "s3cret", "--url"},
	} {
		t.Setenv("VANTAGE_PASSWORD", tc.env)
		err := reportCmd(tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
