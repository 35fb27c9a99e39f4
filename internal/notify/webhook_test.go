package notify

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// receiver records the bodies posted to it and answers with the codes
// given, the last repeated.
func receiver(t *testing.T, codes ...int) (*httptest.Server, *atomic.Int32, chan []byte) {
	t.Helper()
	var calls atomic.Int32
	bodies := make(chan []byte, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(calls.Add(1)) - 1
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		code := codes[min(i, len(codes)-1)]
		if code == 0 { // hang past the client's timeout
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte("answer " + http.StatusText(code)))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls, bodies
}

func webhookConfig(typ, url string) Config {
	c := DefaultConfig()
	c.Name, c.Type, c.URL = "hook", typ, url
	c.RetryDelay = 10 * time.Millisecond
	return c
}

func TestWebhookDefaultBody(t *testing.T) {
	srv, _, bodies := receiver(t, 204)
	c := webhookConfig(TypeWebhook, srv.URL)
	c.Headers = map[string]string{"X-Token": "abc"}
	n, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(t.Context(), testMessage()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(<-bodies, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"kind": "DOWN", "time": "2026-03-04T05:06:07.890123Z", "map": "Core", "device": "router-1",
		"address": "192.0.2.1", "status": "down", "reason": "no reply to ping",
		"url": "http://vantage.example/devices/7", "acknowledged": false,
		"text": "DOWN Core:router-1 (192.0.2.1) is down: no reply to ping at 2026-03-04 05:06:07.890123 +0000 UTC http://vantage.example/devices/7",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
}

func TestWebhookBodyTemplate(t *testing.T) {
	srv, _, bodies := receiver(t, 200)
	c := webhookConfig(TypeWebhook, srv.URL)
	c.Template = `{"who": {{json .Device}}, "why": {{json .Reason}}}`
	n, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	m.Reason = `quote " and \ backslash`
	if err := n.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(<-bodies, &got); err != nil || got["why"] != m.Reason || got["who"] != "router-1" {
		t.Fatalf("got %v, %v", got, err)
	}
	// A template producing invalid JSON is a permanent failure, never sent.
	c.Template = `{"who": {{.Device}}}`
	n, _ = New(c)
	if err := n.Send(t.Context(), m); !errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v", err)
	}
}

func TestSlackAndTeams(t *testing.T) {
	for _, tc := range []struct{ typ, key string }{{TypeSlack, "text"}, {TypeTeams, "text"}} {
		t.Run(tc.typ, func(t *testing.T) {
			srv, _, bodies := receiver(t, 200)
			c := webhookConfig(tc.typ, srv.URL)
			c.Template = "{{.Kind}}: {{.Device}} <{{.URL}}>"
			n, err := New(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Send(t.Context(), testMessage()); err != nil {
				t.Fatal(err)
			}
			var got map[string]string
			if err := json.Unmarshal(<-bodies, &got); err != nil {
				t.Fatal(err)
			}
			if want := "DOWN: router-1 <http://vantage.example/devices/7>"; got[tc.key] != want {
				t.Errorf("%s = %q, want %q", tc.key, got[tc.key], want)
			}
			if tc.typ == TypeTeams && got["@type"] != "MessageCard" {
				t.Errorf("teams body %v", got)
			}
			if tc.typ == TypeSlack && len(got) != 1 {
				t.Errorf("slack body %v", got)
			}
		})
	}
}

func TestWebhookRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		codes     []int
		timeout   time.Duration
		wantCalls int32
		wantErr   string
		permanent bool
	}{
		{name: "success", codes: []int{200}, wantCalls: 1},
		{name: "500 then success", codes: []int{500, 503, 200}, wantCalls: 3},
		{name: "400 is permanent", codes: []int{400, 200}, wantCalls: 1, wantErr: "attempt 1 of 4, not retried", permanent: true},
		{name: "429 is retried", codes: []int{429, 200}, wantCalls: 2},
		{name: "500 always", codes: []int{500}, wantCalls: 4, wantErr: "4 attempts failed"},
		{name: "timeout retried", codes: []int{0, 200}, timeout: 200 * time.Millisecond, wantCalls: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls, _ := receiver(t, tc.codes...)
			c := webhookConfig(TypeWebhook, srv.URL)
			if tc.timeout > 0 {
				c.Timeout = tc.timeout
			}
			n, err := New(c)
			if err != nil {
				t.Fatal(err)
			}
			err = SendWithRetry(t.Context(), n, c.Retries, c.RetryDelay, testMessage())
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			case err != nil && errors.Is(err, ErrPermanent) != tc.permanent:
				t.Errorf("permanent = %v for %v", !tc.permanent, err)
			}
		})
	}
}
