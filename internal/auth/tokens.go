package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Token is an API token as listed: never its secret, which is shown once
// at creation and stored only as a hash.
type Token struct {
	// ID is the start of the secret's hash: enough to name it, useless to
	// log in with.
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

const tokenIDLen = 12

// CreateToken issues an API token for user; only its hash is stored, so the
// token is shown once.
func (s *Service) CreateToken(ctx context.Context, user, label string) (string, Token, error) {
	if len(label) > 200 {
		return "", Token{}, errors.New("token label: at most 200 characters")
	}
	tok := "vt_" + randomString(30)
	h := hashToken(tok)
	now := s.now().UTC()
	_, err := s.db.ExecContext(ctx, `INSERT INTO tokens (token_hash, user_name, label, created_at) VALUES (?, ?, ?, ?)`,
		h, user, label, now.Format(time.RFC3339))
	if err != nil {
		return "", Token{}, fmt.Errorf("create token for %q: %w", user, err)
	}
	return tok, Token{ID: h[:tokenIDLen], User: user, Label: label, Created: now.Truncate(time.Second)}, nil
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

// Tokens lists the tokens of user, or every token when user is "".
func (s *Service) Tokens(ctx context.Context, user string) ([]Token, error) {
	q, args := `SELECT token_hash, user_name, label, created_at FROM tokens ORDER BY user_name, created_at`, []any{}
	if user != "" {
		q, args = `SELECT token_hash, user_name, label, created_at FROM tokens WHERE user_name = ? ORDER BY created_at`, []any{user}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var h, created string
		if err := rows.Scan(&h, &t.User, &t.Label, &created); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.ID = h[:tokenIDLen]
		t.Created, _ = time.Parse(time.RFC3339, created)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenByID finds a token by its listed id.
func (s *Service) TokenByID(ctx context.Context, id string) (Token, error) {
	if len(id) != tokenIDLen {
		return Token{}, fmt.Errorf("token %q: %w", id, ErrNotFound)
	}
	all, err := s.Tokens(ctx, "")
	if err != nil {
		return Token{}, err
	}
	for _, t := range all {
		if t.ID == id {
			return t, nil
		}
	}
	return Token{}, fmt.Errorf("token %q: %w", id, ErrNotFound)
}

// RevokeToken deletes a token by its listed id.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	if len(id) != tokenIDLen {
		return fmt.Errorf("token %q: %w", id, ErrNotFound)
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM tokens WHERE substr(token_hash, 1, ?) = ?`, tokenIDLen, id)
	if err != nil {
		return fmt.Errorf("revoke token %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %q: %w", id, ErrNotFound)
	}
	return nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}
