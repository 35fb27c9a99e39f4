package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/settingsync"
)

const syncUsage = `usage: vantage sync --from https://primary:8080 [--token-file F | --token T | --user U --password-file F]
                   [--fingerprint SHA256:… | --insecure] [--data DIR] [--interval 5m] [--dry-run]

Copies the primary server's maps, probe files, MIBs, tools and settings into
this server's settings folder (GET /api/v1/export, an administrator's token or
password). Chart data, events, users and logs are not copied; config.yaml keeps
this server's listeners, server_name, database, servers and icmp. A running
server picks up maps and probe files within seconds; MIBs and the rest of
config.yaml apply at its next start. With --interval it keeps syncing until
stopped (SIGTERM or Ctrl-C).`

func syncCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, syncUsage); fs.PrintDefaults() }
	from := fs.String("from", "", "the primary's web address, https://primary:8080")
	data := fs.String("data", "./vantage-data", "this server's settings folder")
	token := fs.String("token", "", "API token of an administrator on the primary (visible to ps: prefer --token-file or $VANTAGE_TOKEN)")
	tokenFile := fs.String("token-file", "", "file holding the API token")
	user := fs.String("user", "", "administrator's user name on the primary, with --password-file or $VANTAGE_PASSWORD")
	pwFile := fs.String("password-file", "", "file holding the password")
	fingerprint := fs.String("fingerprint", "", "the primary's certificate SHA-256 (SHA256:AB:CD…, see GET /api/v1/server): trust that certificate alone")
	insecure := fs.Bool("insecure", false, "accept any certificate (prefer --fingerprint)")
	interval := fs.Duration("interval", 0, "sync again every interval until stopped; 0 syncs once")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up one sync after this long")
	dry := fs.Bool("dry-run", false, "show what would change, write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitCode(2)
	}
	if *interval != 0 && *interval < 10*time.Second {
		return errors.New("--interval: at least 10s")
	}
	o := remotes.ClientOptions{URL: *from, Fingerprint: *fingerprint, Insecure: *insecure}
	var err error
	if o.Token, o.User, o.Password, err = syncCredentials(*token, *tokenFile, *user, *pwFile); err != nil {
		return err
	}
	c, err := remotes.NewClient(o)
	if err != nil {
		return fmt.Errorf("--from/--fingerprint: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("component", "sync")
	opts := settingsync.ImportOptions{DryRun: *dry, CheckConfig: func(b []byte) error { _, err := config.Parse(b); return err }}
	pull := func(ctx context.Context) (settingsync.Report, error) {
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return settingsync.Pull(ctx, c, *data, opts)
	}
	if *interval == 0 {
		rep, err := pull(ctx)
		if err != nil {
			return err
		}
		printReport(stdout, rep, *dry)
		return nil
	}
	settingsync.Loop(ctx, *interval, pull, func(rep settingsync.Report, err error) {
		if err != nil {
			log.Error("sync failed; retrying at the next interval", "from", c.Base(), "err", err)
			return
		}
		printReport(stdout, rep, *dry)
	})
	return nil
}

// syncCredentials picks a bearer token (flag, file, $VANTAGE_TOKEN) or,
// with --user, a password (file, $VANTAGE_PASSWORD).
func syncCredentials(token, tokenFile, user, pwFile string) (tok, u, pw string, err error) {
	read := func(flagName, f string) (string, error) {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("%s: %w", flagName, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	switch {
	case token != "":
		return token, "", "", nil
	case tokenFile != "":
		tok, err = read("--token-file", tokenFile)
		return tok, "", "", err
	case user != "" && pwFile != "":
		pw, err = read("--password-file", pwFile)
		return "", user, pw, err
	case user != "" && os.Getenv("VANTAGE_PASSWORD") != "":
		return "", user, os.Getenv("VANTAGE_PASSWORD"), nil
	case user == "" && os.Getenv("VANTAGE_TOKEN") != "":
		return os.Getenv("VANTAGE_TOKEN"), "", "", nil
	}
	return "", "", "", errors.New("no credentials: use --token-file (or --token, $VANTAGE_TOKEN), or --user with --password-file (or $VANTAGE_PASSWORD)")
}

func printReport(w io.Writer, rep settingsync.Report, dry bool) {
	verb := "synced"
	if dry {
		verb = "would sync"
	}
	fmt.Fprintf(w, "%s %s from %s (Vantage %s, exported %s): %d added, %d changed, %d removed, %d unchanged\n",
		time.Now().Format(time.RFC3339), verb, orDash(rep.From.Server), orDash(rep.From.Version), rep.From.Created.Format(time.RFC3339),
		len(rep.Added), len(rep.Changed), len(rep.Removed), rep.Unchanged)
	for _, l := range []struct {
		mark  string
		paths []string
	}{{"+", rep.Added}, {"~", rep.Changed}, {"-", rep.Removed}, {"kept (edited here)", rep.Kept}} {
		for _, p := range l.paths {
			fmt.Fprintf(w, "  %s %s\n", l.mark, p)
		}
	}
	for _, p := range append(rep.Added, rep.Changed...) {
		if p == "config.yaml" || strings.HasPrefix(p, "mibs/") {
			fmt.Fprintln(w, "  note: config.yaml and MIBs apply at the server's next start")
			break
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
