package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"

	"github.com/vantage-monitor/vantage/internal/eventlog"
)

// Event-log kinds written here.
const (
	// KindAuth lines are failed logins, lockouts and directory trouble.
	KindAuth = "AUTH"
	// KindAudit lines are changes: who changed what.
	KindAudit = "AUDIT"
)

// Credentials are what a login presents.
type Credentials struct {
	User     string `json:"user"`
	Password string `json:"password"`
	// Addr is the client's address, for the throttle and the log.
	Addr netip.Addr `json:"-"`
	// Via names the way in for the log: web, api, remote, console.
	Via string `json:"-"`
}

// Login checks a user name and password: a local user of that name first
// (and only: a directory never stands in for a local account), then LDAP,
// then RADIUS. Failures are throttled per user name and per address and
// logged; a directory that cannot be reached is logged and skipped, so
// local users keep working when it is down.
func (s *Service) Login(ctx context.Context, c Credentials) (Identity, error) {
	if c.User == "" || len(c.User) > 256 || len(c.Password) > 1024 {
		return Identity{}, ErrBadCredentials
	}
	key := sha256.Sum256([]byte(c.User + "\x00" + c.Password))
	s.mu.Lock()
	hit, ok := s.cache[key]
	s.mu.Unlock()
	// Credentials checked moments ago pass even while someone else is
	// locking the name out by guessing: only a right password is cached.
	if ok && s.now().Before(hit.expires) {
		return s.Identity(ctx, hit.user)
	}
	keys := []string{"user " + c.User}
	if c.Addr.IsValid() {
		keys = append(keys, "address "+c.Addr.Unmap().String())
	}
	if t := s.limiter.check(s.now(), keys...); t != nil {
		return Identity{}, t
	}
	id, err := s.verify(ctx, c)
	if err == nil {
		s.limiter.succeed(keys[0])
		s.remember(key, id.Name)
		return id, nil
	}
	if !errors.Is(err, ErrBadCredentials) {
		return Identity{}, err
	}
	locked, n := s.limiter.fail(s.now(), keys...)
	s.event(eventlog.Event{Kind: KindAuth, Message: fmt.Sprintf("failed login for user %q from %s via %s (%d in a row)", c.User, addrString(c.Addr), c.Via, n)})
	for _, k := range locked {
		s.event(eventlog.Event{Kind: KindAuth, Message: fmt.Sprintf("locked out %s for %s after repeated failed logins", k, s.cfg.Lockout.Duration)})
		s.logger.Warn("login lockout", "key", k, "for", s.cfg.Lockout.Duration)
	}
	return Identity{}, ErrBadCredentials
}

// verify checks the password against the local users, then the
// directories.
func (s *Service) verify(ctx context.Context, c Credentials) (Identity, error) {
	known, err := s.checkLocal(ctx, c.User, c.Password)
	if err == nil {
		return s.Identity(ctx, c.User)
	}
	if known || !errors.Is(err, ErrBadCredentials) {
		return Identity{}, err
	}
	if err := checkName("user", c.User); err != nil {
		return Identity{}, ErrBadCredentials
	}
	type directory struct {
		source string
		check  func(ctx context.Context, user, password string) ([]string, error)
	}
	var dirs []directory
	if s.ldap != nil {
		dirs = append(dirs, directory{SourceLDAP, s.ldap.login})
	}
	if s.radius != nil {
		dirs = append(dirs, directory{SourceRADIUS, s.radius.login})
	}
	for _, d := range dirs {
		groups, err := d.check(ctx, c.User, c.Password)
		if errors.Is(err, ErrBadCredentials) {
			continue
		}
		if err != nil {
			s.logger.Error("directory unavailable: its users cannot log in", "source", d.source, "user", c.User, "err", err)
			s.event(eventlog.Event{Kind: KindAuth, Message: fmt.Sprintf("%s unavailable for the login of %q: %v", d.source, c.User, err)})
			continue
		}
		if err := s.recordExternal(ctx, c.User, d.source, groups); err != nil {
			return Identity{}, err
		}
		return Identity{Name: c.User, Groups: groups, Source: d.source}, nil
	}
	return Identity{}, ErrBadCredentials
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "an unknown address"
	}
	return a.Unmap().String()
}

// event writes to the event log when there is one.
func (s *Service) event(e eventlog.Event) {
	if s.events == nil {
		return
	}
	if err := s.events.Write(e); err != nil {
		s.logger.Error("event log write failed", "err", err)
	}
}

// Audit records a change in the event log: who did what. Callers that
// change things through this package (the API) call it once the change
// has been made.
func (s *Service) Audit(who, format string, args ...any) {
	s.event(eventlog.Event{Kind: KindAudit, Message: who + ": " + fmt.Sprintf(format, args...)})
}
