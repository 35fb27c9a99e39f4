package snmp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"
)

// Errors callers can test with errors.Is. Every error the client returns
// names the agent ("snmp 192.0.2.1:161: …") and never a community or key.
var (
	// ErrTimeout: the agent did not answer (also a wrong community, an
	// ACL, a closed port, or for SNMPv3 a wrong privacy key).
	ErrTimeout = errors.New("no response from agent")
	// ErrAuth: the SNMPv3 agent refused the user, key or security level.
	ErrAuth = errors.New("SNMPv3 authentication failed")
	// ErrNotIncreasing: a walk got an OID not after the previous one.
	ErrNotIncreasing = errors.New("OID not increasing")
	// ErrWalkLimit: a walk returned more than Config.MaxWalk values.
	ErrWalkLimit = errors.New("walk too long")
	// ErrAgentStatus: the agent answered with an error status (genErr …).
	ErrAgentStatus = errors.New("agent error status")
)

// errBroken: a multi-OID answer that cannot be right; the request is redone
// one OID at a time and the agent remembered.
var errBroken = errors.New("agent answers multi-OID requests wrongly")

// Client is a pool of sessions, safe for concurrent use by many goroutines.
type Client struct {
	cfg  Config
	log  *slog.Logger
	pool *pool
	m    *metrics

	mu      sync.Mutex
	single  map[string]bool   // agents (host:port) needing one OID per GetNext/GetBulk
	engines map[string]engine // SNMPv3 engines by agent
}

// New builds a client; reg may be nil. Sockets open on first use.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		cfg:     cfg,
		log:     logger,
		pool:    newPool(cfg.MaxSessions, cfg.IdleTimeout),
		single:  map[string]bool{},
		engines: map[string]engine{},
	}
	m, err := newMetrics(reg, c)
	if err != nil {
		return nil, err
	}
	c.m = m
	return c, nil
}

// Close closes idle sessions now and busy ones as their requests end;
// later requests fail. It unregisters the metrics.
func (c *Client) Close() error {
	c.pool.close()
	c.m.unregister()
	return nil
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	open, idle := c.pool.counts()
	c.mu.Lock()
	single := len(c.single)
	c.mu.Unlock()
	return Stats{
		Requests:        c.m.requests.Load(),
		Timeouts:        c.m.timeouts.Load(),
		Errors:          c.m.errors.Load(),
		Malformed:       c.m.malformed.Load(),
		Fallbacks:       c.m.fallbacks.Load(),
		SessionsOpen:    open,
		SessionsIdle:    idle,
		SessionsMax:     c.cfg.MaxSessions,
		SingleOIDAgents: single,
	}
}

// prepare validates the target and normalises OIDs.
func (c *Client) prepare(t Target, oids []string) ([]string, error) {
	if t.Address == "" {
		return nil, errors.New("snmp: target has no address")
	}
	if err := t.Creds.Validate(); err != nil {
		return nil, fmt.Errorf("snmp %s: %w", t.agent(), err)
	}
	out := make([]string, len(oids))
	for i, o := range oids {
		n, err := NormalizeOID(o)
		if err != nil {
			return nil, fmt.Errorf("snmp %s: %w", t.agent(), err)
		}
		out[i] = n
	}
	return out, nil
}

// response is one decoded answer.
type response struct {
	vals   []Value
	status gosnmp.SNMPError
	index  int // error-index, 1-based
}

