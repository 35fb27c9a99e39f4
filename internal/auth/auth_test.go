package auth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/store"
)

func newService(t *testing.T) (*Service, string) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "db", "vantage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db, Options{Config: DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// login checks a password the way a client would.
func (s *Service) checkPassword(ctx context.Context, name, password string) (string, error) {
	id, err := s.Login(ctx, Credentials{User: name, Password: password, Via: "test"})
	return id.Name, err
}

func TestEnsureAdminGenerated(t *testing.T) {
	s, dir := newService(t)
	ctx := context.Background()
	file := filepath.Join(dir, "initial-admin-password")
	pw, err := s.EnsureAdmin(ctx, "", file)
	if err != nil || len(pw) < 12 {
		t.Fatalf("generated %q, %v", pw, err)
	}
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("password file mode %v, %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(file)
	if strings.TrimSpace(string(b)) != pw {
		t.Fatal("file does not hold the password")
	}
	if again, _ := s.EnsureAdmin(ctx, "", file); again != "" {
		t.Fatal("second start generated another password")
	}
	if u, err := s.checkPassword(ctx, AdminUser, pw); err != nil || u != AdminUser {
		t.Fatalf("check = %q, %v", u, err)
	}
	if _, err := s.checkPassword(ctx, AdminUser, pw+"x"); err != ErrBadCredentials {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.checkPassword(ctx, "nobody", pw); err != ErrBadCredentials {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestEnsureAdminFromEnv(t *testing.T) {
	s, dir := newService(t)
	ctx := context.Background()
	file := filepath.Join(dir, "initial-admin-password")
	if pw, err := s.EnsureAdmin(ctx, "from-the-env-1", file); err != nil || pw != "" {
		t.Fatalf("%q %v", pw, err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatal("password file written although the env set it")
	}
	if _, err := s.checkPassword(ctx, AdminUser, "from-the-env-1"); err != nil {
		t.Fatal(err)
	}
	users, _ := s.Users(ctx)
	if len(users) != 1 || users[0].Name != "admin" || users[0].Groups[0] != "admin" {
		t.Fatalf("users = %+v", users)
	}
}

func TestTokensAndValidation(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if err := s.AddUser(ctx, "ops", "short", nil); err == nil {
		t.Fatal("short password accepted")
	}
	if err := s.AddUser(ctx, "a:b", "long-enough", nil); err == nil {
		t.Fatal("colon in name accepted")
	}
	if err := s.AddUser(ctx, "ops", "long-enough", nil); err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.CreateToken(ctx, "ops", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.CheckToken(ctx, tok); err != nil || u != "ops" {
		t.Fatalf("token user %q, %v", u, err)
	}
	if _, err := s.CheckToken(ctx, tok+"x"); err != ErrBadCredentials {
		t.Fatal("forged token accepted")
	}
}

func TestSessions(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if err := s.AddUser(ctx, "ops", "long-enough", nil); err != nil {
		t.Fatal(err)
	}
	tok, sess, err := s.CreateSession(ctx, "ops")
	if err != nil || sess.User != "ops" || len(sess.CSRF) < 20 {
		t.Fatalf("%+v %v", sess, err)
	}
	got, err := s.CheckSession(ctx, tok)
	if err != nil || got != sess {
		t.Fatalf("check = %+v, %v", got, err)
	}
	if _, err := s.CheckSession(ctx, "forged"); err != ErrBadCredentials {
		t.Fatal("forged session accepted")
	}
	s.now = func() time.Time { return time.Now().Add(SessionTTL + time.Hour) }
	if _, err := s.CheckSession(ctx, tok); err != ErrBadCredentials {
		t.Fatal("expired session accepted")
	}
	s.now = time.Now
	tok2, _, _ := s.CreateSession(ctx, "ops")
	s.DeleteSession(ctx, tok2)
	if _, err := s.CheckSession(ctx, tok2); err != ErrBadCredentials {
		t.Fatal("session survived logout")
	}
}
