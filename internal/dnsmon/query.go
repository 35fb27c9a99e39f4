package dnsmon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/miekg/dns"
)

// QueryOptions tune one query to one server.
type QueryOptions struct {
	// Timeout bounds each attempt; the context bounds the whole query.
	Timeout time.Duration
	// Attempts is how many times the question is sent (at least once).
	Attempts int
	// NoRecursion clears the RD bit, so a server answers only from what it
	// holds itself (InterMapper's "Recursion Desired" set to false).
	NoRecursion bool
}

// Reply is a server's answer to one question.
type Reply struct {
	Msg    *dns.Msg
	Server string
	RTT    time.Duration
}

// TimeoutError is a server that did not answer any attempt.
type TimeoutError struct {
	Server   string
	Timeout  time.Duration
	Attempts int
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from DNS server %s within %s (%d attempts)", e.Server, e.Timeout, e.Attempts)
}

// Query asks server (host:port) one question over UDP, retrying on
// silence, and over TCP when the UDP answer is truncated. An answer with
// any rcode is a Reply; the error is for no usable answer at all.
func Query(ctx context.Context, server, name string, qtype uint16, o QueryOptions) (Reply, error) {
	attempts := max(o.Attempts, 1)
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultConfig().Timeout
	}
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = !o.NoRecursion
	m.SetEdns0(1232, false)

	var lastErr error
	for range attempts {
		if err := ctx.Err(); err != nil {
			return Reply{}, fmt.Errorf("query %s for %s: %w", server, name, err)
		}
		c := &dns.Client{Net: "udp", Timeout: timeout}
		actx, cancel := context.WithTimeout(ctx, timeout)
		r, rtt, err := c.ExchangeContext(actx, m.Copy(), server)
		cancel()
		if err == nil && r.Truncated {
			c.Net = "tcp"
			actx, cancel := context.WithTimeout(ctx, timeout)
			r, rtt, err = c.ExchangeContext(actx, m.Copy(), server)
			cancel()
		}
		if err == nil {
			return Reply{Msg: r, Server: server, RTT: rtt}, nil
		}
		lastErr = err
		if !isTimeout(err) || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return Reply{}, fmt.Errorf("query %s for %s: %w", server, name, ctx.Err())
	}
	if isTimeout(lastErr) {
		return Reply{}, &TimeoutError{Server: server, Timeout: timeout, Attempts: attempts}
	}
	return Reply{}, fmt.Errorf("query DNS server %s for %s: %w", server, name, lastErr)
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}
