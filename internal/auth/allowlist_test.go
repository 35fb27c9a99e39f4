package auth

import (
	"bytes"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestAllowList(t *testing.T) {
	list, err := ParseAllowList([]Rule{
		{Allow: "10.0.0.0/8"}, {Deny: "192.0.2.10-192.0.2.20"}, {Allow: "192.0.2.0/24"},
		{Allow: "2001:db8::/32"}, {Allow: "::1"}, {Deny: "0.0.0.0/0"}, {Deny: "::/0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr   string
		ok     bool
		reason string
	}{
		{"10.1.2.3", true, "allow 10.0.0.0/8 (rule 1)"},
		{"192.0.2.9", true, "allow 192.0.2.0/24 (rule 3)"},
		{"192.0.2.10", false, "deny 192.0.2.10-192.0.2.20 (rule 2)"},
		{"192.0.2.20", false, "deny 192.0.2.10-192.0.2.20 (rule 2)"},
		{"192.0.2.21", true, "allow 192.0.2.0/24 (rule 3)"},
		{"::ffff:10.0.0.1", true, "allow 10.0.0.0/8 (rule 1)"},
		{"2001:db8::5", true, "allow 2001:db8::/32 (rule 4)"},
		{"::1", true, "allow ::1 (rule 5)"},
		{"198.51.100.1", false, "deny 0.0.0.0/0 (rule 6)"},
		{"2001:db9::1", false, "deny ::/0 (rule 7)"},
		{"fe80::1%eth0", false, "deny ::/0 (rule 7)"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			ok, reason := list.Allow(netip.MustParseAddr(tc.addr))
			if ok != tc.ok || reason != tc.reason {
				t.Fatalf("got %v %q, want %v %q", ok, reason, tc.ok, tc.reason)
			}
		})
	}
	if ok, _ := (*AllowList)(nil).Allow(netip.MustParseAddr("203.0.113.1")); !ok {
		t.Fatal("an empty list refuses")
	}
}

func TestAllowListErrors(t *testing.T) {
	for _, tc := range []struct {
		rule Rule
		want string
	}{
		{Rule{}, "exactly one of allow or deny"},
		{Rule{Allow: "10.0.0.0/8", Deny: "0.0.0.0/0"}, "exactly one"},
		{Rule{Allow: "10.0.0.0/33"}, "not an address prefix"},
		{Rule{Deny: "example.com"}, "is not an address"},
		{Rule{Deny: "10.0.0.9-10.0.0.1"}, "ends before it starts"},
		{Rule{Deny: "10.0.0.1-::1"}, "cannot mix"},
	} {
		_, err := ParseAllowList([]Rule{{Allow: "::1"}, tc.rule})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "rule 2") {
			t.Errorf("%+v: %v, want %q", tc.rule, err, tc.want)
		}
	}
	if err := (AccessConfig{Remote: []Rule{{Allow: "nope"}}}).Validate(); err == nil || !strings.HasPrefix(err.Error(), "access.remote: rule 1") {
		t.Fatalf("config error: %v", err)
	}
}

// FuzzParseRange checks that whatever parses gives an ordered range of one
// family that contains its own ends, and that Allow never panics.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "::/0", "192.0.2.1-192.0.2.9", "::ffff:10.0.0.0/104", "2001:db8::1", "1.2.3.4/0", "a-b", "-", "/", "fe80::1%eth0"} {
		f.Add(s, "10.1.2.3")
	}
	f.Fuzz(func(t *testing.T, s, probe string) {
		from, to, err := ParseRange(s)
		if err != nil {
			return
		}
		if from.Is4() != to.Is4() || to.Less(from) {
			t.Fatalf("%q → %s-%s", s, from, to)
		}
		list, err := ParseAllowList([]Rule{{Deny: s}})
		if err != nil {
			t.Fatalf("ParseRange accepts %q but the list does not: %v", s, err)
		}
		for _, a := range []netip.Addr{from, to} {
			if ok, _ := list.Allow(a); ok {
				t.Fatalf("%q does not contain its end %s", s, a)
			}
		}
		if a, err := netip.ParseAddr(probe); err == nil {
			list.Allow(a)
		}
	})
}

func TestFilteredListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deny, _ := ParseAllowList([]Rule{{Allow: "127.0.0.2"}, {Deny: "127.0.0.0/8"}})
	var logs bytes.Buffer
	ev := &fakeEvents{}
	f := Filter(ln, "http", deny, slog.New(slog.NewTextHandler(&logs, nil)), ev)
	defer f.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := f.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func(from string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 2 * time.Second}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for range 3 {
		c := dial("127.0.0.1")
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || strings.Contains(err.Error(), "timeout") {
			t.Fatalf("refused connection read %d, %v (want closed)", n, err)
		}
		c.Close()
	}
	ok := dial("127.0.0.2")
	defer ok.Close()
	select {
	case c := <-accepted:
		if !strings.HasPrefix(c.RemoteAddr().String(), "127.0.0.2:") {
			t.Fatalf("accepted %s", c.RemoteAddr())
		}
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("allowed connection not accepted")
	}
	want := "refused 127.0.0.1 on http: deny 127.0.0.0/8 (rule 2)"
	if n := strings.Count(logs.String(), want); n != 1 {
		t.Fatalf("log has %d refusals (want 1, rate-limited):\n%s", n, logs.String())
	}
	if len(ev.lines) != 1 || ev.lines[0] != "AUTH "+want {
		t.Fatalf("events %q", ev.lines)
	}
}
