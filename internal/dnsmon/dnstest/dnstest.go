// Package dnstest runs a small authoritative DNS server on 127.0.0.1 for
// tests: records can be changed while it runs, and it can be told to stay
// silent, so that tests see exactly what a real server would send without
// a packet leaving the machine.
package dnstest

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Server is a running test server.
type Server struct {
	srv  *dns.Server
	addr string

	mu      sync.Mutex
	records map[key][]dns.RR
	rcodes  map[string]int
	silent  bool
	queries int
}

type key struct {
	name  string
	qtype uint16
}

// New starts a server on 127.0.0.1 (UDP, random port) and stops it in
// t.Cleanup.
func New(t testing.TB) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: listen: %v", err)
	}
	s := &Server{addr: pc.LocalAddr().String(), records: map[key][]dns.RR{}, rcodes: map[string]int{}}
	started := make(chan struct{})
	s.srv = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve), NotifyStartedFunc: func() { close(started) }}
	go func() { _ = s.srv.ActivateAndServe() }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("dnstest: server did not start")
	}
	t.Cleanup(func() { _ = s.srv.Shutdown() })
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// SetA replaces name's A and AAAA records with addrs, each with ttl.
func (s *Server) SetA(name string, ttl time.Duration, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fq := strings.ToLower(dns.Fqdn(name))
	delete(s.records, key{fq, dns.TypeA})
	delete(s.records, key{fq, dns.TypeAAAA})
	for _, a := range addrs {
		ip := netip.MustParseAddr(a)
		hdr := dns.RR_Header{Name: fq, Class: dns.ClassINET, Ttl: uint32(ttl / time.Second)}
		if ip.Is4() {
			hdr.Rrtype = dns.TypeA
			s.records[key{fq, dns.TypeA}] = append(s.records[key{fq, dns.TypeA}], &dns.A{Hdr: hdr, A: ip.AsSlice()})
		} else {
			hdr.Rrtype = dns.TypeAAAA
			s.records[key{fq, dns.TypeAAAA}] = append(s.records[key{fq, dns.TypeAAAA}], &dns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()})
		}
	}
}

// SetRR adds records given in zone-file syntax ("x.example.com. 5 IN CNAME y.example.com.").
func (s *Server) SetRR(t testing.TB, lines ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("dnstest: %q: %v", l, err)
		}
		k := key{strings.ToLower(rr.Header().Name), rr.Header().Rrtype}
		s.records[k] = append(s.records[k], rr)
	}
}

// Delete removes every record of name.
func (s *Server) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fq := strings.ToLower(dns.Fqdn(name))
	for k := range s.records {
		if k.name == fq {
			delete(s.records, k)
		}
	}
}

// SetRcode makes every query for name answer rcode (e.g. dns.RcodeServerFailure).
func (s *Server) SetRcode(name string, rcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcodes[strings.ToLower(dns.Fqdn(name))] = rcode
}

// Silent makes the server drop every query (true) or answer again.
func (s *Server) Silent(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent = on
}

// Queries is how many queries the server has received.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// serve answers from the records: NXDOMAIN (with an SOA for negative
// caching, 1 s) for a name with no records of any type.
func (s *Server) serve(w dns.ResponseWriter, q *dns.Msg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries++
	if s.silent || len(q.Question) != 1 {
		return
	}
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	name := strings.ToLower(q.Question[0].Name)
	if rc, ok := s.rcodes[name]; ok {
		m.Rcode = rc
		_ = w.WriteMsg(m)
		return
	}
	m.Answer = append(m.Answer, s.records[key{name, q.Question[0].Qtype}]...)
	if q.Question[0].Qtype != dns.TypeCNAME {
		for _, c := range s.records[key{name, dns.TypeCNAME}] {
			m.Answer = append(m.Answer, c)
			m.Answer = append(m.Answer, s.records[key{strings.ToLower(c.(*dns.CNAME).Target), q.Question[0].Qtype}]...)
		}
	}
	if len(m.Answer) == 0 {
		exists := false
		for k := range s.records {
			exists = exists || k.name == name
		}
		if !exists {
			m.Rcode = dns.RcodeNameError
		}
		soa, _ := dns.NewRR("test. 1 IN SOA ns.test. admin.test. 1 60 60 60 1")
		m.Ns = []dns.RR{soa}
	}
	_ = w.WriteMsg(m)
}
