package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// reportCmd fetches a report from a running server's API
// (GET /api/v1/reports) and writes it to stdout or a file, so reports can
// come from cron or a script without the web UI.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "the server's web address")
	user := fs.String("user", "admin", "user name")
	pwFile := fs.String("password-file", "", "file holding the password (default: $VANTAGE_PASSWORD; $VANTAGE_TOKEN for a bearer token)")
	mapName := fs.String("map", "", "map to report on (required)")
	device := fs.String("device", "", "one device of the map (default: every device)")
	from := fs.String("from", "24h", "start: RFC 3339, Unix seconds, or a duration back from now like 7d")
	to := fs.String("to", "", "end, as from (default: now)")
	format := fs.String("format", "html", "html, csv or json")
	out := fs.String("o", "", "write to this file instead of stdout")
	insecure := fs.Bool("insecure", false, "accept any TLS certificate (a self-signed one)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vantage report --map M [--device D] [--from 7d] [--to T] [--format html|csv|json] [-o FILE] [--url URL] [--user U] [--password-file F]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *mapName == "" {
		return errors.New("--map is required")
	}
	switch *format {
	case "html", "csv", "json":
	default:
		return fmt.Errorf("--format: %q is not html, csv or json", *format)
	}
	auth, err := credentials(*user, *pwFile)
	if err != nil {
		return err
	}
	u, err := url.Parse(strings.TrimRight(*base, "/") + "/api/v1/reports")
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--url: %q is not an http or https address", *base)
	}
	q := url.Values{"map": {*mapName}, "from": {*from}, "format": {*format}}
	if *device != "" {
		q.Set("device", *device)
	}
	if *to != "" {
		q.Set("to", *to)
	}
	u.RawQuery = q.Encode()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	auth(req)
	client := &http.Client{}
	if *insecure {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("asking %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("server: %s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("server answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if *out == "" {
		if _, err := io.Copy(stdout, resp.Body); err != nil {
			return fmt.Errorf("reading the report: %w", err)
		}
		return nil
	}
	return writeFileAtomic(*out, resp.Body)
}

// credentials picks HTTP Basic with the password from --password-file or
// $VANTAGE_PASSWORD, else a bearer token from $VANTAGE_TOKEN. A password is
// never taken on the command line, where ps would show it.
func credentials(user, pwFile string) (func(*http.Request), error) {
	pw := os.Getenv("VANTAGE_PASSWORD")
	if pwFile != "" {
		b, err := os.ReadFile(pwFile)
		if err != nil {
			return nil, fmt.Errorf("--password-file: %w", err)
		}
		pw = strings.TrimRight(string(b), "\r\n")
	}
	if pw != "" {
		return func(r *http.Request) { r.SetBasicAuth(user, pw) }, nil
	}
	if tok := os.Getenv("VANTAGE_TOKEN"); tok != "" {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, nil
	}
	return nil, errors.New("no password: use --password-file, or set $VANTAGE_PASSWORD or $VANTAGE_TOKEN")
}

// writeFileAtomic writes r to name through a temporary file, so a failed
// download never leaves half a report where a good one was.
func writeFileAtomic(name string, r io.Reader) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".vantage-report-*")
	if err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("reading the report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	return nil
}
