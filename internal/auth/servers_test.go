package auth

// LDAP and RADIUS logins against Debian's slapd and FreeRADIUS, each
// started by the test on 127.0.0.1. A missing server skips its test, or
// fails it when CI=true (`make test-deps` installs them).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/testsrv"

	"github.com/vantage-monitor/vantage/internal/store"
)

func serviceWith(t *testing.T, cfg Config) (*Service, *fakeEvents) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "vantage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ev := &fakeEvents{}
	s, err := New(db, Options{Config: cfg, Events: ev})
	if err != nil {
		t.Fatal(err)
	}
	return s, ev
}

const testLDIF = `dn: dc=example,dc=net
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=net
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=net
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,dc=example,dc=net
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Doe
userPassword: alice-password

dn: uid=bob,ou=people,dc=example,dc=net
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: Roe
userPassword: bob-password

dn: uid=local,ou=people,dc=example,dc=net
objectClass: inetOrgPerson
uid: local
cn: Local
sn: Shadow
userPassword: directory-password

dn: cn=netops,ou=groups,dc=example,dc=net
objectClass: groupOfNames
cn: netops
member: uid=alice,ou=people,dc=example,dc=net

dn: cn=sales,ou=groups,dc=example,dc=net
objectClass: groupOfNames
cn: sales
member: uid=bob,ou=people,dc=example,dc=net
`

