package auth

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// ldapAuth logs users in against an LDAP or Active Directory server: find
// the user's DN with the service account, bind as the user with the
// password, then read the user's groups and map them.
type ldapAuth struct{ cfg LDAPConfig }

// login returns the user's Vantage groups, ErrBadCredentials when the
// directory says no, or another error when it cannot be asked.
func (l *ldapAuth) login(ctx context.Context, user, password string) ([]string, error) {
	// An empty password would be an unauthenticated bind, which most
	// servers accept as anonymous: never a login.
	if password == "" {
		return nil, ErrBadCredentials
	}
	conn, err := l.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if err := l.serviceBind(conn); err != nil {
		return nil, err
	}
	filter := fmt.Sprintf(l.cfg.UserFilter, ldap.EscapeFilter(user))
	res, err := conn.Search(ldap.NewSearchRequest(l.cfg.UserBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, int(l.cfg.Timeout.Seconds()), false,
		filter, []string{"dn", "memberOf"}, nil))
	if err != nil {
		return nil, fmt.Errorf("ldap: search %s for %s: %w", l.cfg.UserBase, filter, err)
	}
	if len(res.Entries) != 1 {
		// No such user, or an ambiguous filter: either way not this one.
		return nil, ErrBadCredentials
	}
	entry := res.Entries[0]
	if err := conn.Bind(entry.DN, password); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			return nil, ErrBadCredentials
		}
		return nil, fmt.Errorf("ldap: bind as %s: %w", entry.DN, err)
	}
	dns := entry.GetAttributeValues("memberOf")
	if l.cfg.GroupBase != "" {
		// The service account reads groups: the user may not be allowed to.
		if err := l.serviceBind(conn); err != nil {
			return nil, err
		}
		gf := fmt.Sprintf(l.cfg.GroupFilter, ldap.EscapeFilter(entry.DN))
		gr, err := conn.Search(ldap.NewSearchRequest(l.cfg.GroupBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, int(l.cfg.Timeout.Seconds()), false,
			gf, []string{"dn"}, nil))
		if err != nil {
			return nil, fmt.Errorf("ldap: search groups %s for %s: %w", l.cfg.GroupBase, gf, err)
		}
		for _, g := range gr.Entries {
			dns = append(dns, g.DN)
		}
	}
	return l.mapGroups(dns), nil
}

// mapGroups turns directory group DNs into Vantage groups; DNs compare
// case-insensitively, as LDAP does.
func (l *ldapAuth) mapGroups(dns []string) []string {
	set := map[string]bool{}
	for _, dn := range dns {
		for from, to := range l.cfg.GroupMap {
			if sameDN(dn, from) {
				set[to] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

func sameDN(a, b string) bool {
	pa, errA := ldap.ParseDN(a)
	pb, errB := ldap.ParseDN(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(a, b)
	}
	return pa.EqualFold(pb)
}

func (l *ldapAuth) serviceBind(conn *ldap.Conn) error {
	var err error
	if l.cfg.BindDN == "" {
		err = conn.UnauthenticatedBind("")
	} else {
		err = conn.Bind(l.cfg.BindDN, l.cfg.BindPassword)
	}
	if err != nil {
		return fmt.Errorf("ldap: bind as the service account %q: %w", l.cfg.BindDN, err)
	}
	return nil
}

func (l *ldapAuth) dial(ctx context.Context) (*ldap.Conn, error) {
	u, err := url.Parse(l.cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("ldap: %w", err)
	}
	tc := &tls.Config{ServerName: u.Hostname(), InsecureSkipVerify: l.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	d := &net.Dialer{Timeout: l.cfg.Timeout}
	if dl, ok := ctx.Deadline(); ok {
		d.Deadline = dl
	}
	conn, err := ldap.DialURL(l.cfg.URL, ldap.DialWithDialer(d), ldap.DialWithTLSConfig(tc))
	if err != nil {
		return nil, fmt.Errorf("ldap: connect to %s: %w", l.cfg.URL, err)
	}
	conn.SetTimeout(l.cfg.Timeout)
	if l.cfg.StartTLS {
		if err := conn.StartTLS(tc); err != nil {
			conn.Close()
			return nil, fmt.Errorf("ldap: StartTLS with %s: %w", l.cfg.URL, err)
		}
	}
	return conn, nil
}
