package notify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/dur"
)

// Secret stands for a stored secret in API answers; a client that sends it
// back keeps the stored value.
const Secret = "(secret)"

type plainConfig Config

// configJSON shadows Config's durations with text ones ("2s").
type configJSON struct {
	plainConfig
	RetryDelay dur.Duration `json:"retry_delay"`
	Timeout    dur.Duration `json:"timeout"`
}

// MarshalJSON writes durations as text.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{plainConfig: plainConfig(c), RetryDelay: dur.Duration(c.RetryDelay), Timeout: dur.Duration(c.Timeout)})
}

// UnmarshalJSON reads durations as text or seconds, over DefaultConfig's
// values for fields left out.
func (c *Config) UnmarshalJSON(b []byte) error {
	d := DefaultConfig()
	v := configJSON{plainConfig: plainConfig(d), RetryDelay: dur.Duration(d.RetryDelay), Timeout: dur.Duration(d.Timeout)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Config(v.plainConfig)
	c.RetryDelay, c.Timeout = time.Duration(v.RetryDelay), time.Duration(v.Timeout)
	return nil
}

// secrets lists the fields of c that never leave the server: the SMTP
// password, webhook headers (tokens) and Slack/Teams URLs (the URL is the
// credential there).
func (c *Config) secrets() []*string {
	out := []*string{&c.Password}
	if c.Type == TypeSlack || c.Type == TypeTeams {
		out = append(out, &c.URL)
	}
	return out
}

// Redacted returns c with its secrets replaced by Secret.
func (c Config) Redacted() Config {
	for _, f := range c.secrets() {
		if *f != "" {
			*f = Secret
		}
	}
	if len(c.Headers) > 0 {
		h := make(map[string]string, len(c.Headers))
		for k := range c.Headers {
			h[k] = Secret
		}
		c.Headers = h
	}
	return c
}

// Restore puts stored's secrets back where c carries Secret, so an edited
// notifier keeps its password without the client ever seeing it. A Secret
// with nothing stored behind it (a renamed notifier, a new header) is an
// error naming the field: saving the placeholder as the value would break
// the notifier silently.
func (c *Config) Restore(stored Config) error {
	var missing []string
	mine, theirs := c.secrets(), stored.secrets()
	names := []string{"password", "url"}
	for i, f := range mine {
		if *f != Secret {
			continue
		}
		if i < len(theirs) && *theirs[i] != "" {
			*f = *theirs[i]
		} else {
			missing = append(missing, names[i])
		}
	}
	for k, v := range c.Headers {
		if v != Secret {
			continue
		}
		if old, ok := stored.Headers[k]; ok {
			c.Headers[k] = old
		} else {
			missing = append(missing, "headers."+k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("notifiers[%s]: no stored value for %s: type it again", c.Name, strings.Join(missing, ", "))
	}
	return nil
}
