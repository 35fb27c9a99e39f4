package console

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/ctl"
)

// login asks for a user name and password until one is an
// administrator's, the tries run out or the address is locked out.
func (ss *session) login(ctx context.Context) bool {
	lim := ss.srv.limiter
	ss.printf("Vantage %s admin console.\r\nLog in with an administrator's account.\r\n", ss.srv.deps.Version)
	for range ss.srv.cfg.Attempts {
		if locked, until := lim.Locked(ss.peer); locked {
			ss.log.Warn("console login refused: address locked out", "until", until)
			ss.printf("Too many failed logins from your address; try again after %s.\r\n", until.UTC().Format(time.RFC3339))
			ss.flush()
			return false
		}
		ss.printf("User: ")
		if !ss.flush() {
			return false
		}
		user, err := ss.readLine()
		if err != nil && !errors.Is(err, ErrLineTooLong) {
			return false
		}
		user = strings.TrimSpace(user)
		// Hide the password from telnet clients: offering to echo makes
		// the client stop echoing, and the console echoes nothing.
		// Plain nc clients never see telnet bytes.
		if ss.in.telnet {
			ss.in.echo = true
			ss.out.Write([]byte{iac, will, optEcho})
		}
		ss.printf("Password: ")
		if !ss.flush() {
			return false
		}
		pw, err := ss.readLine()
		if ss.in.echo {
			ss.in.echo = false
			ss.out.Write([]byte{iac, wont, optEcho})
			ss.printf("\r\n")
		}
		if err != nil && !errors.Is(err, ErrLineTooLong) {
			return false
		}
		ok := false
		if user != "" && err == nil {
			ok, err = ss.srv.deps.CheckAdmin(ctx, user, pw)
			if err != nil {
				ss.log.Error("console login could not be checked", "user", user, "err", err)
				ss.printf("Cannot check passwords now (see the server log).\r\n")
				ss.flush()
				return false
			}
		}
		if ok {
			lim.Succeed(ss.peer)
			ss.user = user
			ss.log.Info("console user logged in", "user", user)
			ss.printf("Welcome, %s. Enter 'help' for the command list.\r\n", user)
			return true
		}
		locked := lim.Fail(ss.peer)
		ss.log.Warn("console login failed", "user", user, "locked_out", locked)
		if !sleep(ctx, lim.Delay()) {
			return false
		}
		ss.printf("Login incorrect.\r\n")
		if locked {
			ss.printf("Too many failed logins from your address; locked out.\r\n")
			ss.flush()
			return false
		}
	}
	ss.printf("Too many attempts; goodbye.\r\n")
	ss.flush()
	return false
}

// commands reads and runs commands until quit, an error or the idle
// timeout.
func (ss *session) commands(ctx context.Context) {
	for {
		ss.printf("> ")
		if !ss.flush() {
			return
		}
		line, err := ss.readLine()
		var ne net.Error
		switch {
		case errors.Is(err, ErrLineTooLong):
			ss.printf("error: line too long (at most %d bytes)\r\n", ss.srv.cfg.MaxLine)
			continue
		case errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil:
			ss.printf("\r\nIdle for too long; goodbye.\r\n")
			ss.flush()
			return
		case err != nil:
			return
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		ss.log.Info("console command", "user", ss.user, "command", f[0])
		err = ctl.Run(ctx, ss.srv.deps.Backend, f[0], f[1:], crlf{ss.out})
		switch {
		case errors.Is(err, ctl.ErrQuit):
			ss.printf("Bye.\r\n")
			ss.flush()
			return
		case err != nil:
			ss.printf("error: %s\r\n", err)
		}
	}
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
