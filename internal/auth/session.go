package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionTTL is how long a browser session lasts without use.
const SessionTTL = 12 * time.Hour

// Session is a logged-in browser.
type Session struct {
	User string `json:"user"`
	// CSRF must come back in the X-CSRF-Token header of every request
	// that changes something: a cookie alone never authorises a change.
	CSRF string `json:"csrf_token"`
}

// CreateSession logs user in and returns the cookie value and the session.
// Sessions live in the database so a server restart does not log everyone
// out.
func (s *Service) CreateSession(ctx context.Context, user string) (string, Session, error) {
	tok := randomString(32)
	sess := Session{User: user, CSRF: randomString(24)}
	now := s.now()
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_name, csrf, expires_at) VALUES (?, ?, ?, ?)`,
		hashToken(tok), user, sess.CSRF, now.Add(SessionTTL).Unix())
	if err != nil {
		return "", Session{}, fmt.Errorf("create session for %q: %w", user, err)
	}
	// Expired sessions are swept here rather than by a timer.
	s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, now.Unix())
	return tok, sess, nil
}

// CheckSession returns the session behind a cookie value and extends it.
func (s *Service) CheckSession(ctx context.Context, token string) (Session, error) {
	var sess Session
	var expires int64
	err := s.db.QueryRowContext(ctx, `SELECT user_name, csrf, expires_at FROM sessions WHERE token_hash = ?`, hashToken(token)).
		Scan(&sess.User, &sess.CSRF, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrBadCredentials
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	now := s.now()
	if now.Unix() > expires {
		return Session{}, ErrBadCredentials
	}
	// Extend at most once a minute to spare the database.
	if expires-now.Add(SessionTTL).Unix() < -60 {
		s.db.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, now.Add(SessionTTL).Unix(), hashToken(token))
	}
	return sess, nil
}

// DeleteSession logs a browser out.
func (s *Service) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	return err
}
