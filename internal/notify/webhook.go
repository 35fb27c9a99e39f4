package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"text/template"
	"time"
)

// webhookNotifier POSTs JSON: the body template, or a fixed object, for a
// webhook; {"text": ...} for Slack; a MessageCard for Teams.
type webhookNotifier struct {
	cfg    Config
	text   *template.Template
	body   *template.Template // webhook with a JSON body template
	client *http.Client
}

func newWebhook(c Config) (*webhookNotifier, error) {
	w := &webhookNotifier{cfg: c, client: &http.Client{}}
	var err error
	if c.Type == TypeWebhook && c.Template != "" {
		w.body, err = compile("body", c.Template, "")
	} else {
		w.text, err = compile("message", c.Template, DefaultTemplate)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.key("template"), err)
	}
	return w, nil
}

func (w *webhookNotifier) Name() string { return w.cfg.Name }

// webhookBody is the fixed JSON object sent without a body template.
type webhookBody struct {
	Kind         string    `json:"kind"`
	Time         time.Time `json:"time"`
	Map          string    `json:"map"`
	Device       string    `json:"device"`
	Address      string    `json:"address"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason"`
	URL          string    `json:"url"`
	Acknowledged bool      `json:"acknowledged"`
	Text         string    `json:"text"`
}

// payload builds the JSON body for m.
func (w *webhookNotifier) payload(m Message) ([]byte, error) {
	if w.body != nil {
		s, err := execute(w.body, m)
		if err != nil {
			return nil, err
		}
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("body template did not produce valid JSON: %.200q", s)
		}
		return []byte(s), nil
	}
	text, err := execute(w.text, m)
	if err != nil {
		return nil, err
	}
	switch w.cfg.Type {
	case TypeSlack:
		return json.Marshal(map[string]string{"text": text})
	case TypeTeams:
		return json.Marshal(map[string]string{
			"@type":    "MessageCard",
			"@context": "https://schema.org/extensions",
			"summary":  m.Kind + ": " + m.Device,
			"text":     text,
		})
	}
	return json.Marshal(webhookBody{
		Kind: m.Kind, Time: m.Time, Map: m.Map, Device: m.Device, Address: m.Address,
		Status: m.Status, Reason: m.Reason, URL: m.URL, Acknowledged: m.Acknowledged, Text: text,
	})
}

// Send POSTs once: 2xx is success, 4xx (but 408 and 429) a permanent
// failure, anything else worth a retry.
func (w *webhookNotifier) Send(ctx context.Context, m Message) error {
	body, err := w.payload(m)
	if err != nil {
		return Permanent(fmt.Errorf("notifier %s: %w", w.cfg.Name, err))
	}
	ctx, cancel := withTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("notifier %s: %w", w.cfg.Name, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vantage")
	for k, v := range w.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("notifier %s: POST %s: %w", w.cfg.Name, req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("notifier %s: POST %s: %s: %q", w.cfg.Name, req.URL.Redacted(), resp.Status, bytes.TrimSpace(excerpt))
	if resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return Permanent(err)
	}
	return err
}
