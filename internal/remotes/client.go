package remotes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client reads another Vantage server's API.
type Client struct {
	base *url.URL
	http *http.Client
	auth func(*http.Request)
}

// ClientOptions say how to reach and trust a server.
type ClientOptions struct {
	URL string
	// Token is sent as a Bearer token; otherwise User and Password as
	// HTTP Basic.
	Token, User, Password string
	Fingerprint           string
	Insecure              bool
	// Timeout bounds each request (0: only the caller's context does).
	Timeout time.Duration
}

// NewClient checks the options and builds a client.
func NewClient(o ClientOptions) (*Client, error) {
	u, err := ParseURL(o.URL)
	if err != nil {
		return nil, err
	}
	hc, err := HTTPClient(o.Fingerprint, o.Insecure, o.Timeout)
	if err != nil {
		return nil, err
	}
	c := &Client{base: u, http: hc, auth: func(*http.Request) {}}
	switch {
	case o.Token != "":
		c.auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+o.Token) }
	case o.User != "":
		c.auth = func(r *http.Request) { r.SetBasicAuth(o.User, o.Password) }
	}
	return c, nil
}

// ForServer builds the client of a servers: entry.
func ForServer(s Server, timeout time.Duration) (*Client, error) {
	return NewClient(ClientOptions{URL: s.URL, Token: s.Token, Fingerprint: s.Fingerprint, Insecure: s.Insecure, Timeout: timeout})
}

// Base is the server's base URL.
func (c *Client) Base() string { return c.base.String() }

// Host is the server's host and port, for reasons ("map Campus on
// vantage2:8080").
func (c *Client) Host() string { return c.base.Host }

// MapURL is the address of a map in the server's web UI, for drill-down.
func (c *Client) MapURL(name string) string {
	return c.base.String() + "/#/map/" + url.PathEscape(name)
}

// Open sends an authenticated GET of path (under the base URL) and returns
// the response when its status is 200; otherwise the error carries the
// server's {"error": …} text.
func (c *Client) Open(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+path, nil)
	if err != nil {
		return nil, err
	}
	c.auth(req)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.base.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		var e struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		return nil, &StatusError{Code: resp.StatusCode, Host: c.base.Host, Msg: msg}
	}
	return resp, nil
}

// StatusError is a non-200 answer.
type StatusError struct {
	Code      int
	Host, Msg string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered %d %s: %s", e.Host, e.Code, http.StatusText(e.Code), e.Msg)
}

// getJSON GETs path and decodes at most 8 MiB of JSON into out.
func (c *Client) getJSON(ctx context.Context, path string, out any) error {
	resp, err := c.Open(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s%s: bad answer: %w", c.base.Host, path, err)
	}
	return nil
}

// Summary reads one map's summary.
func (c *Client) Summary(ctx context.Context, mapName string) (Summary, error) {
	var s Summary
	err := c.getJSON(ctx, "/api/v1/maps/"+url.PathEscape(mapName)+"/summary", &s)
	return s, err
}

// MapRow is one map of GET /api/v1/maps.
type MapRow struct {
	Name    string         `json:"name"`
	Status  string         `json:"status"`
	Devices int            `json:"devices"`
	Counts  map[string]int `json:"counts"`
	// URL opens the map in that server's web UI.
	URL string `json:"url,omitempty"`
}

// Maps lists the server's maps with their status.
func (c *Client) Maps(ctx context.Context) ([]MapRow, error) {
	var rows []MapRow
	if err := c.getJSON(ctx, "/api/v1/maps", &rows); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].URL = c.MapURL(rows[i].Name)
	}
	return rows, nil
}
