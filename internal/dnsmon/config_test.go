package dnsmon

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // substring of the error; empty means valid
	}{
		{"default", func(*Config) {}, ""},
		{"servers", func(c *Config) { c.Servers = []string{"127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1"} }, ""},
		{"bad server", func(c *Config) { c.Servers = []string{"127.0.0.1", "dns.example.com"} }, `dns.servers[1]: "dns.example.com" is not an IP address`},
		{"port zero", func(c *Config) { c.Servers = []string{"127.0.0.1:0"} }, "dns.servers[0]"},
		{"timeout", func(c *Config) { c.Timeout = 0 }, "dns.timeout"},
		{"min_ttl", func(c *Config) { c.MinTTL = -time.Second }, "dns.min_ttl"},
		{"attempts", func(c *Config) { c.Attempts = 0 }, "dns.attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestResolvConf(t *testing.T) {
	in := "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver  2001:db8::53\nnameserver bogus\noptions ndots:2\n"
	got := ResolvConf(strings.NewReader(in))
	want := []string{"192.0.2.53:53", "[2001:db8::53]:53"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestServersFromResolvConf(t *testing.T) {
	r := New(DefaultConfig(), nil)
	r.resolvConf = t.TempDir() + "/missing"
	if _, err := r.Servers(); err == nil || !strings.Contains(err.Error(), "no dns.servers") {
		t.Fatalf("err = %v, want one naming dns.servers", err)
	}
}
