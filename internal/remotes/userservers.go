package remotes

import (
	"context"
	"database/sql"
	"fmt"
)

// UserServers keeps each user's own list of other Vantage servers, with
// the token the user holds on each, so the map list shows the maps of the
// servers that user may see — as RemoteAccess kept a list of servers per
// user — beside the ones an administrator lists in config.yaml.
type UserServers struct{ db *sql.DB }

// NewUserServers uses the table the store's migrations create.
func NewUserServers(db *sql.DB) *UserServers { return &UserServers{db: db} }

// List returns a user's servers by name.
func (u *UserServers) List(ctx context.Context, user string) ([]Server, error) {
	rows, err := u.db.QueryContext(ctx, `SELECT name, url, token, fingerprint, insecure FROM user_servers WHERE user_name = ? ORDER BY name`, user)
	if err != nil {
		return nil, fmt.Errorf("servers of %s: %w", user, err)
	}
	defer rows.Close()
	out := []Server{}
	for rows.Next() {
		var s Server
		if err := rows.Scan(&s.Name, &s.URL, &s.Token, &s.Fingerprint, &s.Insecure); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Put adds or replaces one of a user's servers after checking it.
func (u *UserServers) Put(ctx context.Context, user string, s Server) error {
	if err := s.Validate(); err != nil {
		return err
	}
	_, err := u.db.ExecContext(ctx, `INSERT OR REPLACE INTO user_servers (user_name, name, url, token, fingerprint, insecure) VALUES (?, ?, ?, ?, ?, ?)`,
		user, s.Name, s.URL, s.Token, s.Fingerprint, s.Insecure)
	if err != nil {
		return fmt.Errorf("save server %s of %s: %w", s.Name, user, err)
	}
	return nil
}

// Delete removes one of a user's servers; it reports whether it existed.
func (u *UserServers) Delete(ctx context.Context, user, name string) (bool, error) {
	r, err := u.db.ExecContext(ctx, `DELETE FROM user_servers WHERE user_name = ? AND name = ?`, user, name)
	if err != nil {
		return false, fmt.Errorf("remove server %s of %s: %w", name, user, err)
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}
