package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestInitWritesDefaults(t *testing.T) {
	f := Folder{Root: filepath.Join(t.TempDir(), "vantage-data")}
	c, err := f.Init()
	if err != nil {
		t.Fatal(err)
	}
	if c.Listeners.HTTP != ":8080" || c.DefaultInterval != 30*time.Second || c.DownAfter != 3 {
		t.Fatalf("defaults = %+v", c)
	}
	for _, d := range []string{f.Maps(), f.Probes(), f.Logs(), filepath.Dir(f.DB()), f.TLS(), f.MIBs()} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Fatalf("%s not created", d)
		}
	}
	if _, err := os.Stat(f.Config()); err != nil {
		t.Fatal("config.yaml not written")
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, yaml, err string
	}{
		{"empty", "", ""},
		{"override", "default_interval: 10s\npoller:\n  concurrency: 5\n", ""},
		{"unknown key", "listeners:\n  htp: ':1'\n", "line 2: field htp not found"},
		{"bad duration", "default_interval: soon\n", "line 1"},
		{"too small", "default_interval: 10ms\n", "default_interval: 10ms is below 1s"},
		{"bad mode", "icmp:\n  mode: magic\n", `icmp.mode: "magic"`},
		{"several", "down_after: 0\npoller:\n  concurrency: 0\n", "poller.concurrency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.name == "override" && (c.DefaultInterval != 10*time.Second || c.Poller.Concurrency != 5 || c.Listeners.HTTP != ":8080") {
					t.Fatalf("override = %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestTemplateIsTheDefaults(t *testing.T) {
	var uncommented []string
	for _, l := range strings.Split(Template, "\n") {
		if strings.HasPrefix(l, "# ") && !strings.HasPrefix(l, "# Vantage") && strings.Contains(l, ":") && !strings.Contains(l, "defaults") && !strings.Contains(l, "Command-line") && !strings.Contains(l, "listeners.") {
			uncommented = append(uncommented, strings.TrimPrefix(l, "# "))
		}
	}
	c, err := Parse([]byte(strings.Join(uncommented, "\n")))
	if err != nil {
		t.Fatalf("template does not parse: %v\n%s", err, strings.Join(uncommented, "\n"))
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("template %+v differs from defaults %+v", c, Default())
	}
}

func TestNotifiers(t *testing.T) {
	c, err := Parse([]byte("notifiers:\n  - name: ops\n    type: webhook\n    url: http://127.0.0.1:9/hook\n    timeout: 3s\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Notifiers[0]
	if n.Name != "ops" || n.Timeout != 3*time.Second || n.Retries != 3 {
		t.Fatalf("notifier %+v (defaults not applied?)", n)
	}
	for src, want := range map[string]string{
		"notifiers:\n  - name: a\n    type: webhook\n    urll: x\n":                                                                    "line 4: field urll not found",
		"notifiers:\n  - name: a\n    type: pager\n":                                                                                   "notifiers[a]",
		"notifiers:\n  - {name: a, type: webhook, url: 'http://127.0.0.1/'}\n  - {name: a, type: webhook, url: 'http://127.0.0.1/'}\n": "used twice",
	} {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", src, err, want)
		}
	}
}

func TestServers(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"good", "servers:\n  - {name: B, url: \"https://b:8080\", token: t, fingerprint: \"SHA256:" + strings.Repeat("AB", 32) + "\"}\n", ""},
		{"no token", "servers:\n  - {name: B, url: \"https://b:8080\"}\n", "token is required"},
		{"bad url", "servers:\n  - {name: B, url: \"ftp://b\", token: t}\n", "not an http"},
		{"bad fingerprint", "servers:\n  - {name: B, url: \"https://b\", token: t, fingerprint: zz}\n", "fingerprint"},
		{"twice", "servers:\n  - {name: B, url: \"https://b\", token: t}\n  - {name: B, url: \"https://c\", token: t}\n", "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
