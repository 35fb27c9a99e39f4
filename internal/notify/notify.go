// Package notify sends notifications about status changes: e-mail over SMTP,
// JSON webhooks (plain, Slack and Teams), a local command and syslog
// (RFC 5424). Which notifier fires when is decided elsewhere; this package
// only formats and delivers one message, with retries.
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is what one notification says.
type Message struct {
	Time time.Time
	// Kind is DOWN, UP, CRITICAL, ALARM, WARNING, OK, TRAP or TEST.
	Kind    string
	Map     string
	Device  string
	Address string
	Status  string
	Reason  string
	// URL links to the device in the web UI.
	URL          string
	Acknowledged bool
	// Attachments go with an e-mail as files (a scheduled report's HTML
	// or CSV); the other notifiers send the text alone.
	Attachments []Attachment
}

// Notifier sends messages of one configured kind.
type Notifier interface {
	Send(ctx context.Context, m Message) error
	Name() string
}

// ErrPermanent marks a failure that retrying cannot fix (a 4xx answer, a
// rejected address, a template error). SendWithRetry stops at once on it.
var ErrPermanent = errors.New("permanent failure")

// permanentError wraps a cause so that errors.Is(err, ErrPermanent) holds.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() []error {
	return []error{e.err, ErrPermanent}
}

// Permanent marks err as not worth retrying; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// New builds the notifier c describes. It validates c and is inert: nothing
// is dialled until Send.
func New(c Config) (Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	switch c.Type {
	case TypeEmail:
		return newEmail(c)
	case TypeWebhook, TypeSlack, TypeTeams:
		return newWebhook(c)
	case TypeCommand:
		return newCommand(c)
	case TypeSyslog:
		return newSyslog(c)
	}
	return nil, fmt.Errorf("%s: unknown type %q", c.key("type"), c.Type)
}

// withTimeout bounds one attempt by the notifier's timeout.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
