// Package auth keeps users, groups, their passwords, API tokens and per-map
// access; checks logins (local, LDAP, RADIUS) with a throttle and lockout;
// and filters connections by IP allow-lists. Every change is written to
// the event log as an AUDIT line.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
)

// AdminUser is the user created on first start.
const AdminUser = "admin"

// ErrBadCredentials is returned for an unknown user, a wrong password or an
// unknown token; the caller must not tell which.
var ErrBadCredentials = errors.New("invalid credentials")

// AdminGroup is the built-in group of server administrators: its members
// manage settings, users, notifiers and every map.
const AdminGroup = "admin"

// User is an account.
type User struct {
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
	// Source is local, ldap or radius: external users are recorded at
	// their first login so tokens and grants can name them.
	Source  string    `json:"source"`
	Created time.Time `json:"created"`
}

// Events receives the AUTH and AUDIT lines (the event log).
type Events interface {
	Write(e eventlog.Event) error
}

// Options are the Service's settings and collaborators.
type Options struct {
	Config Config
	// Events receives failed logins, lockouts and every change; nil
	// drops them.
	Events Events
	Logger *slog.Logger
	// Now is the clock (tests inject one to expire lockouts).
	Now func() time.Time
}

// Service checks and manages users, groups, tokens and access. bcrypt is
// deliberately slow, so a successful Basic check is remembered for a
// short while: API clients that send the same credentials with every
// request stay fast.
type Service struct {
	db      *sql.DB
	cfg     Config
	events  Events
	logger  *slog.Logger
	now     func() time.Time
	limiter *limiter
	ldap    *ldapAuth
	radius  *radiusAuth

	mu    sync.Mutex
	cache map[[32]byte]cached
	// grants mirrors map_access (map → grants), loaded at first use and
	// after each change: every request reads it.
	grants map[string]Grants
}

type cached struct {
	user    string
	expires time.Time
}

const cacheTTL = 5 * time.Minute

// New returns a Service over an opened store database; o.Config usually
// starts from DefaultConfig.
func New(db *sql.DB, o Options) (*Service, error) {
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{db: db, cfg: o.Config, events: o.Events, logger: o.Logger, now: o.Now, cache: map[[32]byte]cached{}}
	s.limiter = newLimiter(o.Config.Lockout)
	if o.Config.LDAP.URL != "" {
		s.ldap = &ldapAuth{cfg: o.Config.LDAP}
	}
	if o.Config.RADIUS.Address != "" {
		s.radius = &radiusAuth{cfg: o.Config.RADIUS}
	}
	return s, nil
}

// EnsureAdmin creates the admin user on first start. The password is
// envPassword when set, otherwise a generated one that is written to
// passwordFile (mode 0600) and returned so it can be printed once.
func (s *Service) EnsureAdmin(ctx context.Context, envPassword, passwordFile string) (generated string, err error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE name = ?`, AdminUser).Scan(&n); err != nil {
		return "", fmt.Errorf("look up admin user: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	pw := envPassword
	if pw == "" {
		pw = randomString(18)
		if err := os.MkdirAll(filepath.Dir(passwordFile), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(passwordFile, []byte(pw+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("write initial admin password: %w", err)
		}
		generated = pw
	}
	if err := s.AddUser(ctx, AdminUser, pw, []string{AdminGroup}); err != nil {
		return "", err
	}
	return generated, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// Equal compares secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
