package notify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" means valid
	}{
		{"valid email", func(*Config) {}, ""},
		{"no to", func(c *Config) { c.To = nil }, "notifiers[ops-mail].to: at least one address"},
		{"bad to", func(c *Config) { c.To = []string{"nope"} }, "notifiers[ops-mail].to[0]: "},
		{"bad from", func(c *Config) { c.From = "" }, "notifiers[ops-mail].from: "},
		{"no host", func(c *Config) { c.SMTPHost = "" }, "notifiers[ops-mail].smtp_host: required"},
		{"bad subject", func(c *Config) { c.Subject = "{{.Nope" }, "notifiers[ops-mail].subject: "},
		{"unknown field", func(c *Config) { c.Template = "{{.Nope}}" }, ""}, // caught at render
		{"bad template", func(c *Config) { c.Template = "{{if}}" }, "notifiers[ops-mail].template: "},
		{"no type", func(c *Config) { c.Type = "" }, "notifiers[ops-mail].type: required"},
		{"bad type", func(c *Config) { c.Type = "pager" }, `notifiers[ops-mail].type: unknown type "pager"`},
		{"negative retries", func(c *Config) { c.Retries = -1 }, "notifiers[ops-mail].retries: "},
		{"no name", func(c *Config) { c.Name = "" }, "notifiers[].name: required"},
		{"webhook url", func(c *Config) { *c = Config{Name: "h", Type: TypeWebhook, URL: "ftp://x"} }, "notifiers[h].url: "},
		{"slack headers", func(c *Config) {
			*c = Config{Name: "s", Type: TypeSlack, URL: "https://x/y", Headers: map[string]string{"A": "b"}}
		}, "notifiers[s].headers: only for type webhook"},
		{"relative path", func(c *Config) { *c = Config{Name: "c", Type: TypeCommand, Path: "bin/x"} }, `notifiers[c].path: "bin/x": must be absolute`},
		{"bad arg", func(c *Config) {
			*c = Config{Name: "c", Type: TypeCommand, Path: "/bin/true", Args: []string{"ok", "{{"}}
		}, "notifiers[c].args[1]: "},
		{"syslog network", func(c *Config) { *c = Config{Name: "l", Type: TypeSyslog, Network: "tls", Address: "h:514"} }, "notifiers[l].network: "},
		{"syslog address", func(c *Config) { *c = Config{Name: "l", Type: TypeSyslog, Address: "h"} }, "notifiers[l].address: "},
		{"syslog facility", func(c *Config) { *c = Config{Name: "l", Type: TypeSyslog, Address: "h:514", Facility: "local9"} }, "notifiers[l].facility: "},
		{"syslog ok", func(c *Config) { *c = Config{Name: "l", Type: TypeSyslog, Address: "h:514", Facility: "local7"} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := emailConfig(25, "")
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if _, nerr := New(c); (nerr == nil) != (err == nil) {
				t.Errorf("New err = %v, Validate err = %v", nerr, err)
			}
		})
	}
}

func TestRender(t *testing.T) {
	m := testMessage()
	m.Acknowledged = true
	for _, tc := range []struct{ tmpl, want, err string }{
		{"", "DOWN Core:router-1 (192.0.2.1) is down: no reply to ping at 2026-03-04 05:06:07.890123 +0000 UTC http://vantage.example/devices/7", ""},
		{"{{.Device | upper}} {{if .Acknowledged}}ack{{end}} {{.Time.Format \"15:04\"}}", "ROUTER-1 ack 05:06", ""},
		{"{{json .Reason}}", `"no reply to ping"`, ""},
		{"{{.Nope}}", "", "can't evaluate field Nope"},
		{"{{range 100000000}}x{{end}}", "", "at most"},
		{"{{range 9000}}{{$.Reason}}{{end}}", "", "too long"},
		{`{{define "a"}}{{template "a"}}{{end}}{{template "a"}}`, "", "exceeded maximum template depth"},
	} {
		got, err := Render(tc.tmpl, m)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.tmpl, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{DefaultTemplate, DefaultSubject, "{{json .}}", "{{range .Kind}}{{.}}{{end}}",
		"{{.Time.AddDate 1 2 3}}", "{{slice .Device 1 100}}", "{{index .Map 5}}", "{{call .Time}}",
		`{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}`, "{{range 10}}{{.}}{{end}}", "{{printf \"%*d\" 1000000 1}}"} {
		f.Add(s)
	}
	m := testMessage()
	f.Fuzz(func(t *testing.T, tmpl string) {
		out, err := Render(tmpl, m)
		if err == nil && len(out) > maxRendered {
			t.Fatalf("output of %d bytes", len(out))
		}
	})
}

// flaky fails n times with err, then succeeds.
type flaky struct {
	n     int
	err   error
	calls int
}

func (f *flaky) Name() string { return "flaky" }
func (f *flaky) Send(context.Context, Message) error {
	f.calls++
	if f.calls <= f.n {
		return f.err
	}
	return nil
}

func TestSendWithRetry(t *testing.T) {
	boom := errors.New("boom")
	f := &flaky{n: 2, err: boom}
	start := time.Now()
	if err := SendWithRetry(t.Context(), f, 3, 20*time.Millisecond, Message{}); err != nil || f.calls != 3 {
		t.Fatalf("err = %v, calls = %d", err, f.calls)
	}
	if d := time.Since(start); d < 60*time.Millisecond { // 20ms + 40ms back-off
		t.Errorf("back-off too short: %s", d)
	}
	f = &flaky{n: 10, err: boom}
	err := SendWithRetry(t.Context(), f, 2, time.Millisecond, Message{})
	if !errors.Is(err, boom) || f.calls != 3 || !strings.Contains(err.Error(), "3 attempts failed") {
		t.Fatalf("err = %v, calls = %d", err, f.calls)
	}
	f = &flaky{n: 10, err: Permanent(boom)}
	if err := SendWithRetry(t.Context(), f, 5, time.Millisecond, Message{}); !errors.Is(err, ErrPermanent) || !errors.Is(err, boom) || f.calls != 1 {
		t.Fatalf("err = %v, calls = %d", err, f.calls)
	}
	// Cancellation ends the wait at once.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	f = &flaky{n: 10, err: boom}
	start = time.Now()
	err = SendWithRetry(ctx, f, 5, time.Hour, Message{})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, boom) || time.Since(start) > time.Second || f.calls != 1 {
		t.Fatalf("err = %v, calls = %d after %s", err, f.calls, time.Since(start))
	}
}
