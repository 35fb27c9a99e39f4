package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ctlCmd runs an admin console command on a running server through its
// API (POST /api/v1/ctl) and prints the same text the console would.
func ctlCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := addClientFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vantage ctl [--url URL] [--user U] [--password-file F] [--insecure] COMMAND [ARGS]")
		fmt.Fprintln(stderr, "commands: help, maps, devices [MAP], status DEVICE, flows, ext, poll DEVICE (DEVICE is MAP~NAME or a name on one map only)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no command given")
	}
	body, _ := json.Marshal(map[string]any{"command": fs.Arg(0), "args": append([]string{}, fs.Args()[1:]...)})
	out, cancel, err := c.post("/api/v1/ctl", body)
	if err != nil {
		return err
	}
	defer cancel()
	defer out.Close()
	if _, err := io.Copy(stdout, out); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}

// post sends a JSON body to path and returns the open answer body; errors
// are shaped like get's.
func (c *apiClient) post(path string, body []byte) (io.ReadCloser, context.CancelFunc, error) {
	auth, err := credentials(*c.user, *c.pwFile)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(strings.TrimRight(*c.base, "/") + path)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return nil, nil, fmt.Errorf("--url: %q is not an http or https address", *c.base)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *c.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
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
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return nil, nil, fmt.Errorf("server: %s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return nil, nil, fmt.Errorf("server answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return resp.Body, cancel, nil
}
