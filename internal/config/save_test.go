package config

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/notify"
)

func TestSaveNotifications(t *testing.T) {
	hook := notify.DefaultConfig()
	hook.Name, hook.Type, hook.URL = "hook", notify.TypeWebhook, "http://127.0.0.1:9/x"
	rules := []alert.Rule{{Name: "outages", Kinds: []string{"DOWN", "UP"}, Notifiers: []string{"hook"}, Delay: time.Minute, Repeat: 30 * time.Minute}}

	for name, start := range map[string]string{
		"template":     Template,
		"missing":      "",
		"hand-written": "# my server\ndown_after: 2 # fast\nnotifiers:\n  - {name: old, type: syslog, address: \"127.0.0.1:514\"}\nrules: []\n",
	} {
		t.Run(name, func(t *testing.T) {
			f := Folder{Root: t.TempDir()}
			if start != "" {
				if err := os.WriteFile(f.Config(), []byte(start), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c, err := f.SaveNotifications([]notify.Config{hook}, rules)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Notifiers) != 1 || c.Notifiers[0].URL != hook.URL || len(c.Rules) != 1 || c.Rules[0].Repeat != 30*time.Minute {
				t.Fatalf("saved config: %+v %+v", c.Notifiers, c.Rules)
			}
			again, err := f.Load()
			if err != nil {
				t.Fatal(err)
			}
			if again.Rules[0].Delay != time.Minute || again.Notifiers[0].Name != "hook" {
				t.Fatalf("reloaded: %+v", again.Rules)
			}
			data, _ := os.ReadFile(f.Config())
			if name == "template" && !strings.HasPrefix(string(data), Template) {
				t.Errorf("template comments lost:\n%s", data)
			}
			if name == "hand-written" {
				if !strings.Contains(string(data), "# my server") || !strings.Contains(string(data), "# fast") || again.DownAfter != 2 {
					t.Errorf("hand-written settings lost:\n%s", data)
				}
				if strings.Contains(string(data), "old") {
					t.Errorf("old notifier kept:\n%s", data)
				}
				if st, _ := os.Stat(f.Config()); st.Mode().Perm() != 0o600 {
					t.Errorf("mode %v, want 0600", st.Mode().Perm())
				}
			}
		})
	}
}

func TestSaveNotificationsRefusesInvalid(t *testing.T) {
	f := Folder{Root: t.TempDir()}
	orig := "down_after: 2\n"
	os.WriteFile(f.Config(), []byte(orig), 0o644)
	bad := []alert.Rule{{Name: "r", Notifiers: []string{"nobody"}}}
	if _, err := f.SaveNotifications(nil, bad); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Fatalf("error = %v, want one naming the unknown notifier", err)
	}
	if data, _ := os.ReadFile(f.Config()); string(data) != orig {
		t.Errorf("file changed on error:\n%s", data)
	}
	os.WriteFile(f.Config(), []byte("- a list\n"), 0o644)
	if _, err := f.SaveNotifications(nil, nil); err == nil {
		t.Error("a non-mapping file was accepted")
	}
}
