package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// reportCmd fetches a report from a running server's API
// (GET /api/v1/reports) and writes it to stdout or a file, so reports can
// come from cron or a script without the web UI.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := addClientFlags(fs)
	mapName := fs.String("map", "", "map to report on (required)")
	device := fs.String("device", "", "one device of the map (default: every device)")
	from := fs.String("from", "24h", "start: RFC 3339, Unix seconds, or a duration back from now like 7d")
	to := fs.String("to", "", "end, as from (default: now)")
	format := fs.String("format", "html", "html, csv or json")
	out := fs.String("o", "", "write to this file instead of stdout")
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
	q := url.Values{"map": {*mapName}, "from": {*from}, "format": {*format}}
	if *device != "" {
		q.Set("device", *device)
	}
	if *to != "" {
		q.Set("to", *to)
	}
	body, cancel, err := client.get("/api/v1/reports", q)
	if err != nil {
		return err
	}
	defer cancel()
	defer body.Close()
	if *out == "" {
		if _, err := io.Copy(stdout, body); err != nil {
			return fmt.Errorf("reading the report: %w", err)
		}
		return nil
	}
	return writeFileAtomic(*out, body)
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
