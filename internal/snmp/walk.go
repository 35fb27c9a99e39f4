package snmp

import (
	"context"
	"errors"
	"fmt"
)

// Walk calls fn for each variable below root, in order: GetBulk for v2c
// and v3, GetNext for v1. It stops at the end of the subtree; an OID not
// after the previous one (ErrNotIncreasing) or more than Config.MaxWalk
// values (ErrWalkLimit) is an error naming the OID. An error from fn stops
// the walk and is returned as is. A session is held only while a request
// is in flight, so fn may use the client.
func (c *Client) Walk(ctx context.Context, t Target, root string, fn func(Value) error) error {
	norm, err := c.prepare(t, []string{root})
	if err != nil {
		return err
	}
	n := 0
	return c.walk(ctx, t, norm[0], func(v Value) error {
		n++
		if n > c.cfg.MaxWalk {
			return fmt.Errorf("snmp %s: walk %s: %w: more than %d values (at %s)", t.agent(), norm[0], ErrWalkLimit, c.cfg.MaxWalk, v.OID)
		}
		return fn(v)
	})
}

func (c *Client) walk(ctx context.Context, t Target, root string, fn func(Value) error) error {
	cursor := root
	for {
		var vals []Value
		if t.Creds.Version == "1" {
			out := make([]Value, 1)
			err := c.request(ctx, t, kindGetNext, []string{cursor}, []int{0}, out)
			if errors.Is(err, errShort) {
				err = fmt.Errorf("snmp %s: walk %s: %w: %w", t.agent(), root, ErrMalformed, err)
			}
			if err != nil {
				return err
			}
			vals = out
		} else {
			var err error
			if vals, err = c.bulk(ctx, t, []string{cursor}, c.cfg.MaxRepetitions); err != nil {
				return err
			}
		}
		if len(vals) == 0 {
			c.m.malformedValue()
			return fmt.Errorf("snmp %s: walk %s: %w: empty answer after %s", t.agent(), root, ErrMalformed, cursor)
		}
		for _, v := range vals {
			if isException(v) || !InSubtree(v.OID, root) {
				return nil
			}
			if CompareOID(v.OID, cursor) <= 0 {
				return fmt.Errorf("snmp %s: walk %s: %w: %s after %s", t.agent(), root, ErrNotIncreasing, v.OID, cursor)
			}
			if err := fn(v); err != nil {
				return err
			}
			cursor = v.OID
		}
	}
}

func isException(v Value) bool {
	return v.Type == EndOfMibView || v.Type == NoSuchObject || v.Type == NoSuchInstance
}

// Table walks several columns at once (multi-OID GetNext/GetBulk), returning rows keyed by the
// index suffix ("3" or "1.4.192.0.2.1") then by column OID as given. Agents that answer multi-OID
// GetNext wrongly are detected, remembered per agent (address+port) and then walked one column at a time.
func (c *Client) Table(ctx context.Context, t Target, columns ...string) (map[string]map[string]Value, error) {
	norm, err := c.prepare(t, columns)
	if err != nil {
		return nil, err
	}
	if len(norm) > 1 && !c.isSingle(t) {
		rows, err := c.tableMulti(ctx, t, norm, columns)
		if !errors.Is(err, errBroken) {
			return rows, err
		}
		c.markSingle(t, err)
	}
	return c.tableSingle(ctx, t, norm, columns)
}

