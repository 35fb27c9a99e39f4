package server

import (
	"context"
	"errors"

	"github.com/vantage-monitor/vantage/internal/auth"
)

// checkPassword is the remote protocol's login: ok false for a wrong user
// name or password (or a throttled one), err when the check itself
// failed. It goes through the same throttle, directories and AUTH lines
// as web logins.
func (s *Server) checkPassword(ctx context.Context, user, password string) (bool, error) {
	_, err := s.login(ctx, user, password, "remote")
	return err == nil, ignoreRefusal(err)
}

// checkAdmin is the console's login: the password must be right and the
// user an administrator (the admin group).
func (s *Server) checkAdmin(ctx context.Context, user, password string) (bool, error) {
	id, err := s.login(ctx, user, password, "console")
	if err != nil {
		return false, ignoreRefusal(err)
	}
	return id.IsAdmin(), nil
}

func (s *Server) login(ctx context.Context, user, password, via string) (auth.Identity, error) {
	return s.auth.Login(ctx, auth.Credentials{User: user, Password: password, Via: via})
}

// ignoreRefusal keeps errors that are the server's, not the user's.
func ignoreRefusal(err error) error {
	var th *auth.ThrottledError
	if err == nil || errors.Is(err, auth.ErrBadCredentials) || errors.Is(err, auth.ErrNotFound) || errors.As(err, &th) {
		return nil
	}
	return err
}
