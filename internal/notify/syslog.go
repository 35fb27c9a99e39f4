package notify

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// facilityCode maps a facility name to its RFC 5424 code.
func facilityCode(name string) (int, bool) {
	switch name {
	case "kern":
		return 0, true
	case "user":
		return 1, true
	case "mail":
		return 2, true
	case "daemon":
		return 3, true
	case "auth":
		return 4, true
	case "syslog":
		return 5, true
	case "lpr":
		return 6, true
	case "news":
		return 7, true
	case "uucp":
		return 8, true
	case "cron":
		return 9, true
	case "authpriv":
		return 10, true
	case "ftp":
		return 11, true
	case "ntp":
		return 12, true
	case "security":
		return 13, true
	case "console":
		return 14, true
	}
	if n, ok := strings.CutPrefix(name, "local"); ok && len(n) == 1 && n[0] >= '0' && n[0] <= '7' {
		return 16 + int(n[0]-'0'), true
	}
	return 0, false
}

// Syslog severities.
const (
	sevCrit    = 2
	sevErr     = 3
	sevWarning = 4
	sevNotice  = 5
	sevInfo    = 6
)

// severity maps a message kind to a syslog severity.
func severity(kind string) int {
	switch strings.ToLower(kind) {
	case "down", "critical":
		return sevCrit
	case "alarm":
		return sevErr
	case "warning", "warn":
		return sevWarning
	case "up", "ok", "test":
		return sevNotice
	}
	return sevInfo
}

// sdID names Vantage's structured data element. 32473 is the private
// enterprise number reserved for documentation (RFC 5612).
const sdID = "vantage@32473"

// syslogNotifier sends RFC 5424 messages over UDP (one per datagram) or TCP
// (octet-counting framing, RFC 6587).
type syslogNotifier struct {
	cfg      Config
	tmpl     *template.Template
	facility int
	procID   string
}

func newSyslog(c Config) (*syslogNotifier, error) {
	t, err := compile("message", c.Template, DefaultTemplate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.key("template"), err)
	}
	f, _ := facilityCode(c.Facility)
	return &syslogNotifier{cfg: c, tmpl: t, facility: f, procID: strconv.Itoa(os.Getpid())}, nil
}

func (s *syslogNotifier) Name() string { return s.cfg.Name }

// header returns a header field: printable US-ASCII without spaces, at most
// n characters, or "-" when empty.
func header(v string, n int) string {
	var b strings.Builder
	for _, r := range v {
		if r > 32 && r < 127 && b.Len() < n {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// sdValue escapes a structured data parameter value.
func sdValue(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(v)
}

// format builds the RFC 5424 line for m.
func (s *syslogNotifier) format(m Message) (string, error) {
	text, err := execute(s.tmpl, m)
	if err != nil {
		return "", Permanent(fmt.Errorf("notifier %s: template: %w", s.cfg.Name, err))
	}
	text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(text)
	ts := "-"
	if !m.Time.IsZero() {
		ts = m.Time.Format("2006-01-02T15:04:05.000000Z07:00")
	}
	var sd strings.Builder
	sd.WriteString("[" + sdID)
	for _, p := range [...]struct{ k, v string }{
		{"map", m.Map}, {"device", m.Device}, {"address", m.Address},
		{"status", m.Status}, {"acknowledged", strconv.FormatBool(m.Acknowledged)},
	} {
		fmt.Fprintf(&sd, ` %s="%s"`, p.k, sdValue(p.v))
	}
	sd.WriteString("]")
	pri := s.facility*8 + severity(m.Kind)
	return fmt.Sprintf("<%d>1 %s %s %s %s %s %s %s", pri, ts,
		header(s.cfg.Hostname, 255), header(s.cfg.AppName, 48), header(s.procID, 128),
		header(m.Kind, 32), sd.String(), text), nil
}

// Send dials, writes one message and closes.
func (s *syslogNotifier) Send(ctx context.Context, m Message) error {
	line, err := s.format(m)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, s.cfg.Network, s.cfg.Address)
	if err != nil {
		return fmt.Errorf("notifier %s: syslog %s %s: %w", s.cfg.Name, s.cfg.Network, s.cfg.Address, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	payload := line
	if s.cfg.Network == "tcp" {
		payload = strconv.Itoa(len(line)) + " " + line
	}
	if _, err := conn.Write([]byte(payload)); err != nil {
		return fmt.Errorf("notifier %s: syslog %s %s: %w", s.cfg.Name, s.cfg.Network, s.cfg.Address, err)
	}
	return nil
}
