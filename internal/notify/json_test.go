package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestConfigJSON(t *testing.T) {
	var c Config
	if err := json.Unmarshal([]byte(`{"name":"hook","type":"webhook","url":"http://127.0.0.1:9/x","retry_delay":"500ms"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.RetryDelay != 500*time.Millisecond || c.Timeout != 10*time.Second || c.Retries != 3 {
		t.Errorf("decoded %+v: defaults not applied", c)
	}
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), `"timeout":"10s"`) {
		t.Errorf("marshal: %s", b)
	}
	for _, bad := range []string{`{"timeout":"someday"}`, `{"retries":"x"}`, `[]`} {
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestRedactRestore(t *testing.T) {
	stored := Config{Name: "s", Type: TypeSlack, URL: "https://hooks.example/T/B/secret", Password: ""}
	r := stored.Redacted()
	if r.URL != Secret {
		t.Fatalf("slack URL not redacted: %q", r.URL)
	}
	if err := r.Restore(stored); err != nil || r.URL != stored.URL {
		t.Fatalf("restore: %q", r.URL)
	}
	wh := Config{Name: "w", Type: TypeWebhook, URL: "http://127.0.0.1/x", Headers: map[string]string{"Authorization": "Bearer t"}}
	rw := wh.Redacted()
	if rw.URL != wh.URL || rw.Headers["Authorization"] != Secret || wh.Headers["Authorization"] != "Bearer t" {
		t.Fatalf("webhook redaction wrong: %+v (stored %+v)", rw, wh)
	}
	rw.Headers["X-New"] = "v"
	if err := rw.Restore(wh); err != nil || rw.Headers["Authorization"] != "Bearer t" || rw.Headers["X-New"] != "v" {
		t.Fatalf("webhook restore: %+v %v", rw.Headers, err)
	}
	// A renamed notifier has nothing stored under its new name.
	renamed := stored.Redacted()
	renamed.Name = "other"
	if err := renamed.Restore(Config{}); err == nil || !strings.Contains(err.Error(), "no stored value for url") {
		t.Fatalf("restore with nothing stored: %v", err)
	}
	m := Config{Type: TypeEmail, Password: "pw"}
	if m.Redacted().Password != Secret {
		t.Fatal("password not redacted")
	}
}