// exchange sends one request on a pooled session and decodes the answer.
func (c *Client) exchange(ctx context.Context, t Target, kind string, oids []string, reps int) (response, error) {
	if err := ctx.Err(); err != nil {
		return response{}, c.classify(ctx, t, err)
	}
	key := t.poolKey()
	s, err := c.pool.acquire(ctx, key, func() (*session, error) { return c.newSession(ctx, t, key) })
	if err != nil {
		if ctx.Err() != nil {
			return response{}, c.classify(ctx, t, err)
		}
		c.m.error()
		if errors.Is(err, errClosed) {
			err = fmt.Errorf("snmp %s: %w", t.agent(), err)
		}
		return response{}, redact(err, t.Creds)
	}
	reuse := true
	defer func() { c.pool.release(s, reuse) }()

	s.g.Context = ctx
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(interrupted)
		_ = s.g.Conn.SetDeadline(time.Now()) // wakes the blocked read now
	})
	c.m.request(kind)
	reads := s.rec.reads
	pkt, err := send(s.g, kind, oids, reps)
	if !stop() {
		<-interrupted
	}
	s.g.Context = context.Background()
	if err != nil {
		if s.v3 {
			err = reportError(s.lastReport(), err)
		}
		if s.rec.reads > reads && !isTimeout(err) && !errors.Is(err, errUnauthentic) && !isUSM(err) {
			// The agent answered, and gosnmp could not use the answer.
			err = fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		err = c.classify(ctx, t, err)
		reuse = !errors.Is(err, ErrAuth) && !errors.Is(err, ErrMalformed)
		return response{}, err
	}
	if s.v3 {
		c.learnEngine(s)
	}
	r := response{status: pkt.Error, index: int(pkt.ErrorIndex), vals: make([]Value, 0, len(pkt.Variables))}
	for _, p := range pkt.Variables {
		v, err := FromPDU(p)
		if err != nil {
			c.m.malformedValue()
			c.log.Debug("malformed value", "agent", t.agent(), "error", err)
		}
		r.vals = append(r.vals, v)
	}
	return r, nil
}

// send runs one gosnmp request; a panic inside is a malformed answer.
func send(g *gosnmp.GoSNMP, kind string, oids []string, reps int) (pkt *gosnmp.SnmpPacket, err error) {
	defer func() {
		if r := recover(); r != nil {
			pkt, err = nil, fmt.Errorf("%w: panic: %v", ErrMalformed, r)
		}
	}()
	dotted := make([]string, len(oids))
	for i, o := range oids {
		dotted[i] = "." + o
	}
	switch kind {
	case kindGet:
		pkt, err = g.Get(dotted)
	case kindGetNext:
		pkt, err = g.GetNext(dotted)
	default:
		pkt, err = g.GetBulk(dotted, 0, uint32(reps))
	}
	if err == nil && pkt == nil {
		err = fmt.Errorf("%w: no packet", ErrMalformed)
	}
	return pkt, err
}

