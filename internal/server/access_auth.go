package server

import (
	"context"
	"errors"
	"slices"

	"github.com/vantage-monitor/vantage/internal/auth"
)

// checkPassword is the remote protocol's login: ok false for a wrong user
// name or password, err when the check itself failed.
func (s *Server) checkPassword(ctx context.Context, user, password string) (bool, error) {
	_, err := s.auth.CheckPassword(ctx, user, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		return false, nil
	}
	return err == nil, err
}

// checkAdmin is the console's login: the password must be right and the
// user an administrator (the admin group).
func (s *Server) checkAdmin(ctx context.Context, user, password string) (bool, error) {
	ok, err := s.checkPassword(ctx, user, password)
	if !ok || err != nil {
		return ok, err
	}
	users, err := s.auth.Users(ctx)
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if u.Name == user {
			return slices.Contains(u.Groups, "admin"), nil
		}
	}
	return false, nil
}