func TestLDAPSlapd(t *testing.T) {
	slapd := testsrv.Need(t, "slapd", "slapd")
	slapadd := testsrv.Need(t, "slapadd", "slapd")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "slapd.conf")
	var b strings.Builder
	for _, s := range []string{"core", "cosine", "inetorgperson", "nis"} {
		fmt.Fprintf(&b, "include /etc/ldap/schema/%s.schema\n", s)
	}
	fmt.Fprintf(&b, "modulepath /usr/lib/ldap\nmoduleload back_mdb\npidfile %s/slapd.pid\nargsfile %s/slapd.args\n", dir, dir)
	fmt.Fprintf(&b, "database mdb\nmaxsize 10485760\nsuffix \"dc=example,dc=net\"\nrootdn \"cn=admin,dc=example,dc=net\"\nrootpw service-secret\ndirectory %s/data\n", dir)
	if err := os.WriteFile(conf, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ldif := filepath.Join(dir, "test.ldif")
	os.WriteFile(ldif, []byte(testLDIF), 0o600)
	if out, err := exec.Command(slapadd, "-f", conf, "-l", ldif).CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}
	port := testsrv.FreePort(t, "tcp")
	url := fmt.Sprintf("ldap://127.0.0.1:%d", port)
	// -d 0: stay in the foreground; listen on loopback only.
	_, stop := testsrv.Start(t, slapd, "-f", conf, "-h", url+"/", "-d", "0")

	cfg := DefaultConfig()
	cfg.LDAP = LDAPConfig{URL: url, BindDN: "cn=admin,dc=example,dc=net", BindPassword: "service-secret",
		UserBase: "ou=people,dc=example,dc=net", UserFilter: "(uid=%s)", GroupBase: "ou=groups,dc=example,dc=net", GroupFilter: "(member=%s)",
		GroupMap: map[string]string{"CN=NetOps,ou=groups,dc=example,dc=net": "ops"}, Timeout: 2 * time.Second}
	s, ev := serviceWith(t, cfg)
	ctx := context.Background()
	if err := s.AddUser(ctx, "local", "local-password", nil); err != nil {
		t.Fatal(err)
	}
	login := func(user, pw string) (Identity, error) {
		return s.Login(ctx, Credentials{User: user, Password: pw, Via: "test"})
	}
	var id Identity
	var err error
	for range 50 { // slapd takes a moment to listen
		if id, err = login("alice", "alice-password"); err == nil || !strings.Contains(strings.Join(ev.lines, "\n"), "connection refused") {
			break
		}
		ev.lines = nil
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || id.Source != SourceLDAP || strings.Join(id.Groups, ",") != "ops" {
		t.Fatalf("alice: %+v %v (events %q)", id, err, ev.lines)
	}
	// A grant to the mapped group applies to the directory user.
	if err := s.SetGrants(ctx, "Core", Grants{Groups: map[string]Level{"ops": Write}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Level(id, "Core"); got != Write {
		t.Fatalf("alice on Core: %s", got)
	}
	// Tokens work for directory users (recorded at their login).
	if _, _, err := s.CreateToken(ctx, "alice", "ci"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, pw string }{
		{"alice", "wrong"}, {"alice", ""}, {"nobody", "x-password"}, {"*", "alice-password"}, {"alice)(uid=*", "alice-password"},
	} {
		if _, err := login(tc.user, tc.pw); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("%q/%q: %v", tc.user, tc.pw, err)
		}
		s.limiter = newLimiter(cfg.Lockout) // these tests are not about the throttle
	}
	if id, err := login("bob", "bob-password"); err != nil || len(id.Groups) != 0 {
		t.Fatalf("bob (no mapped group): %+v %v", id, err)
	}
	// A local user of the same name is never replaced by the directory's.
	if _, err := login("local", "directory-password"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("directory password for a local user: %v", err)
	}
	s.limiter = newLimiter(cfg.Lockout)

	// Directory down: local users still log in; directory users fail with a
	// clear line.
	stop()
	ev.lines = nil
	s.forget("bob") // a password checked moments ago would pass from the cache
	if id, err := login("local", "local-password"); err != nil || id.Source != SourceLocal {
		t.Fatalf("local user with the directory down: %+v %v", id, err)
	}
	if _, err := login("bob", "bob-password"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("directory user with the directory down: %v", err)
	}
	if log := strings.Join(ev.lines, "\n"); !strings.Contains(log, `AUTH ldap unavailable for the login of "bob"`) {
		t.Fatalf("no line about the directory:\n%s", log)
	}
}

func TestRADIUSFreeRADIUS(t *testing.T) {
	port, stop := testsrv.FreeRADIUS(t, "carol Cleartext-Password := \"carol-password\"\n\tFilter-Id := \"noc\"\n\ndan Cleartext-Password := \"dan-password\"")

	cfg := DefaultConfig()
	cfg.RADIUS = RADIUSConfig{Address: fmt.Sprintf("127.0.0.1:%d", port), Secret: "testing123", Timeout: 3 * time.Second, Groups: []string{"radius-users"}, NASIdentifier: "vantage"}
	s, ev := serviceWith(t, cfg)
	ctx := context.Background()
	login := func(user, pw string) (Identity, error) {
		s.limiter = newLimiter(cfg.Lockout) // not about the throttle
		return s.Login(ctx, Credentials{User: user, Password: pw, Via: "test"})
	}
	var id Identity
	var err error
	for range 50 {
		if id, err = login("carol", "carol-password"); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil || id.Source != SourceRADIUS || strings.Join(id.Groups, ",") != "noc,radius-users" {
		t.Fatalf("carol: %+v %v", id, err)
	}
	if id, err := login("dan", "dan-password"); err != nil || strings.Join(id.Groups, ",") != "radius-users" {
		t.Fatalf("dan: %+v %v", id, err)
	}
	if _, err := login("carol", "wrong-password"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	// A wrong shared secret is silence: logged, and not a login.
	s2, ev2 := serviceWith(t, Config{RADIUS: RADIUSConfig{Address: cfg.RADIUS.Address, Secret: "not-the-secret", Timeout: 600 * time.Millisecond}, Lockout: cfg.Lockout, LDAP: cfg.LDAP})
	if _, err := s2.Login(ctx, Credentials{User: "carol", Password: "carol-password"}); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong secret: %v", err)
	}
	if !strings.Contains(strings.Join(ev2.lines, "\n"), "radius unavailable") {
		t.Fatalf("wrong secret not logged: %q", ev2.lines)
	}
	stop()
	ev.lines = nil
	s.forget("dan")
	if _, err := login("dan", "dan-password"); !errors.Is(err, ErrBadCredentials) || !strings.Contains(strings.Join(ev.lines, "\n"), "radius unavailable") {
		t.Fatalf("server down: %v %q", err, ev.lines)
	}
}