// classify turns a gosnmp error into one of ours, counts it and removes
// any secret from its text.
func (c *Client) classify(ctx context.Context, t Target, err error) error {
	agent := t.agent()
	hint := "check the community, the agent's access list and that it runs"
	if t.Creds.Version == "3" {
		hint = "check the agent runs, and the user's privacy protocol and key"
		if t.Creds.Context != "" {
			hint = "check the agent runs, the context name, and the user's privacy protocol and key"
		}
	}
	tries := c.cfg.Retries + 1
	ctxErr := ctx.Err()
	if d, ok := ctx.Deadline(); ctxErr == nil && ok && !time.Now().Before(d) {
		ctxErr = context.DeadlineExceeded // the socket saw the deadline before the context's timer fired
	}
	var out error
	switch {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		c.m.timeout()
		out = fmt.Errorf("snmp %s: %w before the deadline: %w", agent, ErrTimeout, context.DeadlineExceeded)
	case ctxErr != nil:
		return fmt.Errorf("snmp %s: %w", agent, ctxErr)
	case errors.Is(err, gosnmp.ErrUnknownUsername):
		out = fmt.Errorf("snmp %s: %w: unknown user %q", agent, ErrAuth, t.Creds.User)
	case errors.Is(err, gosnmp.ErrWrongDigest):
		out = fmt.Errorf("snmp %s: %w: wrong authentication key or protocol for user %q", agent, ErrAuth, t.Creds.User)
	case errors.Is(err, gosnmp.ErrUnknownSecurityLevel):
		out = fmt.Errorf("snmp %s: %w: security level not allowed for user %q (check auth and priv)", agent, ErrAuth, t.Creds.User)
	case errors.Is(err, gosnmp.ErrDecryption):
		out = fmt.Errorf("snmp %s: %w: agent could not decrypt: wrong privacy key or protocol for user %q", agent, ErrAuth, t.Creds.User)
	case errors.Is(err, errUnauthentic):
		out = fmt.Errorf("snmp %s: %w: the agent's answer to user %q did not authenticate (wrong authentication key or protocol?)", agent, ErrAuth, t.Creds.User)
	case errors.Is(err, gosnmp.ErrNotInTimeWindow), errors.Is(err, gosnmp.ErrUnknownEngineID):
		out = fmt.Errorf("snmp %s: %w: could not agree on the engine ID and time: %w", agent, ErrAuth, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		c.m.timeout()
		out = fmt.Errorf("snmp %s: %w: port unreachable (%s)", agent, ErrTimeout, hint)
	case isTimeout(err):
		c.m.timeout()
		out = fmt.Errorf("snmp %s: %w after %d tries of %v (%s)", agent, ErrTimeout, tries, c.cfg.Timeout, hint)
	case errors.Is(err, ErrMalformed):
		c.m.malformedValue()
		c.m.error()
		out = fmt.Errorf("snmp %s: %w", agent, err)
	default:
		c.m.error()
		out = fmt.Errorf("snmp %s: %w", agent, err)
	}
	if errors.Is(out, ErrAuth) {
		c.m.error()
	}
	return redact(out, t.Creds)
}

// reportError names the gosnmp error for the Report the agent sent, when
// gosnmp discarded it as unauthenticated (which it must, as an agent
// sends these Reports without authentication).
func reportError(report string, err error) error {
	if !strings.Contains(err.Error(), "not authentic") {
		return err
	}
	switch report {
	case usmStatsUnknownUserNames:
		return gosnmp.ErrUnknownUsername
	case usmStatsWrongDigests:
		return gosnmp.ErrWrongDigest
	case usmStatsUnsupportedSecLevels:
		return gosnmp.ErrUnknownSecurityLevel
	case usmStatsDecryptionErrors:
		return gosnmp.ErrDecryption
	case usmStatsNotInTimeWindows:
		return gosnmp.ErrNotInTimeWindow
	case usmStatsUnknownEngineIDs:
		return gosnmp.ErrUnknownEngineID
	}
	return fmt.Errorf("%w: %w", errUnauthentic, err)
}

// errUnauthentic: the agent answered with something that fails our
// authentication check.
var errUnauthentic = errors.New("answer failed authentication")

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, gosnmp.ErrMaxRetriesExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &ne) && ne.Timeout()) ||
		strings.Contains(err.Error(), "timeout")
}

// isUSM reports the SNMPv3 Report errors gosnmp returns.
func isUSM(err error) bool {
	for _, e := range []error{gosnmp.ErrUnknownUsername, gosnmp.ErrWrongDigest, gosnmp.ErrUnknownSecurityLevel,
		gosnmp.ErrDecryption, gosnmp.ErrNotInTimeWindow, gosnmp.ErrUnknownEngineID, gosnmp.ErrUnknownReportPDU,
		gosnmp.ErrUnknownSecurityModels, gosnmp.ErrInvalidMsgs, gosnmp.ErrUnknownPDUHandlers} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// redact replaces secrets in err's text; the result still matches our
// sentinels and the context errors with errors.Is.
func redact(err error, c Credentials) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range []string{c.Community, c.AuthKey, c.PrivKey} {
		if len(s) >= 3 && strings.Contains(msg, s) {
			msg, changed = strings.ReplaceAll(msg, s, Secret), true
		}
	}
	if !changed {
		return err
	}
	var kept []error
	for _, s := range []error{ErrTimeout, ErrAuth, ErrMalformed, ErrAgentStatus, ErrNotIncreasing, ErrWalkLimit, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			kept = append(kept, s)
		}
	}
	return &redactedError{msg: msg, kinds: kept}
}

type redactedError struct {
	msg   string
	kinds []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.kinds }
