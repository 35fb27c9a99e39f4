// Package auth keeps users, their passwords and API tokens, and checks the
// credentials an HTTP request carries.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// AdminUser is the user created on first start.
const AdminUser = "admin"

// ErrBadCredentials is returned for an unknown user, a wrong password or an
// unknown token; the caller must not tell which.
var ErrBadCredentials = errors.New("invalid credentials")

// User is an account.
type User struct {
	Name    string    `json:"name"`
	Groups  []string  `json:"groups"`
	Created time.Time `json:"created"`
}

// Service checks and manages users. bcrypt is deliberately slow, so a
// successful Basic check is remembered for a short while: API clients that
// send the same credentials with every request stay fast.
type Service struct {
	db  *sql.DB
	now func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cached
}

type cached struct {
	user    string
	expires time.Time
}

const cacheTTL = 5 * time.Minute

// New returns a Service over an opened store database.
func New(db *sql.DB) *Service {
	return &Service{db: db, now: time.Now, cache: map[[32]byte]cached{}}
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
	if err := s.AddUser(ctx, AdminUser, pw, []string{"admin"}); err != nil {
		return "", err
	}
	return generated, nil
}

// AddUser creates a user.
func (s *Service) AddUser(ctx context.Context, name, password string, groups []string) error {
	if name == "" || strings.ContainsAny(name, ":\r\n") {
		return fmt.Errorf("user name %q: must be non-empty without ':' or newlines", name)
	}
	if len(password) < 8 {
		return fmt.Errorf("user %q: password must have at least 8 characters", name)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password for %q: %w", name, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (name, password_hash, groups, created_at) VALUES (?, ?, ?, ?)`,
		name, string(hash), strings.Join(groups, ","), s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("create user %q: %w", name, err)
	}
	return nil
}

// Users lists the accounts.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, groups, created_at FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var groups, created string
		if err := rows.Scan(&u.Name, &groups, &created); err != nil {
			return nil, err
		}
		u.Groups = splitGroups(groups)
		u.Created, _ = time.Parse(time.RFC3339, created)
		out = append(out, u)
	}
	return out, rows.Err()
}

func splitGroups(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// CheckPassword returns the user name when the password matches.
func (s *Service) CheckPassword(ctx context.Context, name, password string) (string, error) {
	key := sha256.Sum256([]byte(name + "\x00" + password))
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && s.now().Before(c.expires) {
		return c.user, nil
	}
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE name = ?`, name).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check so timing does not reveal
		// which user names exist.
		bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z3cVL4xYd2.4m1dpRjn/1Q2e"), []byte(password))
		return "", ErrBadCredentials
	}
	if err != nil {
		return "", fmt.Errorf("look up user %q: %w", name, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", ErrBadCredentials
	}
	s.mu.Lock()
	if len(s.cache) > 1000 {
		clear(s.cache)
	}
	s.cache[key] = cached{user: name, expires: s.now().Add(cacheTTL)}
	s.mu.Unlock()
	return name, nil
}

// CreateToken issues an API token for user; only its hash is stored, so the
// token is shown once.
func (s *Service) CreateToken(ctx context.Context, user, label string) (string, error) {
	tok := "vt_" + randomString(30)
	_, err := s.db.ExecContext(ctx, `INSERT INTO tokens (token_hash, user_name, label, created_at) VALUES (?, ?, ?, ?)`,
		hashToken(tok), user, label, s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return "", fmt.Errorf("create token for %q: %w", user, err)
	}
	return tok, nil
}

// CheckToken returns the user a bearer token belongs to.
func (s *Service) CheckToken(ctx context.Context, token string) (string, error) {
	var user string
	err := s.db.QueryRowContext(ctx, `SELECT user_name FROM tokens WHERE token_hash = ?`, hashToken(token)).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrBadCredentials
	}
	if err != nil {
		return "", fmt.Errorf("look up token: %w", err)
	}
	return user, nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// Equal compares secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
