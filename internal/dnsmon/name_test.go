package dnsmon

import (
	"errors"
	"net/netip"
	"testing"
)

func TestQualify(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "www.example.com", want: "www.example.com."},
		{in: "www.example.com.", want: "www.example.com."},
		{in: " host.test ", want: "host.test."},
		{in: "printer", err: `"printer" is not fully qualified; write printer.example.com`},
		{in: "printer.", err: `"printer" is not fully qualified; write printer.example.com`},
		{in: "", err: "empty DNS name"},
		{in: ".", err: `"." is not a valid DNS name`},
		{in: "192.0.2.1", err: `"192.0.2.1" is an IP address, not a DNS name`},
		{in: "a..b", err: `"a..b" is not a valid DNS name`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Qualify(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Qualify(%q) error = %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Qualify(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	_, err := Qualify("printer")
	var nq *NotQualifiedError
	if !errors.As(err, &nq) {
		t.Fatalf("single label: error %T, want *NotQualifiedError", err)
	}
}

func TestReverseName(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.10":        "10.2.0.192.in-addr.arpa.",
		"::ffff:192.0.2.10": "10.2.0.192.in-addr.arpa.",
		"2001:db8::1":       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
	} {
		got, err := ReverseName(netip.MustParseAddr(in))
		if err != nil || got != want {
			t.Errorf("ReverseName(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}
