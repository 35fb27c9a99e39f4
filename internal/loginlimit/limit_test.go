package loginlimit

import (
	"net/netip"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLockoutAfterFailures(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := New(Config{Failures: 3, Window: time.Minute, Lockout: 5 * time.Minute}, c.now)
	a := netip.MustParseAddr("192.0.2.7")
	other := netip.MustParseAddr("192.0.2.8")
	for i := range 2 {
		if l.Fail(a) {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	if !l.Fail(a) {
		t.Fatal("not locked after 3 failures")
	}
	if locked, _ := l.Locked(a); !locked {
		t.Fatal("Locked = false right after lockout")
	}
	if locked, _ := l.Locked(other); locked {
		t.Fatal("another address is locked")
	}
	// The IPv4-mapped form is the same client.
	if locked, _ := l.Locked(netip.MustParseAddr("::ffff:192.0.2.7")); !locked {
		t.Fatal("mapped address not locked")
	}
	c.t = c.t.Add(5 * time.Minute)
	if locked, _ := l.Locked(a); locked {
		t.Fatal("still locked after the lockout")
	}
}

func TestFailuresExpireAndSuccessForgets(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := New(Config{Failures: 2, Window: time.Minute, Lockout: time.Minute}, c.now)
	a := netip.MustParseAddr("2001:db8::1")
	l.Fail(a)
	c.t = c.t.Add(2 * time.Minute)
	if l.Fail(a) {
		t.Fatal("an expired failure still counted")
	}
	l.Succeed(a)
	if l.Fail(a) {
		t.Fatal("failures survived a good login")
	}
}

func TestBoundedTable(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := New(Config{Failures: 5, Window: time.Minute, Lockout: time.Minute}, c.now)
	for i := range maxTracked + 10 {
		l.Fail(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}))
	}
	if n := len(l.addr); n > maxTracked {
		t.Fatalf("table grew to %d", n)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"no failures", Config{Failures: 0, Window: time.Minute, Lockout: time.Minute}, false},
		{"no window", Config{Failures: 1, Lockout: time.Minute}, false},
		{"no lockout", Config{Failures: 1, Window: time.Minute}, false},
		{"negative delay", Config{Failures: 1, Window: time.Minute, Lockout: time.Minute, Delay: -1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}
