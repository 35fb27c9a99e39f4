package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Sources of accounts.
const (
	SourceLocal  = "local"
	SourceLDAP   = "ldap"
	SourceRADIUS = "radius"
)

// MinPassword is the shortest password a local user may have.
const MinPassword = 8

// ErrNotFound is returned for an unknown user, group or token.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when creating a user or group whose name is taken.
var ErrExists = errors.New("already exists")

// dummyHash is compared against when the user does not exist, so timing
// does not reveal which user names exist.
const dummyHash = "$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z3cVL4xYd2.4m1dpRjn/1Q2e"

func hashPassword(name, password string) (string, error) {
	if len(password) < MinPassword {
		return "", fmt.Errorf("user %q: password must have at least %d characters", name, MinPassword)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password for %q: %w", name, err)
	}
	return string(hash), nil
}

// AddUser creates a local user. Its groups must exist.
func (s *Service) AddUser(ctx context.Context, name, password string, groups []string) error {
	if err := checkName("user", name); err != nil {
		return err
	}
	if err := s.checkGroups(ctx, groups); err != nil {
		return fmt.Errorf("user %q: %w", name, err)
	}
	hash, err := hashPassword(name, password)
	if err != nil {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("look up user %q: %w", name, err)
	}
	if n > 0 {
		return fmt.Errorf("user %q: %w", name, ErrExists)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (name, password_hash, groups, created_at, source) VALUES (?, ?, ?, ?, ?)`,
		name, hash, strings.Join(groups, ","), s.now().UTC().Format(time.RFC3339), SourceLocal)
	if err != nil {
		return fmt.Errorf("create user %q: %w", name, err)
	}
	return nil
}

// Users lists the accounts.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, groups, created_at, source FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		var u User
		var groups, created string
		if err := rows.Scan(&u.Name, &groups, &created, &u.Source); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Groups = splitGroups(groups)
		u.Created, _ = time.Parse(time.RFC3339, created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// User returns one account.
func (s *Service) User(ctx context.Context, name string) (User, error) {
	u := User{Name: name}
	var groups, created string
	err := s.db.QueryRowContext(ctx, `SELECT groups, created_at, source FROM users WHERE name = ?`, name).Scan(&groups, &created, &u.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("look up user %q: %w", name, err)
	}
	u.Groups = splitGroups(groups)
	u.Created, _ = time.Parse(time.RFC3339, created)
	return u, nil
}

// Identity is who a request or connection acts as.
func (s *Service) Identity(ctx context.Context, name string) (Identity, error) {
	u, err := s.User(ctx, name)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Name: u.Name, Groups: u.Groups, Source: u.Source}, nil
}

func splitGroups(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// SetPassword changes a local user's password. A user changing their own
// password gives the current one (checked here); an administrator
// resetting someone else's passes current as "" with force.
func (s *Service) SetPassword(ctx context.Context, name, current, password string, force bool) error {
	var hash, source string
	err := s.db.QueryRowContext(ctx, `SELECT password_hash, source FROM users WHERE name = ?`, name).Scan(&hash, &source)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("look up user %q: %w", name, err)
	}
	if source != SourceLocal {
		return fmt.Errorf("user %q comes from %s: change the password there", name, source)
	}
	if !force && bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		return fmt.Errorf("user %q: %w", name, ErrBadCredentials)
	}
	nh, err := hashPassword(name, password)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE name = ?`, nh, name); err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	// Other browsers logged in with the old password are logged out.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = ?`, name); err != nil {
		return fmt.Errorf("end sessions of %q: %w", name, err)
	}
	s.forget(name)
	return nil
}

// SetGroups replaces a local user's groups. The last administrator cannot
// leave the admin group.
func (s *Service) SetGroups(ctx context.Context, name string, groups []string) error {
	u, err := s.User(ctx, name)
	if err != nil {
		return err
	}
	if u.Source != SourceLocal {
		return fmt.Errorf("user %q comes from %s: its groups come from there at each login", name, u.Source)
	}
	if err := s.checkGroups(ctx, groups); err != nil {
		return fmt.Errorf("user %q: %w", name, err)
	}
	if slices.Contains(u.Groups, AdminGroup) && !slices.Contains(groups, AdminGroup) {
		if err := s.keepAnAdmin(ctx, name); err != nil {
			return err
		}
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET groups = ? WHERE name = ?`, strings.Join(groups, ","), name); err != nil {
		return fmt.Errorf("set groups of %q: %w", name, err)
	}
	return nil
}

// DeleteUser removes an account with its tokens, sessions and grants.
func (s *Service) DeleteUser(ctx context.Context, name string) error {
	u, err := s.User(ctx, name)
	if err != nil {
		return err
	}
	if slices.Contains(u.Groups, AdminGroup) {
		if err := s.keepAnAdmin(ctx, name); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM tokens WHERE user_name = ?`, `DELETE FROM sessions WHERE user_name = ?`,
		`DELETE FROM map_access WHERE kind = 'user' AND principal = ?`, `DELETE FROM users WHERE name = ?`} {
		if _, err := tx.ExecContext(ctx, q, name); err != nil {
			return fmt.Errorf("delete user %q: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete user %q: %w", name, err)
	}
	s.forget(name)
	s.reloadGrants()
	return nil
}

// keepAnAdmin refuses to remove the last local administrator: nobody
// could manage the server any more.
func (s *Service) keepAnAdmin(ctx context.Context, leaving string) error {
	users, err := s.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Name != leaving && u.Source == SourceLocal && slices.Contains(u.Groups, AdminGroup) {
			return nil
		}
	}
	return fmt.Errorf("user %q is the last local administrator: make another user an admin first", leaving)
}

// checkLocal checks a local user's password. known says whether a local
// user of that name exists: then no directory is asked.
func (s *Service) checkLocal(ctx context.Context, name, password string) (known bool, err error) {
	var hash, source string
	err = s.db.QueryRowContext(ctx, `SELECT password_hash, source FROM users WHERE name = ?`, name).Scan(&hash, &source)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && source != SourceLocal) {
		if s.ldap == nil && s.radius == nil {
			bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(password))
		}
		return false, ErrBadCredentials
	}
	if err != nil {
		return false, fmt.Errorf("look up user %q: %w", name, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return true, ErrBadCredentials
	}
	return true, nil
}

func (s *Service) remember(key [32]byte, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) > 1000 {
		clear(s.cache)
	}
	s.cache[key] = cached{user: name, expires: s.now().Add(cacheTTL)}
}

// forget drops a user's cached password checks (password changed, user
// deleted).
func (s *Service) forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.cache {
		if c.user == name {
			delete(s.cache, k)
		}
	}
}

// recordExternal creates or updates the row of a user a directory
// accepted, with the groups it gave: tokens and grants can then name the
// user, and its groups are those of its last login.
func (s *Service) recordExternal(ctx context.Context, name, source string, groups []string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (name, password_hash, groups, created_at, source) VALUES (?, '', ?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET groups = excluded.groups, source = excluded.source WHERE users.source != 'local'`,
		name, strings.Join(groups, ","), s.now().UTC().Format(time.RFC3339), source)
	if err != nil {
		return fmt.Errorf("record %s user %q: %w", source, name, err)
	}
	return nil
}
