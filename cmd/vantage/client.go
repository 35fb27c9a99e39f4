package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiClient is how the administrator's commands talk to a running
// server's HTTP API: one set of flags (--url, --user, --password-file,
// --insecure, --timeout) and one error shape for all of them.
type apiClient struct {
	base, user, pwFile *string
	insecure           *bool
	timeout            *time.Duration
}

// addClientFlags registers the connection flags on fs.
func addClientFlags(fs *flag.FlagSet) *apiClient {
	return &apiClient{
		base:     fs.String("url", "http://127.0.0.1:8080", "the server's web address"),
		user:     fs.String("user", "admin", "user name"),
		pwFile:   fs.String("password-file", "", "file holding the password (default: $VANTAGE_PASSWORD; $VANTAGE_TOKEN for a bearer token)"),
		insecure: fs.Bool("insecure", false, "accept any TLS certificate (a self-signed one)"),
		timeout:  fs.Duration("timeout", 2*time.Minute, "give up after this long"),
	}
}

// get sends GET path?q and returns the open answer body; the caller closes
// it and cancels the context.
func (c *apiClient) get(path string, q url.Values) (io.ReadCloser, context.CancelFunc, error) {
	auth, err := credentials(*c.user, *c.pwFile)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(strings.TrimRight(*c.base, "/") + path)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return nil, nil, fmt.Errorf("--url: %q is not an http or https address", *c.base)
	}
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), *c.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	auth(req)
	client := &http.Client{}
	if *c.insecure {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("asking %s: %w", u.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		defer cancel()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return nil, nil, fmt.Errorf("server: %s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return nil, nil, fmt.Errorf("server answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return resp.Body, cancel, nil
}

// getJSON decodes GET path?q into out.
func (c *apiClient) getJSON(path string, q url.Values, out any) error {
	body, cancel, err := c.get(path, q)
	if err != nil {
		return err
	}
	defer cancel()
	defer body.Close()
	if err := json.NewDecoder(body).Decode(out); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}
