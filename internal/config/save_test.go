package config

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/dur"
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

// TestSaveFlows: the settings page's flow settings are written into
// flows: and listeners: without disturbing their other keys or comments.
func TestSaveFlows(t *testing.T) {
	want := FlowSettings{
		Inside:      []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"},
		MaxBytes:    5_000_000_000,
		MaxAge:      dur.Duration(30 * dur.Day),
		ServerPorts: map[uint16]string{8500: "consul", 8080: ""},
		Listeners:   FlowListeners{NetFlow: "127.0.0.1:12055", SFlow: "off", JFlow: ":19996"},
	}
	for _, tc := range []struct {
		name, start string
		keep        []string // text that must survive
		check       func(t *testing.T, c Config)
	}{
		{name: "template", start: Template, keep: []string{Template}},
		{name: "missing"},
		{name: "empty flows", start: "flows:\n", keep: nil},
		{
			name: "hand-written",
			start: "# campus collector\ndown_after: 2 # fast\nlisteners:\n  http: \"127.0.0.1:8443\" # web\n  netflow: \":2055\"\n" +
				"flows: # NetFlow from the core\n  database: \"\" # embedded\n  # the cap below was 2 GB\n  max_bytes: 2000000000 # small disk\n" +
				"  inside: [172.16.0.0/12]\n  sessions: {inactive: 45s}\n",
			keep: []string{"# campus collector", "# fast", "# web", "# NetFlow from the core", "# embedded", "# the cap below was 2 GB", "# small disk"},
			check: func(t *testing.T, c Config) {
				if c.DownAfter != 2 || c.Listeners.HTTP != "127.0.0.1:8443" || c.Flows.Sessions.Inactive != 45*time.Second {
					t.Errorf("other settings lost: down_after %d, http %q, inactive %v", c.DownAfter, c.Listeners.HTTP, c.Flows.Sessions.Inactive)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Folder{Root: t.TempDir()}
			if tc.start != "" {
				if err := os.WriteFile(f.Config(), []byte(tc.start), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.SaveFlows(want); err != nil {
				t.Fatal(err)
			}
			c, err := f.Load()
			if err != nil {
				t.Fatal(err)
			}
			got := c.FlowSettings()
			if !slices.Equal(got.Inside, want.Inside) || got.MaxBytes != want.MaxBytes || got.MaxAge != want.MaxAge ||
				!maps.Equal(got.ServerPorts, want.ServerPorts) || got.Listeners != want.Listeners {
				t.Errorf("reloaded %+v\nwant     %+v", got, want)
			}
			// The list of inside prefixes and the rule's ports follow.
			if p, _ := c.Flows.InsidePrefixes(); len(p) != 3 || !c.Flows.Ports().IsServer(8500) || c.Flows.Ports().IsServer(8080) {
				t.Errorf("inside %v; 8500 server %v, 8080 server %v", p, c.Flows.Ports().IsServer(8500), c.Flows.Ports().IsServer(8080))
			}
			data, _ := os.ReadFile(f.Config())
			for _, k := range tc.keep {
				if !strings.Contains(string(data), k) {
					t.Errorf("lost %q:\n%s", k, data)
				}
			}
			if strings.Count(string(data), "\nflows:") > 1 || strings.Count(string(data), "\nlisteners:") > 1 {
				t.Errorf("a section written twice:\n%s", data)
			}
			if !strings.Contains(string(data), "max_age: 30d") || !strings.Contains(string(data), "inside: [10.0.0.0/8, 192.0.2.7, '2001:db8::/32']") {
				t.Errorf("not written the way people write them:\n%s", data)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestFlowSettingsNormalize(t *testing.T) {
	in := FlowSettings{
		Inside:      []string{" 10.1.2.3/8 ", "", "10.0.0.0/8", "192.0.2.7/32", "2001:DB8::1"},
		MaxBytes:    0,
		ServerPorts: map[uint16]string{8443: " https-alt ", 80: ""},
		Listeners:   FlowListeners{NetFlow: "2055", SFlow: "OFF", JFlow: "[::1]:9996"},
	}
	got, err := in.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::1"}; !slices.Equal(got.Inside, want) {
		t.Errorf("inside %q, want %q", got.Inside, want)
	}
	if got.ServerPorts[8443] != "https-alt" || got.ServerPorts[80] != "" || len(got.ServerPorts) != 2 {
		t.Errorf("server ports %v", got.ServerPorts)
	}
	if want := (FlowListeners{NetFlow: ":2055", SFlow: "off", JFlow: "[::1]:9996"}); got.Listeners != want {
		t.Errorf("listeners %+v, want %+v", got.Listeners, want)
	}
	if got, _ := (FlowSettings{Listeners: FlowListeners{"off", "off", "off"}}).Normalize(); got.Inside == nil || got.ServerPorts == nil {
		t.Error("empty lists must be [] and {}, not null, in the API")
	}
}

func TestSaveFlowsRefusesInvalid(t *testing.T) {
	ok := FlowSettings{MaxBytes: DefaultFlows().MaxBytes, Listeners: FlowListeners{":2055", ":6343", ":9996"}}
	for _, tc := range []struct {
		name string
		edit func(*FlowSettings)
		want []string // in the error
	}{
		{"bad inside", func(s *FlowSettings) { s.Inside = []string{"10.0.0.0/8", "10.0.0.300/8"} }, []string{"flows.inside[1]", `"10.0.0.300/8"`, "not an address or CIDR range"}},
		{"negative cap", func(s *FlowSettings) { s.MaxBytes = -1 }, []string{"flows.max_bytes", "negative"}},
		{"tiny cap", func(s *FlowSettings) { s.MaxBytes = 10 }, []string{"flows.max_bytes", "1 MB minimum"}},
		{"port 0", func(s *FlowSettings) { s.ServerPorts = map[uint16]string{0: "x"} }, []string{"flows.server_ports", "port 0"}},
		{"removing a port not listed", func(s *FlowSettings) { s.ServerPorts = map[uint16]string{12345: ""} }, []string{"flows.server_ports[12345]", "not on the built-in list"}},
		{"odd name", func(s *FlowSettings) { s.ServerPorts = map[uint16]string{8500: "my app"} }, []string{"flows.server_ports[8500]", `"my app"`}},
		{"empty listener", func(s *FlowSettings) { s.Listeners.SFlow = " " }, []string{"listeners.sflow", "empty", "off"}},
		{"listener without port", func(s *FlowSettings) { s.Listeners.NetFlow = "127.0.0.1" }, []string{"listeners.netflow", `"127.0.0.1"`}},
		{"listener port out of range", func(s *FlowSettings) { s.Listeners.JFlow = ":70000" }, []string{"listeners.jflow", "1 to 65535"}},
		{"listener port 0", func(s *FlowSettings) { s.Listeners.JFlow = "127.0.0.1:0" }, []string{"listeners.jflow", "1 to 65535"}},
		{"two listeners on one port", func(s *FlowSettings) { s.Listeners.JFlow = "127.0.0.1:2055" }, []string{"listeners.jflow", "listeners.netflow's port"}},
		{"several at once", func(s *FlowSettings) { s.Inside = []string{"nonsense"}; s.MaxBytes = -5 }, []string{"flows.inside[0]", "flows.max_bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Folder{Root: t.TempDir()}
			orig := "# mine\nflows: {max_bytes: 3000000000}\n"
			os.WriteFile(f.Config(), []byte(orig), 0o644)
			s := ok
			tc.edit(&s)
			_, err := f.SaveFlows(s)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if data, _ := os.ReadFile(f.Config()); string(data) != orig {
				t.Errorf("file changed on error:\n%s", data)
			}
		})
	}
	// A file whose flows: is not a mapping is reported, not overwritten.
	f := Folder{Root: t.TempDir()}
	os.WriteFile(f.Config(), []byte("flows: [1, 2]\n"), 0o644)
	if _, err := f.SaveFlows(ok); err == nil || !strings.Contains(err.Error(), "flows must be a mapping") {
		t.Errorf("error %v, want one saying flows must be a mapping", err)
	}
}

// TestFlowsMaxAgeText: flows.max_age reads the settings' durations.
func TestFlowsMaxAgeText(t *testing.T) {
	for text, want := range map[string]time.Duration{"0s": 0, "0": 0, "30d": 30 * dur.Day, "36h": 36 * time.Hour, "720h0m0s": 30 * dur.Day} {
		c, err := Parse([]byte("flows: {max_age: " + text + "}\n"))
		if err != nil || c.Flows.MaxAge.Std() != want {
			t.Errorf("max_age %s: %v, %v; want %v", text, c.Flows.MaxAge.Std(), err, want)
		}
	}
}
