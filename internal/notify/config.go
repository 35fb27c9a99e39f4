package notify

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Notifier types.
const (
	TypeEmail   = "email"
	TypeWebhook = "webhook"
	TypeCommand = "command"
	TypeSyslog  = "syslog"
	TypeSlack   = "slack"
	TypeTeams   = "teams"
)

// Config describes one notifier. Fields not used by its Type must be empty.
type Config struct {
	Name string `yaml:"name" json:"name"`
	Type string `yaml:"type" json:"type"`

	// Template is the text of the message (DefaultTemplate when empty). For
	// a webhook it is the JSON body instead, when set.
	Template string `yaml:"template,omitempty" json:"template,omitempty"`
	// Retries is the number of attempts after the first.
	Retries int `yaml:"retries" json:"retries"`
	// RetryDelay is the first back-off; it doubles on each retry.
	RetryDelay time.Duration `yaml:"retry_delay" json:"retry_delay"`
	// Timeout bounds one attempt.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`

	// E-mail.
	SMTPHost string `yaml:"smtp_host,omitempty" json:"smtp_host,omitempty"`
	SMTPPort int    `yaml:"smtp_port,omitempty" json:"smtp_port,omitempty"`
	// StartTLS requires STARTTLS when true (the default, nil); when false
	// it is still used if the server offers it.
	StartTLS *bool    `yaml:"starttls,omitempty" json:"starttls,omitempty"`
	Username string   `yaml:"username,omitempty" json:"username,omitempty"`
	Password string   `yaml:"password,omitempty" json:"password,omitempty"`
	From     string   `yaml:"from,omitempty" json:"from,omitempty"`
	To       []string `yaml:"to,omitempty" json:"to,omitempty"`
	Subject  string   `yaml:"subject,omitempty" json:"subject,omitempty"`
	// CAFile is a PEM bundle trusted for the SMTP server's certificate, in
	// place of the system roots.
	CAFile string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`

	// Webhook, Slack, Teams.
	URL     string            `yaml:"url,omitempty" json:"url,omitempty"`
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`

	// Command: an absolute path run without a shell; each argument is a
	// template.
	Path string   `yaml:"path,omitempty" json:"path,omitempty"`
	Args []string `yaml:"args,omitempty" json:"args,omitempty"`

	// Syslog.
	Network  string `yaml:"network,omitempty" json:"network,omitempty"`
	Address  string `yaml:"address,omitempty" json:"address,omitempty"`
	Facility string `yaml:"facility,omitempty" json:"facility,omitempty"`
	AppName  string `yaml:"app_name,omitempty" json:"app_name,omitempty"`
	// Hostname is the HOSTNAME field; the machine's name when empty.
	Hostname string `yaml:"hostname,omitempty" json:"hostname,omitempty"`
}

// DefaultConfig has the common defaults: 3 retries from 2s, 10s per attempt.
func DefaultConfig() Config {
	return Config{Retries: 3, RetryDelay: 2 * time.Second, Timeout: 10 * time.Second}
}

// withDefaults fills the zero fields that have a default. Retries is left
// alone: zero means no retry.
func (c Config) withDefaults() Config {
	if c.RetryDelay == 0 {
		c.RetryDelay = 2 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	switch c.Type {
	case TypeEmail:
		if c.SMTPPort == 0 {
			c.SMTPPort = 587
		}
		if c.StartTLS == nil {
			t := true
			c.StartTLS = &t
		}
	case TypeSyslog:
		if c.Network == "" {
			c.Network = "udp"
		}
		if c.Facility == "" {
			c.Facility = "daemon"
		}
		if c.AppName == "" {
			c.AppName = "vantage"
		}
		if c.Hostname == "" {
			c.Hostname, _ = os.Hostname()
		}
	}
	return c
}

// key names a field of this notifier in errors: notifiers[ops-mail].to.
func (c Config) key(field string) string {
	return fmt.Sprintf("notifiers[%s].%s", c.Name, field)
}

// Validate reports every setting that cannot work, each naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", c.key(field), fmt.Sprintf(format, a...)))
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("name", "required")
	}
	if c.Retries < 0 {
		bad("retries", "must not be negative, got %d", c.Retries)
	}
	if c.RetryDelay < 0 {
		bad("retry_delay", "must not be negative, got %s", c.RetryDelay)
	}
	if c.Timeout < 0 {
		bad("timeout", "must not be negative, got %s", c.Timeout)
	}
	if c.Type != TypeWebhook {
		if _, err := compile("template", c.Template, DefaultTemplate); err != nil {
			bad("template", "%v", err)
		}
	} else if c.Template != "" {
		if _, err := compile("template", c.Template, ""); err != nil {
			bad("template", "%v", err)
		}
	}
	switch c.Type {
	case TypeEmail:
		if c.SMTPHost == "" {
			bad("smtp_host", "required")
		}
		if c.SMTPPort < 0 || c.SMTPPort > 65535 {
			bad("smtp_port", "must be 1-65535, got %d", c.SMTPPort)
		}
		if _, err := mail.ParseAddress(c.From); err != nil {
			bad("from", "%q: %v", c.From, err)
		}
		if len(c.To) == 0 {
			bad("to", "at least one address")
		}
		for i, to := range c.To {
			if _, err := mail.ParseAddress(to); err != nil {
				bad(fmt.Sprintf("to[%d]", i), "%q: %v", to, err)
			}
		}
		if c.Password != "" && c.Username == "" {
			bad("username", "required with a password")
		}
		if _, err := compile("subject", c.Subject, DefaultSubject); err != nil {
			bad("subject", "%v", err)
		}
		if c.CAFile != "" {
			if _, err := os.Stat(c.CAFile); err != nil {
				bad("ca_file", "%v", err)
			}
		}
	case TypeWebhook, TypeSlack, TypeTeams:
		u, err := url.Parse(c.URL)
		switch {
		case c.URL == "":
			bad("url", "required")
		case err != nil:
			bad("url", "%v", err)
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
			bad("url", "%q: must be an http or https URL", c.URL)
		}
		for h := range c.Headers {
			if h == "" || strings.ContainsAny(h, " :\r\n") {
				bad("headers", "invalid header name %q", h)
			}
		}
		if c.Type != TypeWebhook && len(c.Headers) > 0 {
			bad("headers", "only for type webhook")
		}
	case TypeCommand:
		switch {
		case c.Path == "":
			bad("path", "required")
		case !filepath.IsAbs(c.Path):
			bad("path", "%q: must be absolute", c.Path)
		}
		for i, a := range c.Args {
			if _, err := compile("arg", a, ""); err != nil {
				bad(fmt.Sprintf("args[%d]", i), "%v", err)
			}
		}
	case TypeSyslog:
		switch c.Network {
		case "", "udp", "tcp":
		default:
			bad("network", "must be udp or tcp, got %q", c.Network)
		}
		if host, port, err := net.SplitHostPort(c.Address); err != nil || host == "" {
			bad("address", "%q: want host:port", c.Address)
		} else if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			bad("address", "%q: bad port", c.Address)
		}
		if c.Facility != "" {
			if _, ok := facilityCode(c.Facility); !ok {
				bad("facility", "unknown facility %q", c.Facility)
			}
		}
		if len(c.AppName) > 48 || strings.ContainsAny(c.AppName, " \t\r\n") {
			bad("app_name", "%q: at most 48 printable characters without spaces", c.AppName)
		}
	case "":
		bad("type", "required")
	default:
		bad("type", "unknown type %q (want email, webhook, command, syslog, slack or teams)", c.Type)
	}
	return errors.Join(errs...)
}
