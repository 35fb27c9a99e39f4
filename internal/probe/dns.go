package probe

// The DNS probe (com.dartware.dns, InterMapper's "Domain Name Server"):
// the device is a DNS server, asked one question directly; the probe
// checks that it answers, with which rcode, and optionally that the answer
// contains an expected value. Parameter names follow InterMapper's.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/vantage-monitor/vantage/internal/dnsmon"
	"github.com/vantage-monitor/vantage/internal/status"
)

func dnsParams() []Param {
	ps := append([]Param{
		{Name: "name", Aliases: []string{"Domain Name"}, Help: "fully-qualified name to look up (required)"},
		{Name: "type", Default: "A", Kind: "dropdown", Choices: []string{"A", "AAAA", "PTR", "MX", "NS", "SOA", "TXT", "CNAME", "SRV"}, Help: "record type asked for; for PTR, name may be an IP address"},
		{Name: "expect", Aliases: []string{"IP Address"}, Help: "text one answer record must contain (an address for A); empty accepts any answer"},
		{Name: "rcode", Default: "NOERROR", Help: "the response code that is OK: NOERROR, or NXDOMAIN to check that a name does not exist"},
		{Name: "recursion", Aliases: []string{"Recursion Desired"}, Default: "true", Kind: "checkbox", Choices: []string{"true", "false"}, Help: "ask the server to recurse; false checks what it holds itself"},
		{Name: "failure", Aliases: []string{"Failure Status"}, Default: "alarm", Kind: "dropdown", Choices: []string{"down", "alarm", "warning"}, Help: "status when the server answers but not as expected"},
	}, udpParams(53)...)
	return ps
}

// DNSInfo describes the DNS server probe.
func DNSInfo() Info {
	return Info{ID: "com.dartware.dns", Name: "Domain Name Server (DNS)", Aliases: []string{"dns"}, Params: dnsParams(),
		New: func() Probe { return dnsProbe{} }}
}

type dnsConfig struct {
	udpCommon
	name      string
	qtype     uint16
	expect    string
	rcode     int
	recursion bool
	failure   status.Level
}

func parseDNSConfig(params map[string]string) (dnsConfig, error) {
	p := resolveParams(dnsParams(), params)
	var c dnsConfig
	var err error
	if c.udpCommon, err = parseUDPCommon(p); err != nil {
		return c, err
	}
	t := strings.ToUpper(strings.TrimSpace(p["type"]))
	var ok bool
	if c.qtype, ok = dns.StringToType[t]; !ok || t == "" {
		return c, fmt.Errorf("parameter type: %q is not a DNS record type", p["type"])
	}
	name := strings.TrimSpace(p["name"])
	if a, err := netip.ParseAddr(name); err == nil && c.qtype == dns.TypePTR {
		name, _ = dnsmon.ReverseName(a)
	}
	if c.name, err = dnsmon.Qualify(name); err != nil {
		return c, fmt.Errorf("parameter name: %w", err)
	}
	c.expect = strings.TrimSpace(p["expect"])
	if c.rcode, ok = dns.StringToRcode[strings.ToUpper(strings.TrimSpace(p["rcode"]))]; !ok {
		return c, fmt.Errorf("parameter rcode: %q is not a DNS response code (NOERROR, NXDOMAIN …)", p["rcode"])
	}
	if c.recursion, err = parseBool(p["recursion"], true); err != nil {
		return c, fmt.Errorf("parameter recursion: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(p["failure"])) {
	case "down":
		c.failure = status.Down
	case "alarm", "":
		c.failure = status.Alarm
	case "warning":
		c.failure = status.Warning
	default:
		return c, fmt.Errorf("parameter failure: %q is not down, alarm or warning", p["failure"])
	}
	return c, nil
}

type dnsProbe struct{}

func (dnsProbe) CheckParams(params map[string]string) error {
	_, err := parseDNSConfig(params)
	return err
}

func (dnsProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseDNSConfig(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	to, err := udpTarget(ctx, t.Address, c.port)
	if err != nil {
		return udpFailure(ctx, err, "DNS", to, 0, window, "")
	}
	qctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	rep, err := dnsmon.Query(qctx, to.String(), c.name, c.qtype, dnsmon.QueryOptions{
		Timeout: window / time.Duration(c.attempts), Attempts: c.attempts, NoRecursion: !c.recursion})
	if err != nil {
		var te *dnsmon.TimeoutError
		if errors.As(err, &te) {
			err = errUDPSilent
		}
		err = classifyUDP(ctx, err)
		return udpFailure(ctx, err, "DNS", to, c.attempts, window, "")
	}
	r := newResult()
	judgeDNSReply(&r, c, rep.Msg)
	return finish(&r, rep.RTT, c.rtt)
}

// judgeDNSReply records the answer and raises c.failure when it is not
// what was expected.
func judgeDNSReply(r *status.Result, c dnsConfig, m *dns.Msg) {
	rcode := dns.RcodeToString[m.Rcode]
	if rcode == "" {
		rcode = fmt.Sprintf("RCODE%d", m.Rcode)
	}
	r.Values["rcode"] = rcode
	r.Values["answers"] = len(m.Answer)
	var texts []string
	for _, rr := range m.Answer {
		if rr.Header().Rrtype == c.qtype || c.qtype == dns.TypeANY {
			texts = append(texts, dnsRData(rr))
		}
	}
	if len(texts) > 0 {
		r.Values["answer"] = strings.Join(texts, ", ")
	}
	q := strings.TrimSuffix(c.name, ".") + " " + dns.TypeToString[c.qtype]
	switch {
	case m.Rcode != c.rcode:
		raise(r, c.failure, fmt.Sprintf("%s: server answered %s, expected %s", q, rcode, dns.RcodeToString[c.rcode]))
	case c.rcode == dns.RcodeSuccess && len(texts) == 0:
		raise(r, c.failure, fmt.Sprintf("%s: no %s records in the answer", q, dns.TypeToString[c.qtype]))
	case c.expect != "" && !dnsContains(texts, c.expect):
		raise(r, c.failure, fmt.Sprintf("%s: answer %q does not contain %q", q, strings.Join(texts, ", "), c.expect))
	}
}

// dnsRData is a record's data as in a zone file, without owner and TTL.
func dnsRData(rr dns.RR) string {
	s := rr.String()
	h := rr.Header().String()
	return strings.TrimSpace(strings.TrimPrefix(s, h))
}

// dnsContains matches an expected value in any record: an address equal
// to an A/AAAA record, otherwise a case-insensitive substring (so "mail"
// matches "10 mail.example.com.").
func dnsContains(texts []string, want string) bool {
	wa, err := netip.ParseAddr(want)
	isAddr := err == nil
	for _, t := range texts {
		if isAddr {
			if a, err := netip.ParseAddr(t); err == nil && a == wa {
				return true
			}
		}
		if strings.Contains(strings.ToLower(t), strings.ToLower(want)) {
			return true
		}
	}
	return false
}
