package dnsmon

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// NotQualifiedError is a name with a single label ("printer"). Vantage's
// resolver, like InterMapper's, has no search list: such a name would only
// resolve by luck, so it is refused with a hint instead.
type NotQualifiedError struct{ Name string }

func (e *NotQualifiedError) Error() string {
	n := strings.TrimSuffix(e.Name, ".")
	return fmt.Sprintf("%q is not fully qualified; write %s.example.com", n, n)
}

// Qualify checks a name and returns it fully qualified (with the trailing
// dot). A name without a trailing dot is taken as fully qualified already:
// "www.example.com" means "www.example.com.".
func Qualify(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return "", fmt.Errorf("empty DNS name")
	}
	if _, err := netip.ParseAddr(strings.Trim(n, "[]")); err == nil {
		return "", fmt.Errorf("%q is an IP address, not a DNS name", n)
	}
	if _, ok := dns.IsDomainName(n); !ok || n == "." {
		return "", fmt.Errorf("%q is not a valid DNS name", n)
	}
	fq := dns.Fqdn(n)
	if dns.CountLabel(fq) < 2 {
		return "", &NotQualifiedError{Name: n}
	}
	return fq, nil
}

// ReverseName is the in-addr.arpa or ip6.arpa name of addr.
func ReverseName(addr netip.Addr) (string, error) {
	if !addr.IsValid() {
		return "", fmt.Errorf("invalid address")
	}
	return dns.ReverseAddr(addr.Unmap().String())
}
