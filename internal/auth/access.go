package auth

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// AllMaps names every map in a grant: a group given read on "*" reads
// every map, present and future.
const AllMaps = "*"

// Identity is who a request or connection acts as.
type Identity struct {
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
	Source string   `json:"source"`
}

// IsAdmin says whether id is a server administrator (the admin group).
func (id Identity) IsAdmin() bool { return slices.Contains(id.Groups, AdminGroup) }

// Grants are the access levels given on one map to users and groups.
// A user's level on a map is the highest of its own grant, its groups'
// grants, and the same on "*"; with no grant it is none. Administrators
// have admin everywhere.
type Grants struct {
	Users  map[string]Level `json:"users"`
	Groups map[string]Level `json:"groups"`
}

// Level is id's access to a map.
func (s *Service) Level(id Identity, mapName string) Level {
	if id.Name == "" {
		return None
	}
	if id.IsAdmin() {
		return Admin
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadGrants(); err != nil {
		s.logger.Error("access grants unreadable: refusing map access", "err", err)
		return None
	}
	best := None
	for _, m := range []string{mapName, AllMaps} {
		g := s.grants[m]
		best = max(best, g.Users[id.Name])
		for _, grp := range id.Groups {
			best = max(best, g.Groups[grp])
		}
	}
	return best
}

// loadGrants reads map_access when it is not in memory; s.mu is held.
func (s *Service) loadGrants() error {
	if s.grants != nil {
		return nil
	}
	rows, err := s.db.Query(`SELECT map, kind, principal, level FROM map_access`)
	if err != nil {
		return fmt.Errorf("read access grants: %w", err)
	}
	defer rows.Close()
	out := map[string]Grants{}
	for rows.Next() {
		var m, kind, who string
		var lvl Level
		if err := rows.Scan(&m, &kind, &who, &lvl); err != nil {
			return fmt.Errorf("read access grants: %w", err)
		}
		g, ok := out[m]
		if !ok {
			g = Grants{Users: map[string]Level{}, Groups: map[string]Level{}}
		}
		if kind == "user" {
			g.Users[who] = lvl
		} else {
			g.Groups[who] = lvl
		}
		out[m] = g
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read access grants: %w", err)
	}
	s.grants = out
	return nil
}

// reloadGrants makes the next Level read the table again.
func (s *Service) reloadGrants() {
	s.mu.Lock()
	s.grants = nil
	s.mu.Unlock()
}

// Grants returns the grants on a map ("*" for every map).
func (s *Service) Grants(mapName string) (Grants, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadGrants(); err != nil {
		return Grants{}, err
	}
	g := s.grants[mapName]
	out := Grants{Users: maps.Clone(g.Users), Groups: maps.Clone(g.Groups)}
	if out.Users == nil {
		out.Users = map[string]Level{}
	}
	if out.Groups == nil {
		out.Groups = map[string]Level{}
	}
	return out, nil
}

// AllGrants returns every map's grants.
func (s *Service) AllGrants() (map[string]Grants, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadGrants(); err != nil {
		return nil, err
	}
	out := make(map[string]Grants, len(s.grants))
	for m, g := range s.grants {
		out[m] = Grants{Users: maps.Clone(g.Users), Groups: maps.Clone(g.Groups)}
	}
	return out, nil
}

// SetGrants replaces the grants on a map. Users and groups must exist; a
// level of none removes a grant.
func (s *Service) SetGrants(ctx context.Context, mapName string, g Grants) error {
	if mapName == "" {
		return fmt.Errorf("access grants need a map name (or %q for every map)", AllMaps)
	}
	for u := range g.Users {
		if _, err := s.User(ctx, u); err != nil {
			return err
		}
	}
	if err := s.checkGroups(ctx, slices.Collect(maps.Keys(g.Groups))); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM map_access WHERE map = ?`, mapName); err != nil {
		return fmt.Errorf("set access to map %q: %w", mapName, err)
	}
	for kind, set := range map[string]map[string]Level{"user": g.Users, "group": g.Groups} {
		for who, lvl := range set {
			if lvl < None || lvl > Admin {
				return fmt.Errorf("%s %q: invalid level %d", kind, who, lvl)
			}
			if lvl == None {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO map_access (map, kind, principal, level) VALUES (?, ?, ?, ?)`, mapName, kind, who, lvl); err != nil {
				return fmt.Errorf("set access to map %q: %w", mapName, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set access to map %q: %w", mapName, err)
	}
	s.reloadGrants()
	return nil
}

// DeleteMapGrants forgets the grants on a deleted map, so a new map of
// the same name starts with none.
func (s *Service) DeleteMapGrants(ctx context.Context, mapName string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM map_access WHERE map = ?`, mapName); err != nil {
		return fmt.Errorf("forget access to map %q: %w", mapName, err)
	}
	s.reloadGrants()
	return nil
}
