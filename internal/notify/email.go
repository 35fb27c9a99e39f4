package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// emailNotifier sends over SMTP, upgrading with STARTTLS when offered
// (required when starttls is true) and authenticating with PLAIN only over
// TLS.
type emailNotifier struct {
	cfg      Config
	subject  *template.Template
	text     *template.Template
	from     *mail.Address
	to       []*mail.Address
	roots    *x509.CertPool // nil: the system roots
	hostname string
}

func newEmail(c Config) (*emailNotifier, error) {
	e := &emailNotifier{cfg: c}
	var err error
	if e.text, err = compile("message", c.Template, DefaultTemplate); err != nil {
		return nil, fmt.Errorf("%s: %w", c.key("template"), err)
	}
	if e.subject, err = compile("subject", c.Subject, DefaultSubject); err != nil {
		return nil, fmt.Errorf("%s: %w", c.key("subject"), err)
	}
	if e.from, err = mail.ParseAddress(c.From); err != nil {
		return nil, fmt.Errorf("%s: %w", c.key("from"), err)
	}
	for i, s := range c.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.key(fmt.Sprintf("to[%d]", i)), err)
		}
		e.to = append(e.to, a)
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.key("ca_file"), err)
		}
		e.roots = x509.NewCertPool()
		if !e.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s: no PEM certificate", c.key("ca_file"), c.CAFile)
		}
	}
	e.hostname, _ = os.Hostname()
	if e.hostname == "" {
		e.hostname = "localhost"
	}
	return e, nil
}

func (e *emailNotifier) Name() string { return e.cfg.Name }

// oneLine drops CR and LF so that a value cannot add header lines.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// compose builds the message: headers, a blank line, the body with CRLF
// line ends.
func (e *emailNotifier) compose(m Message, now time.Time) ([]byte, error) {
	subject, err := execute(e.subject, m)
	if err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	body, err := execute(e.text, m)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	to := make([]string, len(e.to))
	for i, a := range e.to {
		to[i] = a.String()
	}
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + oneLine(v) + "\r\n") }
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+e.hostname+">")
	h("From", e.from.String())
	h("To", strings.Join(to, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", oneLine(subject)))
	h("MIME-Version", "1.0")
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\n", "\r\n")
	if !strings.HasSuffix(body, "\r\n") {
		body += "\r\n"
	}
	if len(m.Attachments) == 0 {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "8bit")
		h("X-Mailer", "Vantage")
		b.WriteString("\r\n")
		b.WriteString(body)
		return []byte(b.String()), nil
	}
	// With attachments: multipart/mixed, the text first, each file in
	// base64.
	var parts strings.Builder
	mw := multipart.NewWriter(&parts)
	h("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	h("X-Mailer", "Vantage")
	b.WriteString("\r\n")
	text, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"8bit"}})
	if err != nil {
		return nil, err
	}
	text.Write([]byte(body))
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := oneLine(a.Name)
		if name == "" {
			name = "attachment"
		}
		p, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {oneLine(ct)},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			p.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		p.Write([]byte(enc + "\r\n"))
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	b.WriteString(parts.String())
	return []byte(b.String()), nil
}

// Attachment is a file sent with an e-mail.
type Attachment struct {
	// Name is the file name the recipient sees ("report.html").
	Name string
	// ContentType is its MIME type ("text/html; charset=utf-8"); empty is
	// application/octet-stream.
	ContentType string
	Data        []byte
}

// Send delivers one message in one SMTP session.
func (e *emailNotifier) Send(ctx context.Context, m Message) error {
	msg, err := e.compose(m, time.Now())
	if err != nil {
		return Permanent(fmt.Errorf("notifier %s: %w", e.cfg.Name, err))
	}
	ctx, cancel := withTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	if err := e.session(ctx, msg); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", context.Cause(ctx), err)
		}
		return fmt.Errorf("notifier %s: smtp %s: %w", e.cfg.Name, net.JoinHostPort(e.cfg.SMTPHost, strconv.Itoa(e.cfg.SMTPPort)), err)
	}
	return nil
}

// permanentSMTP marks 5xx replies as permanent.
func permanentSMTP(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

func (e *emailNotifier) session(ctx context.Context, msg []byte) error {
	addr := net.JoinHostPort(e.cfg.SMTPHost, strconv.Itoa(e.cfg.SMTPPort))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, e.cfg.SMTPHost)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(e.hostname); err != nil {
		return err
	}
	tlsOn := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: e.cfg.SMTPHost, RootCAs: e.roots, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		tlsOn = true
	} else if *e.cfg.StartTLS {
		return Permanent(errors.New("server does not offer STARTTLS and starttls is required"))
	}
	if e.cfg.Username != "" {
		if !tlsOn {
			return Permanent(errors.New("refusing to send the password without TLS"))
		}
		if ok, mechs := c.Extension("AUTH"); !ok || !strings.Contains(" "+strings.ToUpper(mechs)+" ", " PLAIN ") {
			return Permanent(fmt.Errorf("server does not offer AUTH PLAIN (AUTH %q)", mechs))
		}
		if err := c.Auth(smtp.PlainAuth("", e.cfg.Username, e.cfg.Password, e.cfg.SMTPHost)); err != nil {
			return permanentSMTP(fmt.Errorf("AUTH: %w", err))
		}
	}
	if err := c.Mail(e.from.Address); err != nil {
		return permanentSMTP(fmt.Errorf("MAIL FROM: %w", err))
	}
	for _, a := range e.to {
		if err := c.Rcpt(a.Address); err != nil {
			return permanentSMTP(fmt.Errorf("RCPT TO %s: %w", a.Address, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return permanentSMTP(fmt.Errorf("DATA: %w", err))
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return permanentSMTP(fmt.Errorf("DATA: %w", err))
	}
	return c.Quit()
}
