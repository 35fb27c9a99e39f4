package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotifierTest configures notifiers in config.yaml and uses the API's
// "send test": a webhook receiver gets the message, a broken notifier's
// failure is answered and logged, and no secret is listed.
func TestNotifierTest(t *testing.T) {
	recvURL, got := webhookReceiver(t)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + closed.Addr().String() + "/hook"
	closed.Close()

	data := t.TempDir()
	conf := fmt.Sprintf("notifiers:\n  - {name: hook, type: webhook, url: %q}\n  - {name: dead, type: webhook, url: %q, retries: 1, retry_delay: 10ms}\n", recvURL+"/secret-token", deadURL)
	if err := os.WriteFile(filepath.Join(data, "config.yaml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	in := start(t, buildBinary(t), data)

	var list []map[string]any
	in.must("GET", "/api/v1/notifiers", nil, 200, &list)
	if len(list) != 2 || list[0]["name"] != "hook" {
		t.Fatalf("notifiers %+v", list)
	}
	b, _ := json.Marshal(list)
	if strings.Contains(string(b), "secret-token") {
		t.Fatalf("webhook URL listed: %s", b)
	}
	in.must("POST", "/api/v1/notifiers/hook/test", nil, 200, nil)
	body := <-got
	if body["kind"] != "TEST" || !strings.Contains(fmt.Sprint(body["reason"]), "requested by admin") {
		t.Fatalf("webhook got %+v", body)
	}
	var apiErr struct{ Error string }
	if code := in.do("POST", "/api/v1/notifiers/dead/test", nil, &apiErr); code != 502 || !strings.Contains(apiErr.Error, "2 attempts failed") {
		t.Fatalf("dead notifier: %d %q", code, apiErr.Error)
	}
	if code := in.do("POST", "/api/v1/notifiers/nope/test", nil, &apiErr); code != 400 {
		t.Fatalf("unknown notifier: %d", code)
	}
	in.waitEvent("kind=NOTIFY", func(e event) bool { return e.Message == "sent test notification via hook (webhook)" })
	in.waitEvent("kind=NOTIFY", func(e event) bool { return strings.HasPrefix(e.Message, "test notification via dead (webhook) failed") })
	in.stop()
}

// webhookReceiver is an HTTP receiver on loopback for webhook notifiers: it
// hands every JSON body it gets to the returned channel.
func webhookReceiver(t *testing.T) (url string, got chan map[string]any) {
	got = make(chan map[string]any, 20)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		got <- body
	}))
	t.Cleanup(recv.Close)
	return recv.URL, got
}
