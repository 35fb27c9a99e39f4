package main

import (
	"bytes"
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
	return c.do(http.MethodGet, path, q, nil)
}

// post sends a JSON body to path, as get does.
func (c *apiClient) post(path string, body []byte) (io.ReadCloser, context.CancelFunc, error) {
	return c.do(http.MethodPost, path, nil, body)
}

// do sends one request; an answer other than 2xx is an error carrying the
// server's {"error"} text.
func (c *apiClient) do(method, path string, q url.Values, body []byte) (io.ReadCloser, context.CancelFunc, error) {
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
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
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
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		defer cancel()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return nil, nil, fmt.Errorf("server: %s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return nil, nil, fmt.Errorf("server answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
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

// postJSON sends body as JSON to path and decodes the answer into out.
func (c *apiClient) postJSON(path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	rd, cancel, err := c.post(path, b)
	if err != nil {
		return err
	}
	defer cancel()
	defer rd.Close()
	if err := json.NewDecoder(rd).Decode(out); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}
