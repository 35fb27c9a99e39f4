package auth

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Group is a set of users that access grants can name.
type Group struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Created     time.Time `json:"created,omitzero"`
	// Members are the users whose groups include this one (external
	// users as of their last login).
	Members []string `json:"members"`
	// BuiltIn groups (admin, and those the auth configuration maps
	// directory groups to) cannot be deleted here.
	BuiltIn bool `json:"built_in"`
}

// configuredGroups are the groups config.yaml names: they exist without a
// row in the groups table.
func (s *Service) configuredGroups() map[string]string {
	out := map[string]string{AdminGroup: "server administrators: settings, users, notifiers and every map"}
	for dn, g := range s.cfg.LDAP.GroupMap {
		if _, ok := out[g]; !ok {
			out[g] = "from LDAP group " + dn
		}
	}
	for _, g := range s.cfg.RADIUS.Groups {
		if _, ok := out[g]; !ok {
			out[g] = "every RADIUS user"
		}
	}
	return out
}

// Groups lists the groups with their members.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	byName := map[string]*Group{}
	for name, desc := range s.configuredGroups() {
		byName[name] = &Group{Name: name, Description: desc, BuiltIn: true, Members: []string{}}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name, description, created_at FROM groups`)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g Group
		var created string
		if err := rows.Scan(&g.Name, &g.Description, &created); err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		g.Created, _ = time.Parse(time.RFC3339, created)
		g.Members = []string{}
		if b, ok := byName[g.Name]; ok {
			g.BuiltIn = b.BuiltIn
		}
		byName[g.Name] = &g
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	users, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		for _, g := range u.Groups {
			if b, ok := byName[g]; ok {
				b.Members = append(b.Members, u.Name)
			}
		}
	}
	out := make([]Group, 0, len(byName))
	for _, g := range byName {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// AddGroup creates a group.
func (s *Service) AddGroup(ctx context.Context, name, description string) error {
	if err := checkName("group", name); err != nil {
		return err
	}
	if _, ok := s.configuredGroups()[name]; ok {
		return fmt.Errorf("group %q: %w (built in)", name, ErrExists)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO groups (name, description, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING`,
		name, description, s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("create group %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("group %q: %w", name, ErrExists)
	}
	return nil
}

// DeleteGroup removes a group, its grants and its membership of local
// users.
func (s *Service) DeleteGroup(ctx context.Context, name string) error {
	if _, ok := s.configuredGroups()[name]; ok {
		return fmt.Errorf("group %q is built in (admin, or named by the auth settings in config.yaml)", name)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM groups WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete group %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("group %q: %w", name, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM map_access WHERE kind = 'group' AND principal = ?`, name); err != nil {
		return fmt.Errorf("delete group %q: %w", name, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, groups FROM users WHERE ',' || groups || ',' LIKE ?`, "%,"+name+",%")
	if err != nil {
		return fmt.Errorf("delete group %q: %w", name, err)
	}
	type change struct{ user, groups string }
	var changes []change
	for rows.Next() {
		var u, g string
		if err := rows.Scan(&u, &g); err != nil {
			rows.Close()
			return fmt.Errorf("delete group %q: %w", name, err)
		}
		gs := slices.DeleteFunc(splitGroups(g), func(x string) bool { return x == name })
		changes = append(changes, change{u, strings.Join(gs, ",")})
	}
	rows.Close()
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET groups = ? WHERE name = ?`, c.groups, c.user); err != nil {
			return fmt.Errorf("delete group %q: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete group %q: %w", name, err)
	}
	s.reloadGrants()
	return nil
}

// checkGroups says which of groups do not exist.
func (s *Service) checkGroups(ctx context.Context, groups []string) error {
	conf := s.configuredGroups()
	seen := map[string]bool{}
	for _, g := range groups {
		if seen[g] {
			return fmt.Errorf("group %q listed twice", g)
		}
		seen[g] = true
		if _, ok := conf[g]; ok {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups WHERE name = ?`, g).Scan(&n); err != nil {
			return fmt.Errorf("look up group %q: %w", g, err)
		}
		if n == 0 {
			return fmt.Errorf("group %q: %w (create it first)", g, ErrNotFound)
		}
	}
	return nil
}