// tableSingle walks the columns one after the other.
func (c *Client) tableSingle(ctx context.Context, t Target, norm, keys []string) (map[string]map[string]Value, error) {
	rows := map[string]map[string]Value{}
	n := 0
	for i, col := range norm {
		err := c.walk(ctx, t, col, func(v Value) error {
			if n++; n > c.cfg.MaxWalk {
				return fmt.Errorf("snmp %s: table: %w: more than %d values (at %s)", t.agent(), ErrWalkLimit, c.cfg.MaxWalk, v.OID)
			}
			addCell(rows, Suffix(v.OID, col), keys[i], v)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

type column struct {
	root, key, cursor string
	done              bool
}

// tableMulti walks all columns together, up to Config.MaxOIDs per request.
// An answer that cannot be right returns errBroken.
func (c *Client) tableMulti(ctx context.Context, t Target, norm, keys []string) (map[string]map[string]Value, error) {
	cols := make([]column, len(norm))
	for i := range norm {
		cols[i] = column{root: norm[i], key: keys[i], cursor: norm[i]}
	}
	rows := map[string]map[string]Value{}
	n := 0
	for {
		var active []int
		for i := range cols {
			if !cols[i].done {
				active = append(active, i)
			}
		}
		if len(active) == 0 {
			return rows, nil
		}
		chunk := active[:min(len(active), c.cfg.MaxOIDs)]
		ask := make([]string, len(chunk))
		for i, ci := range chunk {
			ask[i] = cols[ci].cursor
		}
		vals, err := c.tableRequest(ctx, t, ask)
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			col := &cols[chunk[i%len(chunk)]]
			if col.done {
				continue
			}
			if isException(v) {
				col.done = true
				continue
			}
			if CompareOID(v.OID, col.cursor) <= 0 {
				return nil, fmt.Errorf("%w: column %s: %s after %s", errBroken, col.root, v.OID, col.cursor)
			}
			if !InSubtree(v.OID, col.root) {
				// An empty column, or an agent answering with another
				// column's variable: ask for this column alone to tell.
				if col.cursor == col.root && len(chunk) > 1 {
					if err := c.checkEmpty(ctx, t, col.root, v.OID); err != nil {
						return nil, err
					}
				}
				col.done = true
				continue
			}
			if n++; n > c.cfg.MaxWalk {
				return nil, fmt.Errorf("snmp %s: table: %w: more than %d values (at %s)", t.agent(), ErrWalkLimit, c.cfg.MaxWalk, v.OID)
			}
			addCell(rows, Suffix(v.OID, col.root), col.key, v)
			col.cursor = v.OID
		}
	}
}

// tableRequest asks for the next rows of several columns: GetNext for v1,
// GetBulk with about 4×MaxRepetitions values otherwise. Fewer variables
// than columns is errBroken.
func (c *Client) tableRequest(ctx context.Context, t Target, ask []string) ([]Value, error) {
	var vals []Value
	if t.Creds.Version == "1" {
		vals = make([]Value, len(ask))
		err := c.request(ctx, t, kindGetNext, ask, positions(0, len(ask)), vals)
		if errors.Is(err, errShort) {
			return nil, fmt.Errorf("%w: %w", errBroken, err)
		}
		if err != nil {
			return nil, err
		}
	} else {
		reps := max(1, min(c.cfg.MaxRepetitions, (4*c.cfg.MaxRepetitions+len(ask)-1)/len(ask)))
		var err error
		if vals, err = c.bulk(ctx, t, ask, reps); err != nil {
			return nil, err
		}
	}
	if len(vals) < len(ask) {
		return nil, fmt.Errorf("%w: asked for %d columns, got %d variables", errBroken, len(ask), len(vals))
	}
	return vals, nil
}

// checkEmpty asks for the variable after root alone, and returns errBroken
// when it is not got, the answer a multi-OID request gave.
func (c *Client) checkEmpty(ctx context.Context, t Target, root, got string) error {
	out := make([]Value, 1)
	if err := c.request(ctx, t, kindGetNext, []string{root}, []int{0}, out); err != nil {
		if errors.Is(err, errShort) {
			return fmt.Errorf("snmp %s: %w: %w", t.agent(), ErrMalformed, err)
		}
		return err
	}
	if v := out[0]; !isException(v) && v.OID != got && InSubtree(v.OID, root) {
		return fmt.Errorf("%w: column %s: %s in a multi-OID answer, %s alone", errBroken, root, got, v.OID)
	}
	return nil
}

func addCell(rows map[string]map[string]Value, index, key string, v Value) {
	row := rows[index]
	if row == nil {
		row = map[string]Value{}
		rows[index] = row
	}
	row[key] = v
}
