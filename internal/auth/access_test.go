package auth

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
)

func TestLevels(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for _, g := range []string{"ops", "noc"} {
		if err := s.AddGroup(ctx, g, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		name   string
		groups []string
	}{{"root2", []string{AdminGroup}}, {"alice", []string{"ops"}}, {"bob", []string{"noc"}}, {"carol", nil}, {"dave", []string{"ops", "noc"}}} {
		if err := s.AddUser(ctx, u.name, "password-1", u.groups); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SetGrants(ctx, "Core", Grants{Users: map[string]Level{"carol": Acknowledge}, Groups: map[string]Level{"ops": Write}}))
	must(s.SetGrants(ctx, AllMaps, Grants{Groups: map[string]Level{"noc": Read}}))
	must(s.SetGrants(ctx, "Edge", Grants{Users: map[string]Level{"bob": Admin}}))
	for _, tc := range []struct {
		user, mapName string
		want          Level
	}{
		{"root2", "Core", Admin}, {"root2", "Anything", Admin},
		{"alice", "Core", Write}, {"alice", "Edge", None},
		{"bob", "Core", Read}, {"bob", "Edge", Admin}, {"bob", "New", Read},
		{"carol", "Core", Acknowledge}, {"carol", "Edge", None},
		{"dave", "Core", Write}, {"dave", "Edge", Read},
		{"nobody", "Core", None},
	} {
		t.Run(tc.user+"/"+tc.mapName, func(t *testing.T) {
			id, _ := s.Identity(ctx, tc.user)
			if got := s.Level(id, tc.mapName); got != tc.want {
				t.Fatalf("level %s, want %s", got, tc.want)
			}
		})
	}
	// Deleting a group removes its grants and its membership.
	must(s.DeleteGroup(ctx, "ops"))
	id, _ := s.Identity(ctx, "alice")
	if len(id.Groups) != 0 || s.Level(id, "Core") != None {
		t.Fatalf("after group deletion: %+v level %s", id, s.Level(id, "Core"))
	}
	if err := s.SetGrants(ctx, "Core", Grants{Groups: map[string]Level{"ghosts": Read}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("grant to a missing group: %v", err)
	}
	must(s.DeleteMapGrants(ctx, "Edge"))
	id, _ = s.Identity(ctx, "bob")
	if s.Level(id, "Edge") != Read {
		t.Fatal("grants of a deleted map survived")
	}
}

func TestUserLifecycle(t *testing.T) {
	s, dir := newService(t)
	ctx := context.Background()
	if _, err := s.EnsureAdmin(ctx, "admin-password", dir+"/pw"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, "ops", "password-1", []string{"missing"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown group: %v", err)
	}
	if err := s.AddUser(ctx, "ops", "password-1", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, "ops", "password-2", nil); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := s.SetPassword(ctx, "ops", "wrong-one", "password-2", false); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("change without the current password: %v", err)
	}
	if err := s.SetPassword(ctx, "ops", "password-1", "short", false); err == nil {
		t.Fatal("short new password accepted")
	}
	if err := s.SetPassword(ctx, "ops", "password-1", "password-2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.checkPassword(ctx, "ops", "password-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, "ops", "", "password-3", true); err != nil {
		t.Fatal(err)
	}
	// The last administrator stays one.
	if err := s.DeleteUser(ctx, AdminUser); err == nil || !strings.Contains(err.Error(), "last local administrator") {
		t.Fatalf("deleting the last admin: %v", err)
	}
	if err := s.SetGroups(ctx, AdminUser, nil); err == nil {
		t.Fatal("last admin left the admin group")
	}
	tok, _, err := s.CreateToken(ctx, "ops", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, "ops"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckToken(ctx, tok); err != ErrBadCredentials {
		t.Fatal("token of a deleted user still works")
	}
	if _, err := s.checkPassword(ctx, "ops", "password-3"); err != ErrBadCredentials {
		t.Fatalf("deleted user logs in: %v", err)
	}
}

func TestTokenListAndRevoke(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for _, u := range []string{"a1", "b1"} {
		if err := s.AddUser(ctx, u, "password-1", nil); err != nil {
			t.Fatal(err)
		}
	}
	secret, tk, err := s.CreateToken(ctx, "a1", "laptop")
	if err != nil {
		t.Fatal(err)
	}
	s.CreateToken(ctx, "b1", "ci")
	mine, _ := s.Tokens(ctx, "a1")
	all, _ := s.Tokens(ctx, "")
	if len(mine) != 1 || len(all) != 2 || mine[0].ID != tk.ID || mine[0].Label != "laptop" {
		t.Fatalf("mine %+v all %+v", mine, all)
	}
	if strings.Contains(tk.ID, secret) || strings.Contains(secret, tk.ID) {
		t.Fatal("the id gives the secret away")
	}
	if got, err := s.TokenByID(ctx, tk.ID); err != nil || got.User != "a1" {
		t.Fatalf("by id %+v %v", got, err)
	}
	if err := s.RevokeToken(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, tk.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
	if _, err := s.CheckToken(ctx, secret); err != ErrBadCredentials {
		t.Fatal("revoked token works")
	}
}

// fakeEvents collects event-log lines.
type fakeEvents struct{ lines []string }

func (f *fakeEvents) Write(e eventlog.Event) error {
	f.lines = append(f.lines, e.Kind+" "+e.Message)
	return nil
}

func TestLoginThrottleAndLockout(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	ev := &fakeEvents{}
	s.events = ev
	if err := s.AddUser(ctx, "ops", "password-1", nil); err != nil {
		t.Fatal(err)
	}
	from := netip.MustParseAddr("192.0.2.9")
	login := func(pw string) error {
		_, err := s.Login(ctx, Credentials{User: "ops", Password: pw, Addr: from, Via: "web"})
		return err
	}
	// A first failure (a typo) may be retried at once; from the second on
	// each failure doubles the wait: 1s, 2s, 4s ...
	wantDelay := time.Second
	for i := 1; i < DefaultConfig().Lockout.Attempts; i++ {
		if err := login("guess"); err != ErrBadCredentials {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if i == 1 {
			continue
		}
		var th *ThrottledError
		if err := login("password-1"); !errors.As(err, &th) || th.Locked || th.RetryAfter != wantDelay {
			t.Fatalf("attempt %d: right password too soon: %v (want wait %s)", i, err, wantDelay)
		}
		now = now.Add(th.RetryAfter)
		wantDelay = min(2*wantDelay, 30*time.Second)
	}
	if err := login("guess"); err != ErrBadCredentials {
		t.Fatal(err)
	}
	var th *ThrottledError
	if err := login("password-1"); !errors.As(err, &th) || !th.Locked {
		t.Fatalf("locked out: %v", err)
	}
	now = now.Add(14 * time.Minute)
	if err := login("password-1"); !errors.As(err, &th) || !th.Locked {
		t.Fatalf("still locked: %v", err)
	}
	now = now.Add(time.Minute)
	if err := login("password-1"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	log := strings.Join(ev.lines, "\n")
	for _, want := range []string{`AUTH failed login for user "ops" from 192.0.2.9 via web (1 in a row)`, "AUTH locked out user ops for 15m0s"} {
		if !strings.Contains(log, want) {
			t.Fatalf("event log lacks %q:\n%s", want, log)
		}
	}
	// Another name from the same address is throttled by the address.
	ev.lines = nil
	now = now.Add(time.Hour)
	for i := range 2 * DefaultConfig().Lockout.Attempts {
		_, err := s.Login(ctx, Credentials{User: "u" + string(rune('a'+i)), Password: "x", Addr: from, Via: "api"})
		if errors.As(err, &th) {
			t.Fatalf("attempt %d came too early: %v", i, err)
		}
		if i > 0 && i < 2*DefaultConfig().Lockout.Attempts-1 {
			_, err = s.Login(ctx, Credentials{User: "someone", Password: "x", Addr: from})
			if !errors.As(err, &th) || th.Locked {
				t.Fatalf("attempt %d: address not throttled: %v", i, err)
			}
			now = now.Add(th.RetryAfter)
		}
	}
	// Cached good credentials still pass; fresh ones from this address do not.
	s.forget("ops")
	_, err := s.Login(ctx, Credentials{User: "ops", Password: "password-1", Addr: from})
	if !errors.As(err, &th) || th.Key != "address 192.0.2.9" || !th.Locked {
		t.Fatalf("address lockout: %v", err)
	}
	if _, err := s.Login(ctx, Credentials{User: "ops", Password: "password-1", Addr: netip.MustParseAddr("192.0.2.10")}); err != nil {
		t.Fatalf("other address: %v", err)
	}
}
