package snmp

import (
	"context"
	"errors"
	"fmt"

	"github.com/gosnmp/gosnmp"
)

// errShort: an answer with another number of variables than asked for.
var errShort = errors.New("answer has the wrong number of variables")

// Get reads the given OIDs: one Value per OID, in order. Missing ones come
// back with Type NoSuchObject or NoSuchInstance, not an error (for SNMPv1,
// whose agents answer noSuchName, as NoSuchObject). Long lists are split
// into requests of Config.MaxOIDs.
func (c *Client) Get(ctx context.Context, t Target, oids ...string) ([]Value, error) {
	norm, err := c.prepare(t, oids)
	if err != nil {
		return nil, err
	}
	out := make([]Value, len(norm))
	for start := 0; start < len(norm); start += c.cfg.MaxOIDs {
		end := min(start+c.cfg.MaxOIDs, len(norm))
		err := c.request(ctx, t, kindGet, norm, positions(start, end), out)
		if errors.Is(err, errShort) {
			err = fmt.Errorf("snmp %s: %w: %w", t.agent(), ErrMalformed, err)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetNext returns, for each OID, the variable after it: one Value per OID,
// in order; past the end of the agent's MIB, Type EndOfMibView. Several
// OIDs share a request; an agent that answers that wrongly (fewer
// variables, or a variable not after the OID asked for) is asked again one
// OID at a time, and remembered as needing that.
func (c *Client) GetNext(ctx context.Context, t Target, oids ...string) ([]Value, error) {
	norm, err := c.prepare(t, oids)
	if err != nil {
		return nil, err
	}
	out := make([]Value, len(norm))
	single := c.isSingle(t)
	for start := 0; start < len(norm); {
		n := c.cfg.MaxOIDs
		if single {
			n = 1
		}
		end := min(start+n, len(norm))
		pos := positions(start, end)
		err := c.request(ctx, t, kindGetNext, norm, pos, out)
		if err == nil && len(pos) > 1 {
			err = checkNext(norm, pos, out)
		}
		if err == nil && len(pos) > 1 {
			err = c.checkRepeats(ctx, t, norm, pos, out)
		}
		switch {
		case len(pos) > 1 && (errors.Is(err, errBroken) || errors.Is(err, errShort)):
			c.markSingle(t, err)
			single = true
			continue
		case errors.Is(err, errShort):
			return nil, fmt.Errorf("snmp %s: %w: %w", t.agent(), ErrMalformed, err)
		case err != nil:
			return nil, err
		}
		start = end
	}
	return out, nil
}

// checkNext verifies a multi-OID GetNext answer: each variable must come
// after the OID asked for, or be EndOfMibView.
func checkNext(oids []string, pos []int, out []Value) error {
	for _, p := range pos {
		v := out[p]
		if v.Type == EndOfMibView {
			continue
		}
		if CompareOID(v.OID, oids[p]) <= 0 {
			return fmt.Errorf("%w: asked for the next after %s, got %s", errBroken, oids[p], v.OID)
		}
	}
	return nil
}

// checkRepeats catches agents that answer every variable of a multi-OID
// GetNext with the first one's answer, which checkNext misses when the OIDs
// asked for are not in order. Legitimate repeats happen (OIDs in the same
// gap of the MIB), so a repeat is checked by asking for it alone.
func (c *Client) checkRepeats(ctx context.Context, t Target, oids []string, pos []int, out []Value) error {
	first := out[pos[0]]
	for _, p := range pos[1:] {
		if out[p].OID != first.OID || oids[p] == oids[pos[0]] || out[p].Type == EndOfMibView {
			continue
		}
		one := make([]Value, len(oids)) // request fills one[p]
		if err := c.request(ctx, t, kindGetNext, oids, []int{p}, one); err != nil {
			return err
		}
		if one[p].OID != out[p].OID {
			return fmt.Errorf("%w: the next after %s is %s alone, %s in a multi-OID request", errBroken, oids[p], one[p].OID, out[p].OID)
		}
		return nil
	}
	return nil
}

func positions(start, end int) []int {
	p := make([]int, end-start)
	for i := range p {
		p[i] = start + i
	}
	return p
}

// request sends a Get or GetNext of oids[pos...] and stores the answers in
// out[pos...]. It handles SNMPv1's noSuchName (marking that variable and
// asking again for the others) and tooBig (splitting the request).
func (c *Client) request(ctx context.Context, t Target, kind string, oids []string, pos []int, out []Value) error {
	if len(pos) == 0 {
		return nil
	}
	ask := make([]string, len(pos))
	for i, p := range pos {
		ask[i] = oids[p]
	}
	r, err := c.exchange(ctx, t, kind, ask, 0)
	if err != nil {
		return err
	}
	switch r.status {
	case gosnmp.NoError:
	case gosnmp.NoSuchName:
		i := r.index - 1
		if i < 0 || i >= len(pos) {
			return c.statusError(t, r, ask)
		}
		missing := Value{OID: ask[i], Type: NoSuchObject}
		if kind == kindGetNext {
			missing.Type = EndOfMibView
		}
		out[pos[i]] = missing
		rest := append(append([]int(nil), pos[:i]...), pos[i+1:]...)
		return c.request(ctx, t, kind, oids, rest, out)
	case gosnmp.TooBig:
		if len(pos) == 1 {
			return c.statusError(t, r, ask)
		}
		half := len(pos) / 2
		if err := c.request(ctx, t, kind, oids, pos[:half], out); err != nil {
			return err
		}
		return c.request(ctx, t, kind, oids, pos[half:], out)
	default:
		return c.statusError(t, r, ask)
	}
	if len(r.vals) != len(pos) {
		return fmt.Errorf("%w: asked for %d, got %d", errShort, len(pos), len(r.vals))
	}
	for i, p := range pos {
		out[p] = r.vals[i]
	}
	return nil
}

// bulk sends one GetBulk (no non-repeaters); tooBig halves the repetitions.
func (c *Client) bulk(ctx context.Context, t Target, oids []string, reps int) ([]Value, error) {
	for {
		r, err := c.exchange(ctx, t, kindGetBulk, oids, reps)
		if err != nil {
			return nil, err
		}
		switch {
		case r.status == gosnmp.NoError:
			return r.vals, nil
		case r.status == gosnmp.TooBig && reps > 1:
			reps /= 2
		default:
			return nil, c.statusError(t, r, oids)
		}
	}
}

// statusError reports an agent's error status, naming the variable.
func (c *Client) statusError(t Target, r response, asked []string) error {
	c.m.error()
	what := ""
	if i := r.index - 1; i >= 0 && i < len(asked) {
		what = " for " + asked[i]
	}
	return fmt.Errorf("snmp %s: %w %s%s", t.agent(), ErrAgentStatus, r.status, what)
}

func (c *Client) isSingle(t Target) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.single[t.agent()]
}

// markSingle remembers that the agent needs one OID per request.
func (c *Client) markSingle(t Target, why error) {
	c.m.fallback()
	c.mu.Lock()
	first := !c.single[t.agent()]
	c.single[t.agent()] = true
	c.mu.Unlock()
	if first {
		c.log.Info("agent answers multi-OID requests wrongly; asking one OID at a time from now on",
			"agent", t.agent(), "reason", why)
	}
}
